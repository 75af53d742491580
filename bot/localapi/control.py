"""Playing the citizens: what Telegram users do to a bot, and what tests read back.

Every public method of :class:`Control` is also served as ``POST /control/<method>`` with the
keyword arguments as a JSON object (plus an optional ``"token"`` to pick the bot), so a console
in another process can drive the same scenario.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from .errors import ControlError
from .faults import Fault
from .formatting import detect_entities
from .limits import Limiter, RateLimits
from .methods import command_key
from .state import BotState, CallbackRecord, ChatRecord, SentPoll, Stats

# Exposed over HTTP; everything else on Control stays in-process.
HTTP_ACTIONS = (
    "add_user",
    "add_group",
    "send_message",
    "send_command",
    "press_button",
    "answer_poll",
    "block",
    "unblock",
    "bot_messages",
    "history",
    "reply_keyboard",
    "callback_answer",
    "poll",
    "enqueue_raw",
    "pending_updates",
    "wait_confirmed",
    "wait_delivered",
    "wait_bot_messages",
    "inject_fault",
    "clear_faults",
    "faults",
    "stats",
    "reset_stats",
    "set_limits",
    "commands",
    "webhook_info",
    "me",
)


class Control:
    """Citizen actions and inspection for one bot. Call from the server's event loop."""

    def __init__(self, bot: BotState) -> None:
        self.bot = bot

    # --- people and chats ------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Register a citizen (and the private chat with the bot); updates an existing one."""
        if not isinstance(user_id, int) or user_id <= 0:
            raise ControlError("user_id must be a positive integer")
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"Citizen {user_id}",
        }
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        self.bot.users[user_id] = user
        chat = self.bot.chats.get(user_id)
        if chat is None:
            chat = self.bot.chats[user_id] = ChatRecord(user_id, "private")
        chat.first_name, chat.last_name, chat.username = user["first_name"], last_name, username
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        type: str = "supergroup",  # the Bot API field name
        username: str | None = None,
        members: list[int] | None = None,
    ) -> dict[str, Any]:
        if chat_id >= 0:
            raise ControlError("group chat ids are negative")
        if type not in ("group", "supergroup", "channel"):
            raise ControlError("type must be group, supergroup or channel")
        chat = self.bot.chats.get(chat_id) or ChatRecord(chat_id, type)
        chat.type, chat.title, chat.username = type, title, username
        chat.members.update(members or ())
        self.bot.chats[chat_id] = chat
        return chat.as_chat()

    def _user(self, user_id: int) -> dict[str, Any]:
        return self.bot.users.get(user_id) or self.add_user(user_id)

    def _chat(self, user_id: int, chat_id: int | None) -> ChatRecord:
        chat = self.bot.chats.get(user_id if chat_id is None else chat_id)
        if chat is None:
            raise ControlError(f"unknown chat {chat_id}; add_group first")
        if chat.type == "private" and chat.id != user_id:
            raise ControlError("a private chat belongs to one user only")
        if chat.blocked:
            raise ControlError(f"user {user_id} has blocked the bot; unblock first")
        return chat

    def _push(self, update: dict[str, Any]) -> dict[str, Any] | None:
        uid = self.bot.queue.push(update)
        return None if uid is None else {"update_id": uid, **update}

    # --- what citizens do ------------------------------------------------------------------

    def send_message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any] | None:
        """A citizen writes to the bot; returns the ``message`` update (None if filtered)."""
        user = self._user(user_id)
        chat = self._chat(user_id, chat_id)
        chat.members.add(user_id)
        content: dict[str, Any] = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        if reply_to_message_id is not None:
            target = self.bot.find_message(chat, reply_to_message_id)
            if target is None:
                raise ControlError(f"no message {reply_to_message_id} in chat {chat.id}")
            content["reply_to_message"] = {
                k: v for k, v in target.data.items() if k != "reply_to_message"
            }
        message = self.bot.add_message(chat, user, content, from_bot=False)
        return self._push({"message": message})

    def send_command(
        self, user_id: int, command: str, args: str = "", chat_id: int | None = None
    ) -> dict[str, Any] | None:
        """``/command args``; in groups the bot's username is appended like clients do."""
        command = command.lstrip("/")
        if chat_id is not None and chat_id < 0 and "@" not in command:
            command = f"{command}@{self.bot.user['username']}"
        text = f"/{command} {args}".rstrip()
        return self.send_message(user_id, text, chat_id=chat_id)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any] | None:
        """Press an inline button the bot sent, chosen by callback_data or by label."""
        user = self._user(user_id)
        chat = self._chat(user_id, chat_id)
        record = self.bot.find_message(chat, message_id)
        if record is None or not record.from_bot:
            raise ControlError(f"the bot sent no message {message_id} in chat {chat.id}")
        rows = (record.data.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row]
        match = [
            b
            for b in buttons
            if (data is None or b.get("callback_data") == data)
            and (text is None or b.get("text") == text)
        ]
        if data is None and text is None:
            raise ControlError("give the button's data or text")
        if not match or "callback_data" not in match[0]:
            labels = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise ControlError(f"no such callback button on message {message_id}: {labels}")
        query_id = self.bot.new_id()
        callback = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(record.data),
            "chat_instance": str(abs(hash((self.bot.id, chat.id)))),
            "data": match[0]["callback_data"],
        }
        self.bot.callbacks[query_id] = CallbackRecord(
            user_id, chat.id, message_id, match[0]["callback_data"]
        )
        return self._push({"callback_query": callback})

    def answer_poll(
        self,
        user_id: int,
        option_ids: list[int],
        message_id: int | None = None,
        poll_id: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any] | None:
        """Vote (or retract with ``[]``) in a poll the bot sent; returns the poll_answer update.

        Anonymous polls count the vote but, as on Telegram, produce no poll_answer (None).
        """
        user = self._user(user_id)
        record = self._find_poll(user_id, message_id, poll_id, chat_id)
        poll = record.poll
        if poll["is_closed"] or (poll.get("close_date") and poll["close_date"] <= time.time()):
            raise ControlError("the poll is closed")
        chosen = list(option_ids)
        n = len(poll["options"])
        if len(set(chosen)) != len(chosen) or any(not 0 <= i < n for i in chosen):
            raise ControlError(f"option_ids must be distinct and within 0..{n - 1}")
        if len(chosen) > 1 and not poll["allows_multiple_answers"]:
            raise ControlError("this poll allows a single answer")
        previous = record.votes.get(user_id)
        if previous and not poll["allows_revoting"]:
            raise ControlError("this poll does not allow changing the vote")
        if not chosen and not previous:
            raise ControlError("nothing to retract")
        for i in previous or ():
            poll["options"][i]["voter_count"] -= 1
        for i in chosen:
            poll["options"][i]["voter_count"] += 1
        if chosen:
            record.votes[user_id] = chosen
        else:
            record.votes.pop(user_id, None)
        poll["total_voter_count"] = len(record.votes)
        result = None
        if not poll["is_anonymous"]:
            result = self._push(
                {
                    "poll_answer": {
                        "poll_id": poll["id"],
                        "user": user,
                        "option_ids": chosen,
                        "option_persistent_ids": [
                            poll["options"][i]["persistent_id"] for i in chosen
                        ],
                    }
                }
            )
        if self.bot.poll_state_updates:
            self.bot.queue.push({"poll": copy.deepcopy(poll)})
        return result

    def _find_poll(
        self, user_id: int, message_id: int | None, poll_id: str | None, chat_id: int | None
    ) -> SentPoll:
        if poll_id is not None:
            record = self.bot.polls.get(str(poll_id))
        else:
            chat = self._chat(user_id, chat_id)
            msg = self.bot.find_message(chat, message_id)
            poll = msg.data.get("poll") if msg and msg.from_bot else None
            record = self.bot.polls.get(poll["id"]) if poll else None
        if record is None:
            raise ControlError("the bot sent no such poll")
        chat = self.bot.chats[record.chat_id]
        if chat.type == "private" and chat.id != user_id:
            raise ControlError(f"poll {record.poll['id']} was not sent to user {user_id}")
        if chat.blocked:
            raise ControlError(f"user {user_id} has blocked the bot; unblock first")
        return record

    def block(self, user_id: int, notify: bool = True) -> dict[str, Any] | None:
        """The citizen blocks the bot: sends now fail with 403; the bot gets my_chat_member."""
        return self._set_blocked(user_id, True, notify)

    def unblock(self, user_id: int, notify: bool = True) -> dict[str, Any] | None:
        return self._set_blocked(user_id, False, notify)

    def _set_blocked(self, user_id: int, blocked: bool, notify: bool) -> dict[str, Any] | None:
        user = self._user(user_id)
        chat = self.bot.chats[user_id]
        if chat.blocked == blocked:
            return None
        chat.blocked = blocked
        if not notify:
            return None
        member = {"status": "member", "user": self.bot.user}
        kicked = {"status": "kicked", "user": self.bot.user, "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        return self._push(
            {
                "my_chat_member": {
                    "chat": chat.as_chat(),
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    def enqueue_raw(self, update: dict[str, Any], assign_id: bool = True) -> int:
        """Queue any update dict as-is (malformed ones included); returns its update_id."""
        if not isinstance(update, dict):
            raise ControlError("update must be a JSON object")
        try:
            uid = self.bot.queue.push(update, filtered=False, assign_id=assign_id)
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        assert uid is not None
        self._register_raw_callback(update.get("callback_query"))
        return uid

    def _register_raw_callback(self, query: Any) -> None:
        """A callback query the bot received can be answered, even a forged one."""
        if not isinstance(query, dict) or not isinstance(query.get("id"), str):
            return
        if query["id"] in self.bot.callbacks:
            return

        def int_at(node: Any, *path: str) -> int:
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            return node if isinstance(node, int) else 0

        self.bot.callbacks[query["id"]] = CallbackRecord(
            int_at(query, "from", "id"),
            int_at(query, "message", "chat", "id"),
            int_at(query, "message", "message_id"),
            str(query.get("data", "")),
        )

    # --- reading back ----------------------------------------------------------------------

    def bot_messages(self, chat_id: int, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, current state (edits applied), oldest first."""
        chat = self.bot.chats.get(chat_id)
        if chat is None:
            return []
        return [
            r.data
            for r in chat.messages.values()
            if r.from_bot and (include_deleted or not r.deleted)
        ]

    def history(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message still visible in the chat, from citizens and from the bot."""
        chat = self.bot.chats.get(chat_id)
        return [] if chat is None else [r.data for r in chat.messages.values() if not r.deleted]

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        chat = self.bot.chats.get(chat_id)
        return None if chat is None else chat.reply_keyboard

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """What answerCallbackQuery said (text, show_alert...), None while unanswered."""
        record = self.bot.callbacks.get(callback_query_id)
        if record is None:
            raise ControlError("unknown callback query")
        return record.answer

    def poll(self, poll_id: str) -> dict[str, Any]:
        record = self.bot.polls.get(str(poll_id))
        if record is None:
            raise ControlError("unknown poll")
        return record.poll

    def pending_updates(self) -> list[dict[str, Any]]:
        return [json.loads(q.encoded) for q in self.bot.queue.pending]

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        return self.bot.commands.get(command_key(scope, language_code), [])

    def webhook_info(self) -> dict[str, Any]:
        return self.bot.webhook.info()

    def me(self) -> dict[str, Any]:
        return {**self.bot.user, "token": self.bot.token}

    # --- waiting ---------------------------------------------------------------------------

    async def wait_confirmed(self, update_id: int | None = None, timeout: float = 10.0) -> int:
        """Wait until updates up to ``update_id`` (default: the latest) are confirmed."""
        uid = self.bot.queue.next_id - 1 if update_id is None else update_id
        if not await self.bot.changed.wait_for(lambda: self.bot.queue.is_confirmed(uid), timeout):
            raise ControlError(f"update {uid} not confirmed within {timeout}s")
        return uid

    async def wait_delivered(self, update_id: int | None = None, timeout: float = 10.0) -> int:
        """Wait until the bot has received updates up to ``update_id`` at least once."""
        uid = self.bot.queue.next_id - 1 if update_id is None else update_id
        if not await self.bot.changed.wait_for(lambda: self.bot.queue.is_delivered(uid), timeout):
            raise ControlError(f"update {uid} not delivered within {timeout}s")
        return uid

    async def wait_bot_messages(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent ``count`` messages to the chat in total; returns them."""

        def sent() -> int:
            return self.bot.stats.sent_per_chat[chat_id]

        if not await self.bot.changed.wait_for(lambda: sent() >= count, timeout):
            raise ControlError(
                f"bot sent {sent()} of {count} messages to {chat_id} within {timeout}s"
            )
        return self.bot_messages(chat_id, include_deleted=True)

    # --- faults, limits, counters ----------------------------------------------------------

    def inject_fault(
        self,
        kind: str,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 1.0,
        execute: bool = False,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Arm a fault for the next ``count`` calls of ``method`` (any method if None) to
        ``chat_id`` (any chat if None).

        kinds: "429" (with retry_after), "500", "502", "hang" (answer after ``seconds``; the
        client times out first if its timeout is shorter), "drop" (close without answering),
        "reset" (TCP reset), "close" (a stale keep-alive connection: on a reused connection only,
        never executed); with ``execute=True`` the call takes effect before its answer is lost
        ("deliver_then_timeout" and "deliver_then_reset" are hang and reset so).
        """
        try:
            fault = self.bot.faults.arm(kind, method, count, retry_after, seconds, execute, chat_id)
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        return fault.as_dict()

    def clear_faults(self) -> bool:
        self.bot.faults.clear()
        return True

    def faults(self) -> list[dict[str, Any]]:
        return [f.as_dict() for f in self.bot.faults.faults]

    def stats(self) -> dict[str, Any]:
        data = self.bot.stats.as_dict()
        data["pending_updates"] = len(self.bot.queue.pending)
        data["webhook_delivered"] = self.bot.webhook.delivered
        data["webhook_failed_attempts"] = self.bot.webhook.failed_attempts
        return data

    def reset_stats(self) -> bool:
        self.bot.stats = Stats()
        return True

    def set_limits(self, **limits: Any) -> dict[str, Any]:
        """Replace the flood limits (fields of RateLimits); the windows restart empty."""
        try:
            config = RateLimits(**{**vars(self.bot.limiter.limits), **limits})
        except TypeError as exc:
            raise ControlError(str(exc)) from exc
        self.bot.limiter = Limiter(config, self.bot.limiter.clock)
        return vars(config)


__all__ = ["HTTP_ACTIONS", "Control", "ControlError", "Fault"]
