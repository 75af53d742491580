"""Delivery is exact: each way a send can fail, through the real client against the local server.

A request that cannot have reached Telegram is sent again; one that may have (written, then no
answer) is sent again only where twice is better than never (a reply), never for a broadcast,
whose uncertain messages the editors see and may resend. The counts asserted are the messages
the server recorded per chat.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botkit import buttons
from conftest import free_port
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.localapi import LocalBotApi, RateLimits
from bot.outbox import message
from bot.outbox_key import OutboxKey, Purpose
from bot.sitedata import short
from bot.transport import may_have_arrived, request

BROADCASTS = OutboxKey.like(Purpose.BROADCAST)

TOKEN = "123456:TEST-delivery"
NO_POLLS = {"poll_closes_in": timedelta(seconds=-30)}  # closed already: only what the test sends

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


# --- the classification, fault by fault ---------------------------------------------------------

FAULTS = {
    # kind: (arrived?, messages the server recorded)
    "close": (False, 0),  # a pooled keep-alive connection the server had closed
    "500": (False, 0),
    "502": (False, 0),
    "drop": (False, 0),  # closed unanswered on a reused connection: looks stale, is retried
    "reset": (True, 0),  # written, then reset: Telegram may have it
    "deliver_then_reset": (True, 1),
    "hang": (True, 0),  # written, then no answer before the read time-out
    "deliver_then_timeout": (True, 1),
}


@pytest.fixture
async def api():
    async with LocalBotApi([TOKEN], limits=RateLimits(enabled=False)) as server:
        server.control().add_user(1)
        yield server


@pytest.mark.parametrize("kind", FAULTS, ids=FAULTS)
async def test_each_failure_is_classified_by_whether_it_could_have_arrived(api, kind):
    arrived, recorded = FAULTS[kind]
    async with Bot(TOKEN, base_url=api.base_url, request=request(4, read_timeout=0.5)) as bot:
        api.control().inject_fault(kind, method="sendMessage", seconds=5)
        with pytest.raises(NetworkError) as failure:
            await bot.send_message(1, "hello")
    assert may_have_arrived(failure.value) is arrived
    assert isinstance(failure.value, TimedOut) is (kind in ("hang", "deliver_then_timeout"))
    assert api.control().stats()["sent_per_chat"].get("1", 0) == recorded


async def test_a_refused_connection_never_arrived():
    dead = f"http://127.0.0.1:{free_port()}/bot"
    with pytest.raises(NetworkError) as failure:
        await Bot(TOKEN, base_url=dead, request=request(1)).initialize()
    assert may_have_arrived(failure.value) is False


async def test_a_dropped_fresh_connection_may_have_arrived(api):
    """Closed without an answer on a connection opened for this very request: the server had
    no idle connection to close, so it went away after reading the request."""
    api.control().inject_fault("drop", method="getMe")
    with pytest.raises(NetworkError) as failure:
        await Bot(TOKEN, base_url=api.base_url, request=request(1)).initialize()
    assert may_have_arrived(failure.value) is True


# --- replies: rather twice than never -----------------------------------------------------------

REPLY_FAULTS = {
    "close": 1,
    "hang": 1,
    "reset": 1,
    "deliver_then_timeout": 2,
    "deliver_then_reset": 2,
}


@pytest.mark.parametrize("kind", REPLY_FAULTS, ids=REPLY_FAULTS)
async def test_a_reply_arrives_at_least_once_whatever_the_fault(make_harness, kind):
    kit = await make_harness(data=NO_POLLS)
    # leaves an idle keep-alive connection in the bot's pool
    await kit.command(1, "start", "What I store")
    kit.ctl.inject_fault(kind, method="sendMessage", chat_id=1, seconds=7)
    kit.ctl.send_command(1, "help")

    def settled() -> list:
        unsent = kit.rows("SELECT 1 FROM outbox WHERE chat_id = 1")  # a sent reply is deleted
        return [] if unsent else [m for m in kit.messages(1) if "/committees" in m["text"]]

    copies = await kit.until(settled, timeout=40)
    assert kit.ctl.stats()["faults_fired"] == 1
    assert len(copies) == REPLY_FAULTS[kind]


# --- broadcasts: never twice; the doubtful ones shown to the editors ----------------------------

BROADCAST_FAULTS = {  # kind: (copies in chat 1 before the editor resends, state)
    "close": (1, "sent"),
    "500": (1, "sent"),
    "hang": (0, "uncertain"),
    "reset": (0, "uncertain"),
    "deliver_then_timeout": (1, "uncertain"),
    "deliver_then_reset": (1, "uncertain"),
}


async def subscribe(kit, user: int) -> None:
    """As in test_bot_citizens, without waiting for a poll (there is none open here)."""
    welcome = await kit.command(user, "start", "What I store")
    listing = await kit.press(user, welcome, "lang:en", "Committees you can follow")
    await kit.press_answered(user, listing, f"sub:{short('test')}", "You now follow")
    await kit.rows_become(
        [("test",)], "SELECT committee FROM subscriptions WHERE user_id = ?", user
    )


def news(kit, user: int) -> list[dict]:
    return [m for m in kit.messages(user) if m.get("text") == "News for everyone"]


@pytest.mark.parametrize("kind", BROADCAST_FAULTS, ids=BROADCAST_FAULTS)
async def test_a_broadcast_is_never_sent_twice_unless_an_editor_asks(make_harness, kind):
    copies, state = BROADCAST_FAULTS[kind]
    kit = await make_harness(data=NO_POLLS)
    for user in (1, 3):
        await subscribe(kit, user)
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    await kit.press(900, menu, f"bc:{short('test')}", containing="Send me")
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "News for everyone")
    preview = await kit.reply_to(900, before, containing="News for everyone")
    kit.ctl.inject_fault(kind, method="sendMessage", chat_id=1, seconds=7)
    await kit.press(900, preview, "bc-send", containing="Queued for 2")

    done = (
        f"SELECT key, state FROM outbox WHERE key LIKE '{BROADCASTS}' "
        "AND state IN ('sent', 'uncertain')"
    )
    rows = await kit.until(lambda: len(kit.rows(done)) == 2 and kit.rows(done), timeout=40)
    assert {str(OutboxKey.parse(r["key"]).user): r["state"] for r in rows} == {
        "1": state,
        "3": "sent",
    }
    assert kit.ctl.stats()["faults_fired"] == 1
    assert (len(news(kit, 1)), len(news(kit, 3))) == (copies, 1)

    menu = await kit.command(900, "broadcast", containing="Broadcast")
    if state == "sent":
        assert "may not have arrived" not in menu["text"]
        assert "bc-resend" not in buttons(menu)
        return
    assert menu["text"].startswith("1 messages of earlier broadcasts may not have arrived")
    kit.ctl.press_button(900, menu["message_id"], data="bc-resend")
    await kit.until(lambda: len(news(kit, 1)) == copies + 1)  # the editor chose to resend
    await kit.until(lambda: kit.rows("SELECT 1 FROM outbox WHERE state = 'sent' AND user_id = 1"))
    assert len(news(kit, 3)) == 1
    again = await kit.command(900, "broadcast", containing="Broadcast")
    assert "may not have arrived" not in again["text"]


# --- limits -------------------------------------------------------------------------------------


async def test_a_broadcast_keeps_every_sliding_window(make_harness):
    """The server refuses the 31st message in any second and a second one in a chat within a
    second: a sender that bursts (a token bucket starting full) draws 429s here."""
    kit = await make_harness(data=NO_POLLS)
    chats = range(10_000, 10_090)
    for chat in chats:
        kit.ctl.add_user(chat)
    kit.ctl.reset_stats()
    with kit.db() as db:
        for chat in chats:
            for n in range(2):  # two each: the per-chat window matters too
                db.execute(
                    "INSERT INTO outbox (key, chat_id, payload, not_before, created_at, priority)"
                    " VALUES (?, ?, ?, '', '', ?)",
                    (
                        str(key := OutboxKey.broadcast(f"x{n}", chat)),
                        chat,
                        json.dumps(message(f"news {n}")),
                        key.priority,
                    ),
                )
    kit.ctl.send_command(1, "help")  # wakes the sender
    sent = f"SELECT count(*) FROM outbox WHERE key LIKE '{BROADCASTS}' AND state = 'sent'"
    await kit.until(lambda: kit.rows(sent)[0][0] == 180, timeout=60)
    stats = kit.ctl.stats()
    assert stats["responses_429"] == 0
    assert all(stats["sent_per_chat"][str(chat)] == 2 for chat in chats)
