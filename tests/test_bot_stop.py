"""Stopping: the bot ends promptly when asked, whatever it is doing, and loses nothing committed.

In process, every loop of the bot must end when cancelled, even when it is woken at the same
moment (Python 3.11's `asyncio.wait_for` then swallowed the cancellation, and the bot never
stopped). As a process, `python -m bot` must exit cleanly within 10 s of SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.inbox import Inbox
from bot.outbox import Outbox
from bot.store import Store

SECRET = b"a-test-secret-of-at-least-32-bytes!"


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
    store = Store(tmp_path / "bot.sqlite3", SECRET)
    wake, loop = idle_loop(name, store)
    task = asyncio.create_task(loop, name=name)
    while not wake._waiters:  # the event: the loop is waiting to be woken
        await asyncio.sleep(0)
    wake.set()  # something was queued...
    task.cancel()  # ...just as the bot is stopped
    done, _ = await asyncio.wait([task], timeout=5)
    assert done == {task} and task.cancelled(), f"the {name} loop ignored its cancellation"
    store.close()
