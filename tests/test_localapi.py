"""The local Telegram Bot API, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import free_port
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputPollOption, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.localapi import (
    ControlClient,
    ControlError,
    LocalBotApi,
    RateLimits,
    ThreadedLocalBotApi,
)
from bot.localapi.httpwire import HttpServer, Request, Response
from bot.localapi.limits import Limiter
from bot.localapi.methods import HANDLERS
from bot.localapi.params import SPEC_PARAMS

TOKEN = "123456:TEST-localapi"
SPEC_PATH = Path(os.environ.get("TELEGRAM_BOT_API_SPEC", "/work/shared/telegram-bot-api/api.json"))
ROOT = Path(__file__).resolve().parents[1]
NO_LIMITS = RateLimits(enabled=False)

# RetryAfter.retry_after warns about its future timedelta type whenever PTB builds the error.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@pytest.fixture
async def api():
    async with LocalBotApi([TOKEN], limits=NO_LIMITS, webhook_retry_delay=0.02) as server:
        yield server


@pytest.fixture
async def bot(api: LocalBotApi):
    async with Bot(TOKEN, base_url=api.base_url) as client:
        yield client


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


# --- basics -----------------------------------------------------------------------------------


async def test_get_me(api: LocalBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "local123456_bot"
    assert api.control().stats()["calls"]["getMe"] >= 1


async def test_unknown_token_and_method_use_telegram_envelopes(api: LocalBotApi) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{api.url}/bot999:nope/getMe")
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        r = await http.post(f"{api.url}/bot{TOKEN}/sendSticker")
        assert r.status_code == 404
        assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        r = await http.get(f"{api.url}/bot{TOKEN}/GETME")  # case-insensitive, GET works
        assert r.json()["result"]["id"] == 123456
    with pytest.raises(InvalidToken):
        async with Bot("999:nope", base_url=api.base_url) as other:
            await other.get_me()


async def test_json_form_and_multipart_bodies(api: LocalBotApi) -> None:
    api.control().add_user(7)
    url = f"{api.url}/bot{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as http:
        r1 = await http.post(url, json={"chat_id": 7, "text": "json", "reply_markup": markup})
        r2 = await http.post(
            url, data={"chat_id": "7", "text": "form", "reply_markup": json.dumps(markup)}
        )
        r3 = await http.post(url, files={"chat_id": (None, "7"), "text": (None, "multi")})
        r4 = await http.get(url, params={"chat_id": 7, "text": "query"})
    for r in (r1, r2, r3, r4):
        assert r.status_code == 200, r.text
    assert r1.json()["result"]["reply_markup"] == markup == r2.json()["result"]["reply_markup"]
    texts = [m["text"] for m in api.control().bot_messages(7)]
    assert texts == ["json", "form", "multi", "query"]


async def test_keep_alive_and_pipelining(api: LocalBotApi) -> None:
    reader, writer = await asyncio.open_connection(api.host, api.port)
    req = f"GET /bot{TOKEN}/getMe HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    writer.write(req * 3)
    await writer.drain()
    for _ in range(3):
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert json.loads(await reader.readexactly(length))["ok"] is True
    writer.close()


# --- messages, keyboards, callbacks -----------------------------------------------------------


async def test_send_message_keyboard_and_callback_round_trip(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    ctl.add_user(42, "Ann", username="ann_citizen")
    start = ctl.send_command(42, "start")
    assert start["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    (update,) = await bot.get_updates()
    assert update.message.text == "/start" and update.message.from_user.first_name == "Ann"

    sent = await bot.send_message(42, "Vote?", reply_markup=keyboard(("Yes", "y"), ("No", "n")))
    assert sent.chat.id == 42 and sent.from_user.is_bot
    with pytest.raises(ControlError):
        ctl.press_button(42, sent.message_id, data="maybe")
    press = ctl.press_button(42, sent.message_id, text="No")
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert [u.update_id for u in updates] == [press["update_id"]]
    query = updates[0].callback_query
    assert query.data == "n" and query.message.message_id == sent.message_id
    assert await query.answer("Thanks!")
    assert ctl.callback_answer(query.id) == {"text": "Thanks!"}
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("again")

    edited = await bot.edit_message_text("Voted: No", chat_id=42, message_id=sent.message_id)
    assert edited.edit_date is not None and edited.reply_markup is None  # Telegram drops it
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Voted: No", chat_id=42, message_id=sent.message_id)
    await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=keyboard(("Undo", "u")))
    (current,) = ctl.bot_messages(42)
    assert current["text"] == "Voted: No"
    assert current["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "u"
    assert await bot.delete_message(42, sent.message_id)
    assert ctl.bot_messages(42) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(42, sent.message_id)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "nobody")


async def test_parse_modes_entities_in_utf16(api: LocalBotApi, bot: Bot) -> None:
    api.control().add_user(5)
    msg = await bot.send_message(
        5, "🏛 <b>Agenda</b> &amp; <a href='https://x.org'>link</a>", parse_mode="HTML"
    )
    assert msg.text == "🏛 Agenda & link"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [
        ("bold", 3, 6),
        ("text_link", 12, 4),
    ]
    msg = await bot.send_message(
        5, r"*Hi* _there_ \. [docs](https://x.org/a\)b)", parse_mode="MarkdownV2"
    )
    assert msg.text == "Hi there . docs"
    assert msg.entities[-1].url == "https://x.org/a)b"
    with pytest.raises(BadRequest, match="Can't parse entities: character '.' is reserved"):
        await bot.send_message(5, "Meeting at 18.00", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(5, "<b>open", parse_mode="HTML")


async def test_message_over_4096_chars_is_rejected(api: LocalBotApi, bot: Bot) -> None:
    api.control().add_user(9)
    assert (await bot.send_message(9, "x" * 4096)).text == "x" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(9, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(9, "   ")
    assert api.control().stats()["sent_per_chat"] == {"9": 1}


# --- getUpdates -------------------------------------------------------------------------------


async def test_offset_confirmation_semantics(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    ids = [ctl.send_message(1, f"m{i}")["update_id"] for i in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    assert [u.update_id for u in await bot.get_updates()] == ids  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=3)] == ids[2:]  # drops 1 and 2
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [5]  # forgets 3 and 4
    assert [u.update_id for u in await bot.get_updates()] == [5]
    with pytest.raises(ControlError):
        await ctl.wait_confirmed(5, timeout=0.05)
    await bot.get_updates(offset=6)
    assert await ctl.wait_confirmed(timeout=1) == 5
    assert ctl.pending_updates() == []


async def test_allowed_updates_filter(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    await bot.get_updates(allowed_updates=["callback_query"])
    assert ctl.send_message(1, "ignored") is None
    await bot.get_updates(allowed_updates=[])  # back to Telegram's default set
    assert ctl.send_message(1, "seen")["update_id"] == 1


async def test_long_poll_timeout_returns_empty_list(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 5


async def test_long_poll_wakes_on_new_update(api: LocalBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    api.control().send_message(3, "hello")
    (update,) = await poll
    assert update.message.text == "hello" and time.monotonic() - started < 2


async def test_second_poller_terminates_the_first_with_409(api: LocalBotApi, bot: Bot) -> None:
    async with Bot(TOKEN, base_url=api.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=20))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_ptb_application_answers_a_citizen(api: LocalBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            f"Welcome, {update.effective_user.first_name}!", do_quote=True
        )

    app = Application.builder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    ctl = api.control()
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        ctl.add_user(77, "Bea")
        ctl.send_command(77, "start")
        (reply,) = await ctl.wait_bot_messages(77, count=1, timeout=10)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "Welcome, Bea!"
    assert reply["reply_to_message"]["text"] == "/start"


# --- webhooks ---------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_retries_and_409(api: LocalBotApi, bot: Bot) -> None:
    received: list[Request] = []

    async def receiver(request: Request) -> Response:
        received.append(request)
        status = 500 if len(received) == 1 else 200  # first attempt fails: Telegram retries
        return Response(status, b"{}")

    hook = HttpServer(receiver)
    await hook.start("127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{hook.port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cr3t", allowed_updates=["message"])
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        ctl = api.control()
        uid = ctl.send_message(11, "via webhook")["update_id"]
        await ctl.wait_confirmed(uid, timeout=5)
        assert len(received) == 2
        assert all(r.header("x-telegram-bot-api-secret-token") == "s3cr3t" for r in received)
        assert json.loads(received[-1].body)["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()
        with pytest.raises(BadRequest, match="secret token"):
            await bot.set_webhook(url, secret_token="not allowed!")
    finally:
        await hook.stop()


async def test_webhook_errors_are_reported_and_pending_updates_dropped(
    api: LocalBotApi, bot: Bot
) -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    assert await bot.set_webhook(url)
    api.control().send_message(1, "undeliverable")
    for _ in range(100):
        info = await bot.get_webhook_info()
        if info.last_error_message:
            break
        await asyncio.sleep(0.02)
    assert info.last_error_message == "Connection refused" and info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert await bot.get_updates() == ()


async def test_ptb_webhook_server_receives_updates(api: LocalBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"got /{update.effective_message.text[1:]}")

    port = free_port()
    app = Application.builder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("help", echo))
    ctl = api.control()
    async with app:
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="Secret-123",
        )
        await app.start()
        ctl.send_command(5, "help")
        (reply,) = await ctl.wait_bot_messages(5, timeout=10)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "got /help"
    assert ctl.webhook_info()["url"] == f"http://127.0.0.1:{port}/hook"


async def test_raw_updates_reach_the_bot_unchanged(api: LocalBotApi) -> None:
    ctl = api.control()
    first = ctl.enqueue_raw({"message": {"text": "no chat, no date"}})
    second = ctl.enqueue_raw({"update_id": 50, "unknown_kind": {"x": 1}}, assign_id=False)
    assert (first, second) == (1, 50)
    with pytest.raises(ControlError):
        ctl.enqueue_raw({"update_id": 10, "message": {}}, assign_id=False)  # ids only grow
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{api.url}/bot{TOKEN}/getUpdates", data={"offset": 0})
    assert r.json()["result"] == [
        {"update_id": 1, "message": {"text": "no chat, no date"}},
        {"update_id": 50, "unknown_kind": {"x": 1}},
    ]
    assert ctl.send_message(1, "next")["update_id"] == 51
    forged = {"id": "forged-1", "from": {"id": 1, "is_bot": False, "first_name": "A"}}
    ctl.enqueue_raw({"callback_query": {**forged, "chat_instance": "x", "data": "nope"}})
    assert ctl.callback_answer("forged-1") is None  # the bot received it, so it may answer
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        assert await bot.answer_callback_query("forged-1", text="No longer valid")
    assert ctl.callback_answer("forged-1") == {"text": "No longer valid"}


# --- polls ------------------------------------------------------------------------------------


async def test_poll_answers_and_stop_poll(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    for user in (1, 2, 3):
        ctl.add_user(user)
    options = [InputPollOption("Park"), InputPollOption("Library"), InputPollOption("Bus")]
    msgs = [
        await bot.send_poll(
            u, "What first?", options, is_anonymous=False, allows_multiple_answers=True
        )
        for u in (1, 2, 3)
    ]
    assert msgs[0].poll.options[1].text == "Library" and not msgs[0].poll.is_anonymous
    a1 = ctl.answer_poll(1, [0, 2], message_id=msgs[0].message_id)
    ctl.answer_poll(2, [1], poll_id=msgs[1].poll.id)
    ctl.answer_poll(2, [], poll_id=msgs[1].poll.id)  # retracted
    with pytest.raises(ControlError):
        ctl.answer_poll(3, [0], poll_id=msgs[0].poll.id)  # not sent to user 3
    with pytest.raises(ControlError):
        ctl.answer_poll(3, [9], message_id=msgs[2].message_id)
    answers = [u.poll_answer for u in await bot.get_updates()]
    assert answers[0].poll_id == msgs[0].poll.id and answers[0].option_ids == (0, 2)
    assert answers[0].user.id == 1 and a1["poll_answer"]["option_ids"] == [0, 2]
    assert [a.option_ids for a in answers[1:]] == [(1,), ()]

    stopped = await bot.stop_poll(1, msgs[0].message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    assert [o.voter_count for o in stopped.options] == [1, 0, 1]
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(1, msgs[0].message_id)
    with pytest.raises(ControlError, match="closed"):
        ctl.answer_poll(1, [1], message_id=msgs[0].message_id)

    anonymous = await bot.send_poll(1, "Anonymous?", ["yes", "no"])  # plain strings work too
    assert ctl.answer_poll(1, [0], message_id=anonymous.message_id) is None  # no poll_answer
    assert ctl.poll(anonymous.poll.id)["options"][0]["voter_count"] == 1
    with pytest.raises(BadRequest, match="at least 2 option"):
        await bot.send_poll(1, "One?", ["only"])


# --- limits and blocking ----------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand: a stalled machine cannot empty a window by accident."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(api: LocalBotApi, **limits: Any) -> Clock:
    clock = Clock()
    api.bot().limiter = Limiter(RateLimits(**limits), clock)
    return clock


@pytest.mark.parametrize("rate", [40.0, 60.0, 200.0])
def test_global_limit_holds_in_every_one_second_window(rate: float) -> None:
    """Offered faster than 30/s from the first instant, at most 30 are accepted in any window
    (a token bucket that starts full lets about 60 through in the first second)."""
    clock = Clock()
    limiter = Limiter(RateLimits(private_per_second=0), clock)
    start, accepted = clock.now, []
    for n in range(int(rate * 4)):
        clock.now = start + n / rate
        if limiter.acquire(n, "private") is None:
            accepted.append(clock.now)
    worst = max(sum(1 for t in accepted if s <= t < s + 1.0) for s in accepted)
    assert worst == 30
    assert len(accepted) == 4 * 30  # and the whole allowance is used: 30 in each second


def test_windows_refuse_with_retry_after_and_count_refusals_nowhere() -> None:
    clock = Clock()
    limiter = Limiter(RateLimits(global_per_second=3), clock)
    start = clock.now
    for n in (1, 2, 3):
        clock.now = start + (n - 1) * 0.2
        assert limiter.acquire(n, "private") is None
    clock.now = start + 0.999
    assert limiter.acquire(4, "private") == 1  # still inside the window of the first
    clock.now = start + 1.0
    assert limiter.acquire(4, "private") is None  # the first left the window exactly now
    for n in (5, 6, 7):
        assert limiter.acquire(n, "private") == 1
    clock.now = start + 1.1
    assert limiter.acquire(5, "private") == 1  # and the refusals took no room
    clock.now = start + 1.2
    assert limiter.acquire(5, "private") is None
    assert limiter.acquire(6, "private") == 1


def test_per_chat_and_group_windows() -> None:
    clock = Clock()
    limiter = Limiter(RateLimits(), clock)
    assert limiter.acquire(1, "private") is None
    clock.now += 0.5
    assert limiter.acquire(1, "private") == 1  # one per second in a chat: no burst
    assert limiter.acquire(2, "private") is None  # another chat is not affected
    clock.now += 0.5
    assert limiter.acquire(1, "private") is None
    start = clock.now
    for n in range(20):  # one a second is fine in a group, up to 20 in any minute
        clock.now = start + n
        assert limiter.acquire(-100, "supergroup") is None
    clock.now = start + 20
    assert limiter.acquire(-100, "supergroup") == 40  # the first of the 20 leaves at +60
    clock.now = start + 60
    assert limiter.acquire(-100, "supergroup") is None


async def test_limits_answer_429_with_retry_after_like_telegram(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    clock = limited(api, global_per_second=3, group_per_minute=2)
    for user in range(1, 6):
        ctl.add_user(user)
    ctl.add_group(-100123, "Committee")
    await bot.send_message(1, "a")
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(1, "b")  # the same chat within a second
    assert seconds(excinfo.value.retry_after) == 1
    await bot.send_message(2, "other chats are not affected")
    await bot.send_poll(3, "Polls count too?", ["yes", "no"])
    with pytest.raises(RetryAfter):
        await bot.send_message(4, "a fourth message in one second overall")
    clock.now += 1
    await bot.send_message(-100123, "one")
    clock.now += 1
    await bot.send_message(-100123, "two")
    clock.now += 1
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(-100123, "three")  # 2 per minute in this group
    assert seconds(excinfo.value.retry_after) == 58
    stats = ctl.stats()
    assert stats["sent_per_chat"] == {"1": 1, "2": 1, "3": 1, "-100123": 2}
    assert stats["rate_limited"] == stats["responses_429"] == 3


async def test_blocked_user_gets_403_and_bot_gets_my_chat_member(
    api: LocalBotApi, bot: Bot
) -> None:
    ctl = api.control()
    ctl.add_user(8)
    ctl.block(8)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(8, "hello?")
    (update,) = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(ControlError):
        ctl.send_message(8, "I blocked you")
    ctl.unblock(8)
    assert (await bot.send_message(8, "welcome back")).text == "welcome back"
    assert ctl.stats()["forbidden"] == 1


# --- injected faults --------------------------------------------------------------------------


async def test_injected_faults_as_the_client_sees_them(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    ctl.add_user(1)
    ctl.inject_fault("429", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(1, "x")
    assert seconds(excinfo.value.retry_after) == 7
    ctl.inject_fault("500", method="sendmessage")
    with pytest.raises(NetworkError, match="Internal Server Error") as err500:
        await bot.send_message(1, "x")
    assert not isinstance(err500.value, TimedOut)
    ctl.inject_fault("502", count=2)  # any method
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()
    ctl.inject_fault("drop", method="getMe")
    with pytest.raises(NetworkError) as dropped:
        await bot.get_me()
    assert not isinstance(dropped.value, TimedOut)
    ctl.inject_fault("hang", method="sendMessage", seconds=5)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "lost", read_timeout=0.3)
    await asyncio.sleep(0.1)
    assert ctl.bot_messages(1) == []  # the client gave up before the call took effect
    assert (await bot.get_me()).id == 123456  # faults are used up
    assert ctl.stats()["faults_fired"] == 6 and ctl.faults() == []


async def test_lost_answer_after_execution_duplicates_the_send(api: LocalBotApi, bot: Bot) -> None:
    ctl = api.control()
    ctl.add_user(1)
    ctl.inject_fault("hang", method="sendMessage", seconds=5, execute=True)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "hello", read_timeout=0.3)
    ctl.inject_fault("drop", method="sendMessage", execute=True)
    with pytest.raises(NetworkError):
        await bot.send_message(1, "hello")
    assert [m["text"] for m in ctl.bot_messages(1)] == ["hello", "hello"]
    assert ctl.stats()["sent_per_chat"] == {"1": 2}  # what 'nobody messaged twice' catches


# --- commands and chats -----------------------------------------------------------------------


async def test_commands_and_get_chat(api: LocalBotApi, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Help")])
    assert await bot.set_my_commands(
        [BotCommand("start", "Anfangen")], scope=scope, language_code="de"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(scope=scope, language_code="de")] == [
        "Anfangen"
    ]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    api.control().add_user(4, "Cleo", username="cleo_c")
    chat = await bot.get_chat("@cleo_c")
    assert chat.id == 4 and chat.first_name == "Cleo" and chat.type == "private"


# --- conformance with the official spec -------------------------------------------------------


def _spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.skip("api.json not available")
    return json.loads(SPEC_PATH.read_text())


def _kind(types: list[str]) -> str:
    table = {
        ("Integer",): "int",
        ("String",): "str",
        ("Boolean",): "bool",
        ("Integer", "String"): "int|str",
        ("InputFile",): "file",
    }
    return table.get(tuple(types), "json")


def _conforms(spec: dict[str, Any], value: Any, type_name: str, path: str) -> list[str]:
    """Problems found checking ``value`` against a spec type such as "Array of PollOption"."""
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected array"]
        return [
            p
            for i, v in enumerate(value)
            for p in _conforms(spec, v, type_name[9:], f"{path}[{i}]")
        ]
    primitive = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }
    if type_name in primitive:
        return [] if primitive[type_name](value) else [f"{path}: expected {type_name}"]
    definition = spec["types"][type_name]
    if "subtypes" in definition:
        attempts = [_conforms(spec, value, sub, path) for sub in definition["subtypes"]]
        return (
            [] if any(not a for a in attempts) else [f"{path}: matches no subtype of {type_name}"]
        )
    if not isinstance(value, dict):
        return [f"{path}: expected {type_name} object"]
    fields = {f["name"]: f for f in definition.get("fields", [])}
    problems = [f"{path}.{k}: not a field of {type_name}" for k in value if k not in fields]
    problems += [
        f"{path}.{name}: required by {type_name}"
        for name, f in fields.items()
        if f["required"] and name not in value
    ]
    for key, item in value.items():
        if key in fields:
            options = [_conforms(spec, item, t, f"{path}.{key}") for t in fields[key]["types"]]
            if all(options):
                problems += min(options, key=len)
    return problems


def test_implemented_methods_and_parameters_match_the_spec() -> None:
    spec = _spec()
    assert set(HANDLERS) == set(SPEC_PARAMS)
    for method, params in SPEC_PARAMS.items():
        assert method in spec["methods"], method
        official = {f["name"]: f for f in spec["methods"][method].get("fields", [])}
        assert [p.name for p in params] == list(official), method
        for p in params:
            assert p.required == official[p.name]["required"], (method, p.name)
            assert p.kind == _kind(official[p.name]["types"]), (method, p.name)


async def test_unknown_parameters_are_rejected_with_400(api: LocalBotApi) -> None:
    api.control().add_user(1)
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{api.url}/bot{TOKEN}/sendMessage", data={"chat_id": 1, "text": "x", "colour": "red"}
        )
        r2 = await http.post(
            f"{api.url}/bot{TOKEN}/getUpdates", json={"timeout": 0, "offset_id": 1}
        )
    for resp in (r, r2):
        assert resp.status_code == 400
        body = resp.json()
        assert body["ok"] is False and body["error_code"] == 400
        assert body["description"].startswith("Bad Request: unknown parameter")


async def test_returned_objects_conform_to_the_spec(api: LocalBotApi) -> None:
    spec = _spec()
    ctl = api.control()
    ctl.add_user(1, "Ann", "Lee", "ann_lee", "en")
    ctl.add_group(-1001, "Committee", members=[1])
    results: list[tuple[str, Any]] = []
    async with httpx.AsyncClient(base_url=f"{api.url}/bot{TOKEN}/") as http:

        async def call(method: str, **params: Any) -> Any:
            r = await http.post(method, json=params)
            assert r.status_code == 200, r.text
            results.append((method, r.json()["result"]))
            return r.json()["result"]

        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        await call("getMe")
        await call("setMyCommands", commands=[{"command": "start", "description": "Begin"}])
        await call("getMyCommands")
        ctl.send_command(1, "start")
        ctl.send_command(1, "help", chat_id=-1001)
        sent = await call(
            "sendMessage",
            chat_id=1,
            text="*Hi* there /help",
            parse_mode="Markdown",
            reply_markup=markup,
        )
        await call(
            "sendMessage", chat_id=-1001, text="Hello group", reply_parameters={"message_id": 1}
        )
        ctl.press_button(1, sent["message_id"], data="go")
        ctl.send_message(1, "reply", reply_to_message_id=sent["message_id"])
        await call("editMessageText", chat_id=1, message_id=sent["message_id"], text="Edited")
        await call(
            "editMessageReplyMarkup", chat_id=1, message_id=sent["message_id"], reply_markup=markup
        )
        poll = await call(
            "sendPoll",
            chat_id=1,
            question="Q?",
            options=[{"text": "A"}, {"text": "B"}],
            is_anonymous=False,
        )
        quiz = await call(
            "sendPoll",
            chat_id=1,
            question="Quiz",
            options=["A", "B"],
            type="quiz",
            correct_option_ids=[1],
        )
        ctl.answer_poll(1, [1], message_id=poll["message_id"])
        ctl.block(1)
        ctl.unblock(1)
        await call("stopPoll", chat_id=1, message_id=quiz["message_id"])
        await call("getChat", chat_id=1)
        await call("getChat", chat_id=-1001)
        await call("getWebhookInfo")
        await call("getUpdates", allowed_updates=[])
        await call("sendChatAction", chat_id=1, action="typing")
        await call("deleteMessage", chat_id=1, message_id=sent["message_id"])
    problems: list[str] = []
    for method, result in results:
        returns = spec["methods"][method]["returns"]
        options = [_conforms(spec, result, t, method) for t in returns]
        if all(options):
            problems += min(options, key=len)
    updates = next(r for m, r in results if m == "getUpdates")
    assert {next(k for k in u if k != "update_id") for u in updates} == {
        "message",
        "callback_query",
        "poll_answer",
        "my_chat_member",
    }
    assert problems == []


# --- other ways to run it ---------------------------------------------------------------------


async def test_threaded_server_and_http_control_client() -> None:
    with ThreadedLocalBotApi([TOKEN, "555:OTHER"], limits=NO_LIMITS) as api:
        remote = ControlClient(api.url)
        other = ControlClient(api.url, token="555:OTHER")
        assert [b["id"] for b in remote.bots()] == [123456, 555]
        remote.add_user(user_id=3, first_name="Dan")
        upd = remote.send_command(user_id=3, command="start")
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            (update,) = await bot.get_updates()
            assert update.update_id == upd["update_id"]
            msg = await bot.send_message(3, "Pick", reply_markup=keyboard(("A", "a")))
            remote.press_button(user_id=3, message_id=msg.message_id, data="a")
            assert remote.bot_messages(chat_id=3)[0]["text"] == "Pick"
            remote.inject_fault(kind="500", method="getMe")
            with pytest.raises(NetworkError):
                await bot.get_me()
            poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
            await asyncio.to_thread(remote.wait_delivered, timeout=5)
            assert (await poll)[0].callback_query.data == "a"
        with pytest.raises(ControlError, match="no such callback button"):
            remote.press_button(user_id=3, message_id=msg.message_id, data="zzz")
        assert other.stats()["messages_sent"] == 0
        with pytest.raises(ControlError, match="unknown control action"):
            remote.call("explode")
        with pytest.raises(ControlError, match="send_message: "):
            remote.send_message(user_id=3, txt="typo")
        assert api.control().stats()["messages_sent"] == 1  # in-process blocking proxy


async def test_command_line_entry_point() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.localapi",
            "--port",
            str(port),
            "--token",
            "1:A",
            "--token",
            "2:B=demo_bot",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 20)
        assert f"http://127.0.0.1:{port}" in line
        async with Bot("2:B", base_url=f"http://127.0.0.1:{port}/bot") as bot:
            assert (await bot.get_me()).username == "demo_bot"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


async def test_throughput_of_poll_answers(api: LocalBotApi, bot: Bot) -> None:
    """A smoke benchmark: thousands of poll answers through real long polling."""
    ctl = api.control()
    users = range(1, 201)
    for user in users:
        ctl.add_user(user)
    polls = {u: await bot.send_poll(u, "Q", ["a", "b"], is_anonymous=False) for u in users}
    total, seen, offset = 2000, 0, 0
    started = time.monotonic()

    async def citizens() -> None:
        for i in range(total):
            user = users[i % len(users)]
            ctl.answer_poll(user, [i % 2], message_id=polls[user].message_id)
            if i % 100 == 99:
                await asyncio.sleep(0)

    producer = asyncio.create_task(citizens())
    while seen < total:
        updates = await bot.get_updates(offset=offset, timeout=5)
        seen += len(updates)
        offset = updates[-1].update_id + 1
    await producer
    rate = total / (time.monotonic() - started)
    print(f"{rate:.0f} poll answers/s")
    assert rate > 300, f"{rate:.0f} poll answers/s"
