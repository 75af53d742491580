"""Stopping: the bot ends promptly when asked, whatever it is doing, and loses nothing committed.

In process, every loop of the bot must end when cancelled, even when it is woken at the same
moment (Python 3.11's `asyncio.wait_for` then swallowed the cancellation, and the bot never
stopped). As a process, `python -m bot` must exit cleanly within 10 s of SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sqlite3
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from botkit import SECRET, TOKEN, handled, publish_data, start_bot, wait
from conftest import free_port

from bot.inbox import Inbox
from bot.localapi import ControlClient
from bot.outbox import Outbox
from bot.outbox_key import OutboxKey, Purpose
from bot.sitedata import short
from bot.store import Store

BROADCASTS = OutboxKey.like(Purpose.BROADCAST)


def idle_loop(name: str, store: Store) -> tuple[asyncio.Event, object]:
    """One of the bot's wake-driven loops, with nothing to do: its wake event and coroutine."""
    lock = asyncio.Lock()
    if name == "inbox":
        inbox = Inbox(None, store, lock)  # type: ignore[arg-type]  # no update reaches it
        return inbox.wake, inbox.process()
    wake = asyncio.Event()
    return wake, Outbox(store, None, lock, wake).run()  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["inbox", "outbox"])
async def test_a_loop_woken_as_it_is_cancelled_still_stops(tmp_path, name):
    store = Store(tmp_path / "bot.sqlite3", SECRET.encode())
    wake, loop = idle_loop(name, store)
    task = asyncio.create_task(loop, name=name)
    while not wake._waiters:  # the event: the loop is waiting to be woken
        await asyncio.sleep(0)
    wake.set()  # something was queued...
    task.cancel()  # ...just as the bot is stopped
    done, _ = await asyncio.wait([task], timeout=5)
    assert done == {task} and task.cancelled(), f"the {name} loop ignored its cancellation"
    store.close()


# --- `python -m bot` as a process: SIGTERM or SIGINT in each state -------------------------------

BROADCAST = "The session moves to the library"
FOLLOWERS = range(1000, 1120)


def rows(tmp_path: Path, sql: str, *args: object) -> list[tuple]:
    """The bot's store, read only (none before the bot has made it)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{tmp_path / 'bot.sqlite3'}?mode=ro", uri=True)
        ) as db:
            return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []


def replies(ctl: ControlClient, user: int, text: str) -> list[dict]:
    return [m for m in ctl.bot_messages(chat_id=user) if text in m.get("text", "")]


def idle(ctl: ControlClient, url: str, tmp_path: Path, **_: object):
    """Webhook mode with nothing to do: no long poll, no message, no job running."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    bot = start_bot(
        url,
        tmp_path,
        CIVICLOOP_WEBHOOK_URL=hook,
        CIVICLOOP_WEBHOOK_SECRET="s3cret-token",
        CIVICLOOP_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )
    wait(lambda: ctl.webhook_info()["url"] == hook)
    return bot, lambda: None


def long_polling(ctl: ControlClient, url: str, tmp_path: Path, **_: object):
    """Back in a getUpdates long poll (30 s) after answering a citizen."""
    bot = start_bot(url, tmp_path)
    ctl.add_user(user_id=1, first_name="Ann")
    update = ctl.send_command(user_id=1, command="start")
    wait(lambda: replies(ctl, 1, "What I store"))
    wait(lambda: ctl.stats()["calls"].get("getUpdates", 0) >= 2)  # the poll after that update
    return bot, lambda: handled(tmp_path / "bot.sqlite3", update["update_id"])


