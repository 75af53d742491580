"""Running the real bot against the local Bot API server, with open data made for the test."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conftest import COMMITTEE, write

from bot.app import run
from bot.localapi import SyncControl, ThreadedLocalBotApi
from bot.settings import Settings
from civicloop.opendata import data_files
from civicloop.publication import Publication

COMMITTEE_ID = "test"
SESSION_ID = "test/01-first"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def session_text(
    now: datetime, starts_in: timedelta, poll_closes_in: timedelta, place: str = "Town hall"
) -> str:
    starts = now + starts_in
    return f"""\
---
type: session
title: First session
number: 1
starts: {iso(starts)}
ends: {iso(starts + timedelta(hours=2))}
status: scheduled
place: {place}
agenda:
  - title: Welcome
    duration: 15
  - title: Hearing of experts
polls:
  - id: test-poll
    question: Which day suits you?
    kind: single
    options: [Monday, Tuesday, Wednesday]
    opens: {iso(now - timedelta(minutes=1))}
    closes: {iso(now + poll_closes_in)}
  - id: test-rating
    question: How clear was the briefing?
    kind: rating
    opens: {iso(now - timedelta(minutes=1))}
    closes: {iso(now + poll_closes_in)}
---
Body.
"""


def publish_data(
    root: Path,
    starts_in: timedelta = timedelta(days=3),
    poll_closes_in: timedelta = timedelta(hours=1),
    place: str = "Town hall",
) -> Path:
    """Write content and build its open data into `root/data`, as a site build would."""
    now = datetime.now(UTC)
    content = root / "content"
    write(content, "committees/test/index.md", COMMITTEE)
    write(
        content,
        "committees/test/sessions/01-first.md",
        session_text(now, starts_in, poll_closes_in, place),
    )
    publication = Publication.open(content, "http://127.0.0.1:8000/")
    assert not publication.catalog.problems, publication.catalog.problems
    out = root / "data"
    for name, data in data_files(publication).items():
        write_bytes(out / name, data)
    return out


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@dataclass
class Harness:
    api: ThreadedLocalBotApi
    ctl: SyncControl
    settings: Settings
    publisher: Any = None
    task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(run(self.settings, self.publisher))
        await self.until(lambda: self.ctl.stats()["calls"].get("getUpdates", 0) > 0)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def until(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait (without blocking the bot, which runs in this loop) until `check()` is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            if self.task is not None and self.task.done():
                self.task.result()  # the bot died: show why
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {check}")
            await asyncio.sleep(0.02)

    def messages(self, user: int) -> list[dict[str, Any]]:
        return self.ctl.bot_messages(user)

    async def reply_to(self, user: int, count_before: int, containing: str = "") -> dict:
        """The first text message (with `containing`) the bot sends `user` after `count_before`."""

        def new_texts() -> list[dict]:
            fresh = self.messages(user)[count_before:]
            return [m for m in fresh if containing in m.get("text", "\0")]

        return (await self.until(new_texts))[0]

    async def command(self, user: int, command: str, containing: str = "") -> dict:
        before = len(self.messages(user))
        self.ctl.send_command(user, command)
        return await self.reply_to(user, before, containing)

    async def press(self, user: int, message: dict, data: str, containing: str = "") -> dict:
        before = len(self.messages(user))
        self.ctl.press_button(user, message["message_id"], data=data)
        return await self.reply_to(user, before, containing)

    def db(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.settings.db)
        connection.row_factory = sqlite3.Row
        return connection

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with contextlib.closing(self.db()) as db:
            return db.execute(sql, args).fetchall()


def buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]
