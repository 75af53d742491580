"""Bot API method handlers: validated params in, Bot API result (or ApiError) out.

Error descriptions are Telegram's own wording where it is known, because bots match on them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import ApiError, bad_request
from .formatting import format_text
from .state import BotState, ChatRecord, MessageRecord, SentPoll, conflict

MAX_TEXT = 4096
MAX_POLL_OPTIONS = 12


class Raw(bytes):
    """A result that is already JSON-encoded (getUpdates answers)."""


Handler = Callable[[BotState, dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


# --- updates & webhooks -----------------------------------------------------------------------

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


@handler("getMe")
async def get_me(bot: BotState, p: dict[str, Any]) -> Any:
    return {
        **bot.user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@handler("getUpdates")
async def get_updates(bot: BotState, p: dict[str, Any]) -> Any:
    if bot.webhook.url:
        raise conflict(WEBHOOK_ACTIVE)
    ticket = bot.begin_poll(TERMINATED)
    try:
        queue = bot.queue
        queue.set_allowed(p.get("allowed_updates"))
        offset = p.get("offset", 0)
        if offset:
            queue.confirm(offset)
        limit = min(max(p.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(p.get("timeout", 0), 0)
        while True:
            if offset > 0:
                queue.confirm(offset)
            items = queue.take(limit)
            remaining = deadline - loop.time()
            if items or remaining <= 0:
                break
            await queue.changed.wait(remaining)
            if ticket.conflict:
                raise conflict(ticket.conflict)
        return Raw(b"[" + b",".join(item.encoded for item in items) + b"]")
    finally:
        bot.end_poll(ticket)


@handler("setWebhook")
async def set_webhook(bot: BotState, p: dict[str, Any]) -> Any:
    url = p["url"]
    if url:
        bot.webhook.configure(  # validates first; delivery starts on the next loop turn
            url,
            secret_token=p.get("secret_token"),
            max_connections=p.get("max_connections", 40),
            ip_address=p.get("ip_address"),
            has_certificate="certificate" in p,
        )
        bot.terminate_poll("terminated by setWebhook request")
    else:
        await bot.webhook.delete()  # an empty URL removes the webhook
    if p.get("drop_pending_updates"):
        bot.queue.clear()
    bot.queue.set_allowed(p.get("allowed_updates"))
    return True


@handler("deleteWebhook")
async def delete_webhook(bot: BotState, p: dict[str, Any]) -> Any:
    await bot.webhook.delete()
    if p.get("drop_pending_updates"):
        bot.queue.clear()
    return True


@handler("getWebhookInfo")
async def get_webhook_info(bot: BotState, p: dict[str, Any]) -> Any:
    return bot.webhook.info()


# --- messages ---------------------------------------------------------------------------------

_BUTTON_FIELDS = (
    "text",
    "icon_custom_emoji_id",
    "style",
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_ACTIONS = set(_BUTTON_FIELDS) - {"text", "icon_custom_emoji_id", "style"}


def inline_markup(markup: Any) -> dict[str, Any] | None:
    """Validate an InlineKeyboardMarkup and return it as Telegram echoes it back."""
    if markup is None or markup == {}:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    clean_rows = []
    for row in rows:
        clean = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not _BUTTON_ACTIONS.intersection(button):
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode()) <= 64):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"^(https?|tg)://\S+$", str(url)):
                raise bad_request("BUTTON_URL_INVALID")
            clean.append({k: button[k] for k in _BUTTON_FIELDS if k in button})
        if clean:
            clean_rows.append(clean)
    return {"inline_keyboard": clean_rows}


def _apply_markup(chat: ChatRecord, markup: Any) -> dict[str, Any] | None:
    """Any keyboard type for sends; only inline keyboards become part of the Message."""
    if isinstance(markup, dict):
        if "keyboard" in markup:
            if not isinstance(markup["keyboard"], list):
                raise bad_request('can\'t parse keyboard: field "keyboard" must be an Array')
            chat.reply_keyboard = markup
            return None
        if markup.get("remove_keyboard"):
            chat.reply_keyboard = None
            return None
        if markup.get("force_reply"):
            return None
    return inline_markup(markup)


def _reply_to(bot: BotState, chat: ChatRecord, p: dict[str, Any]) -> dict[str, Any] | None:
    params = p.get("reply_parameters")
    if not params:
        return None
    if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
        raise bad_request("can't parse reply parameters JSON object")
    target = bot.find_message(chat, params["message_id"])
    if target is None:
        if params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.data.items() if k != "reply_to_message"}


def _text_content(p: dict[str, Any]) -> dict[str, Any]:
    text = p.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    plain, entities = format_text(text, p.get("parse_mode"), p.get("entities"))
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": plain}
    if entities:
        content["entities"] = entities
    lpo = p.get("link_preview_options")
    if isinstance(lpo, dict) and lpo:
        content["link_preview_options"] = {k: v for k, v in lpo.items() if k in _PREVIEW_FIELDS}
    return content


_PREVIEW_FIELDS = (
    "is_disabled",
    "url",
    "prefer_small_media",
    "prefer_large_media",
    "show_above_text",
)


@handler("sendMessage")
async def send_message(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    content = _text_content(p)
    reply_to = _reply_to(bot, chat, p)
    bot.acquire_send(chat)
    markup = _apply_markup(chat, p.get("reply_markup"))
    if reply_to:
        content["reply_to_message"] = reply_to
    if markup:
        content["reply_markup"] = markup
    return bot.add_message(chat, bot.user, content, from_bot=True)


_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


@handler("sendChatAction")
async def send_chat_action(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    if p["action"] not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    bot.check_writable(chat)
    return True


def _editable(bot: BotState, p: dict[str, Any]) -> tuple[ChatRecord, MessageRecord]:
    if p.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    if "chat_id" not in p:
        raise bad_request("chat_id is empty")
    if "message_id" not in p:
        raise bad_request("message identifier is not specified")
    chat = bot.resolve_chat(p["chat_id"])
    record = bot.find_message(chat, p["message_id"])
    if record is None:
        raise bad_request("message to edit not found")
    if not record.from_bot:
        raise bad_request("message can't be edited")
    bot.check_writable(chat)
    return chat, record


NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _replace(record: MessageRecord, content: dict[str, Any], markup: dict[str, Any] | None) -> None:
    message = record.data
    keys = (*content, "entities", "reply_markup") if "text" in content else ("reply_markup",)
    old = {k: message.get(k) for k in keys}
    new = {**{k: None for k in old}, **content, "reply_markup": markup}
    if old == new:
        raise bad_request(NOT_MODIFIED)
    for key, value in new.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())


@handler("editMessageText")
async def edit_message_text(bot: BotState, p: dict[str, Any]) -> Any:
    chat, record = _editable(bot, p)
    if "text" not in record.data:
        raise bad_request("there is no text in the message to edit")
    content = _text_content(p)
    # Like Telegram: an edit without reply_markup removes the inline keyboard.
    _replace(record, content, inline_markup(p.get("reply_markup")))
    bot.changed.notify()
    return record.data


@handler("editMessageReplyMarkup")
async def edit_message_reply_markup(bot: BotState, p: dict[str, Any]) -> Any:
    chat, record = _editable(bot, p)
    _replace(record, {}, inline_markup(p.get("reply_markup")))
    bot.changed.notify()
    return record.data


@handler("deleteMessage")
async def delete_message(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    record = bot.find_message(chat, p["message_id"])
    if record is None:
        raise bad_request("message to delete not found")
    if not record.from_bot and chat.type != "private":
        raise bad_request("message can't be deleted")
    record.deleted = True
    bot.changed.notify()
    return True


@handler("answerCallbackQuery")
async def answer_callback_query(bot: BotState, p: dict[str, Any]) -> Any:
    query = bot.callbacks.get(p["callback_query_id"])
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(p.get("text", "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {k: p[k] for k in ("text", "show_alert", "url", "cache_time") if k in p}
    bot.changed.notify()
    return True


# --- polls ------------------------------------------------------------------------------------


def _poll_options(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise bad_request("can't parse options JSON object")
    texts = []
    for option in raw:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 100:
            raise bad_request("poll options length must not exceed 100")
        texts.append(text)
    if len(texts) < 2:
        raise bad_request("poll must have at least 2 option")
    if len(texts) > MAX_POLL_OPTIONS:
        raise bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
    return texts


@handler("sendPoll")
async def send_poll(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    question = p["question"]
    if not 1 <= len(question) <= 300:
        raise bad_request("poll question length must not exceed 300")
    texts = _poll_options(p["options"])
    kind = p.get("type", "regular") or "regular"
    if kind not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    correct = p.get("correct_option_ids")
    if kind == "quiz" and (not correct or any(not 0 <= i < len(texts) for i in correct)):
        raise bad_request("wrong correct option ids specified")
    is_anonymous = p.get("is_anonymous", True)
    if not is_anonymous and chat.type == "channel":
        raise bad_request("non-anonymous polls can't be sent to channel chats")
    reply_to = _reply_to(bot, chat, p)
    bot.acquire_send(chat)
    markup = _apply_markup(chat, p.get("reply_markup"))
    poll_id = bot.new_id()
    poll: dict[str, Any] = {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": f"{poll_id}-{i}", "text": t, "voter_count": 0}
            for i, t in enumerate(texts)
        ],
        "total_voter_count": 0,
        "is_closed": bool(p.get("is_closed", False)),
        "is_anonymous": is_anonymous,
        "type": kind,
        "allows_multiple_answers": bool(p.get("allows_multiple_answers", False)),
        "allows_revoting": bool(p.get("allows_revoting", kind == "regular")),
        "members_only": bool(p.get("members_only", False)),
    }
    if kind == "quiz":
        poll["correct_option_ids"] = list(correct or [])
    for key in ("explanation", "description", "open_period", "close_date"):
        if p.get(key):
            poll[key] = p[key]
    if p.get("open_period") and not p.get("close_date"):
        poll["close_date"] = int(time.time()) + int(p["open_period"])
    content: dict[str, Any] = {"poll": poll}
    if reply_to:
        content["reply_to_message"] = reply_to
    if markup:
        content["reply_markup"] = markup
    message = bot.add_message(chat, bot.user, content, from_bot=True)
    bot.polls[poll_id] = SentPoll(poll, chat.id, message["message_id"])
    return message


@handler("stopPoll")
async def stop_poll(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    record = bot.find_message(chat, p["message_id"])
    if record is None or "poll" not in record.data:
        raise bad_request("message with poll to stop not found")
    if not record.from_bot:
        raise bad_request("poll can't be stopped")
    poll = record.data["poll"]
    if poll["is_closed"]:
        raise bad_request("poll has already been closed")
    bot.check_writable(chat)
    poll["is_closed"] = True
    markup = inline_markup(p.get("reply_markup"))
    if markup:
        record.data["reply_markup"] = markup
    else:
        record.data.pop("reply_markup", None)
    if bot.poll_state_updates:
        bot.queue.push({"poll": poll})
    bot.changed.notify()
    return poll


# --- commands & chats -------------------------------------------------------------------------

_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def command_key(scope: Any, language_code: str | None) -> tuple[Any, ...]:
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    fields = _SCOPES[scope["type"]]
    if any(f not in scope for f in fields):
        raise bad_request("chat_id is empty" if "chat_id" not in scope else "user_id is empty")
    language = language_code or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return (scope["type"], *(scope[f] for f in fields), language)


def _commands_key(bot: BotState, p: dict[str, Any]) -> tuple[Any, ...]:
    """`command_key`, and a scope's chat must be one the bot knows, as Telegram's must."""
    key = command_key(p.get("scope"), p.get("language_code"))
    if isinstance(p.get("scope"), dict) and "chat_id" in p["scope"]:
        bot.resolve_chat(p["scope"]["chat_id"])
    return key


@handler("setMyCommands")
async def set_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    commands = p["commands"]
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("too many commands specified")
    clean = []
    for cmd in commands:
        name = cmd.get("command") if isinstance(cmd, dict) else None
        description = cmd.get("description") if isinstance(cmd, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": description})
    key = _commands_key(bot, p)
    if clean:
        bot.commands[key] = clean
    else:
        bot.commands.pop(key, None)
    return True


@handler("getMyCommands")
async def get_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    return bot.commands.get(_commands_key(bot, p), [])


@handler("deleteMyCommands")
async def delete_my_commands(bot: BotState, p: dict[str, Any]) -> Any:
    bot.commands.pop(_commands_key(bot, p), None)
    return True


@handler("getChat")
async def get_chat(bot: BotState, p: dict[str, Any]) -> Any:
    chat = bot.resolve_chat(p["chat_id"])
    gifts = chat.type == "private"
    info: dict[str, Any] = {
        **chat.as_chat(),
        "accent_color_id": chat.id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": gifts,
            "limited_gifts": gifts,
            "unique_gifts": gifts,
            "premium_subscription": gifts,
            "gifts_from_channels": gifts,
        },
    }
    return info


def encode_result(result: Any) -> bytes:
    """The success envelope; pre-encoded results are spliced in without re-encoding."""
    if isinstance(result, Raw):
        return b'{"ok":true,"result":' + bytes(result) + b"}"
    return json.dumps(
        {"ok": True, "result": result}, ensure_ascii=False, separators=(",", ":")
    ).encode()


__all__ = ["HANDLERS", "ApiError", "Raw", "encode_result", "inline_markup"]