def broadcasting(ctl: ControlClient, url: str, tmp_path: Path, **_: object):
    """In the middle of a broadcast to many followers (polls closed: they get nothing else)."""
    publish_data(tmp_path, poll_closes_in=timedelta(seconds=-30))
    store = Store(tmp_path / "bot.sqlite3", SECRET.encode())
    with store.transaction():
        for user in FOLLOWERS:
            store.ensure_user(user, user, "en")
            store.subscribe(user, "test", True)
    store.close()
    for user in (*FOLLOWERS, 900):
        ctl.add_user(user_id=user, first_name=f"U{user}")
    bot = start_bot(url, tmp_path, CIVICLOOP_ADMINS="900")
    ctl.send_command(user_id=900, command="broadcast")
    menu = wait(lambda: replies(ctl, 900, "Broadcast to which"))[0]
    ctl.press_button(user_id=900, message_id=menu["message_id"], data=f"bc:{short('test')}")
    wait(lambda: replies(ctl, 900, "Send me"))
    ctl.send_message(user_id=900, text=BROADCAST)
    # the preview: the text as followers will get it, with the buttons
    preview = wait(lambda: [m for m in replies(ctl, 900, BROADCAST) if m.get("reply_markup")])[0]
    ctl.press_button(user_id=900, message_id=preview["message_id"], data="bc-send")
    wait(lambda: len(received(ctl)) >= 20)

    def nothing_lost_nor_doubled() -> None:
        got = received(ctl)
        state = dict(
            rows(tmp_path, f"SELECT chat_id, state FROM outbox WHERE key LIKE '{BROADCASTS}'")
        )
        assert sorted(state) == list(FOLLOWERS)  # every follower's message is still queued
        assert {chat for chat, s in state.items() if s == "sent"} == set(got)
        assert set(state.values()) == {"sent", "pending"}  # stopped in the middle, none cut
        assert set(got.values()) == {1}
        again = start_bot(url, tmp_path, CIVICLOOP_ADMINS="900")  # the rest goes out
        try:
            wait(lambda: len(received(ctl)) == len(FOLLOWERS), timeout=60)
            wait(lambda: {s for (s,) in rows(tmp_path, "SELECT state FROM outbox")} == {"sent"})
        finally:
            again.send_signal(signal.SIGTERM)
            again.wait(10)
        assert set(received(ctl).values()) == {1}  # each follower exactly once

    return bot, nothing_lost_nor_doubled


def received(ctl: ControlClient) -> dict[int, int]:
    """Messages the local server recorded per follower (they are sent nothing but the
    broadcast)."""
    counts = ctl.stats()["sent_per_chat"]
    return {int(chat): n for chat, n in counts.items() if int(chat) in FOLLOWERS}


def server_hanging(ctl: ControlClient, url: str, tmp_path: Path, **_: object):
    """Waiting for the Bot API server, which holds the bot's reply without answering."""
    bot = start_bot(url, tmp_path)
    ctl.add_user(user_id=1, first_name="Ann")
    ctl.inject_fault(kind="hang", method="sendMessage", seconds=60)
    ctl.send_command(user_id=1, command="start")
    wait(lambda: ctl.stats()["faults_fired"] == 1)

    def reply_still_queued() -> None:  # never answered, so not "sent": still there to decide on
        (state,) = rows(tmp_path, "SELECT state FROM outbox WHERE chat_id = 1")
        assert state in {("sending",), ("pending",), ("uncertain",)}, state

    return bot, reply_still_queued


def publishing(ctl: ControlClient, url: str, tmp_path: Path, github: socket.socket):
    """Publishing a closed poll's results to a GitHub API that does not answer."""
    port = github.getsockname()[1]
    bot = start_bot(
        url,
        tmp_path,
        CIVICLOOP_REFRESH="0.2",
        CIVICLOOP_PUBLISHER="github",
        GITHUB_TOKEN="ghp_stop-test",
        GITHUB_REPOSITORY="civic/loop",
        GITHUB_API_URL=f"http://127.0.0.1:{port}",
    )
    wait(lambda: rows(tmp_path, "SELECT 1 FROM polls WHERE opened_at IS NOT NULL"))
    publish_data(tmp_path, poll_closes_in=timedelta(seconds=-1))  # the editors close the poll
    connection, _ = github.accept()  # the publisher calls GitHub...
    request = b""
    while b"\r\n\r\n" not in request:
        request += connection.recv(4096)
    assert b" /repos/civic/loop" in request.split(b"\r\n")[0]  # ...and waits for the answer

    def results_still_to_publish() -> None:  # the next start publishes them
        closed = rows(tmp_path, "SELECT closed_at, published_at FROM polls")
        assert closed and all(c is not None and p is None for c, p in closed), closed
        connection.close()

    return bot, results_still_to_publish


@pytest.fixture
def github():
    """A GitHub API that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)
        yield server


STATES = [idle, long_polling, broadcasting, server_hanging, publishing]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
@pytest.mark.parametrize("state", STATES, ids=lambda f: f.__name__)
def test_the_bot_stops_within_10_s_whatever_it_is_doing(local_api, tmp_path, github, state, signum):
    publish_data(tmp_path)
    ctl = ControlClient(local_api, TOKEN)
    bot, nothing_lost = state(ctl, local_api, tmp_path, github=github)
    try:
        asked = time.monotonic()
        bot.send_signal(signum)
        status = bot.wait(timeout=10)
        took = time.monotonic() - asked
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 10 s after {signum.name}: {(tmp_path / 'bot.log').read_text()}")
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    log = (tmp_path / "bot.log").read_text()
    assert status == 0, log
    assert f"{signum.name} received: stopping" in log and "civicloop bot stopped" in log, log
    assert "Traceback" not in log, log
    assert took < 10
    nothing_lost()
