"""Running the real bot against the local Bot API server, with open data made for the test."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conftest import COMMITTEE, ROOT, write

from bot.app import run
from bot.localapi import ControlClient, SyncControl, ThreadedLocalBotApi
from bot.settings import Settings
from bot.store import Store
from civicloop.opendata import PollRecord, data_files
from civicloop.results import PollInfo, change_for
from civicloop.sitecontext import SiteContext

COMMITTEE_ID = "test"
SESSION_ID = "test/01-first"
TOKEN = "123456:PROCESS-TEST"  # of the `local_api` process (conftest)
SECRET = "a-test-secret-of-at-least-32-bytes!"


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
    site = SiteContext.open(content, "http://127.0.0.1:8000/")
    assert not site.catalog.problems, site.catalog.problems
    out = root / "data"
    for name, data in data_files(site).items():
        write_bytes(out / name, data)
    return out


def rebuild_data(root: Path) -> Path:
    """The open data of `root/content` as it is now, into `root/data`: the site rebuilt after
    an editor merged a change (unlike `publish_data`, which writes the content afresh)."""
    site = SiteContext.open(root / "content", "http://127.0.0.1:8000/")
    assert not site.catalog.problems, site.catalog.problems
    for name, data in data_files(site).items():
        write_bytes(root / "data" / name, data)
    return root / "data"


def merge_results(root: Path, db: Path, poll_id: str) -> str:
    """What editors do once a poll closed: its results file, made from the bot's answers as
    the publisher makes it, merged into the content; then the site is rebuilt. The file."""
    store = Store(db, b"", readonly=True)
    try:
        answers = store.poll_answers(poll_id)
    finally:
        store.close()
    polls = json.loads((root / "data/polls.json").read_text())["polls"]
    poll = next(p for p in polls if p["id"] == poll_id)
    info = PollInfo(
        poll_id, poll["committee"], poll["session"], poll["question"], poll["kind"], poll["options"]
    )
    assert answers.closed is not None, "the bot has not closed the poll"
    change = change_for(answers.outcome(info), answers.opened, answers.closed)
    write_bytes(root / change.path, change.content)
    rebuild_data(root)
    return change.content.decode()


def recommendation(
    status: str = "awaiting-response", overdue: bool = False, ident: str = "test/r-01"
) -> dict[str, Any]:
    """A record of `recommendations.json` in the shape the two sides agreed on."""
    record = {
        "id": ident,
        "committee": ident.partition("/")[0],
        "title": "Open the <archives> to all",
        "status": status,
        "response_due": "2026-03-01",
        "response_overdue": overdue,
        "computed": datetime.now(UTC).date().isoformat(),
        "response": None,
        "url": f"http://127.0.0.1:8000/committees/{ident.replace('/', '/recommendations/')}/",
        "translations": {"fr": {"title": "Ouvrir les <archives> à tous"}},
        "sample": False,
    }
    record["hash"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    return record


def write_recommendations(data: Path, *records: dict[str, Any]) -> None:
    document = {"version": 1, "recommendations": list(records)}
    write_bytes(data / "recommendations.json", json.dumps(document, indent=1).encode())


def add_rating(
    data: Path, recommendation_id: str, closes_in: timedelta = timedelta(hours=1)
) -> str:
    """A rating poll of a recommendation's response in `polls.json`, as the site writes it
    for the recommendation's `rating` block; its id."""
    path = data / "polls.json"
    document = json.loads(path.read_text())
    now = datetime.now(UTC)
    poll = {
        "id": "test-response",
        "committee": recommendation_id.partition("/")[0],
        "session": SESSION_ID,
        "question": "How do you rate the response to: Open the archives to all?",
        "kind": "rating",
        "options": ["1", "2", "3", "4", "5"],
        "opens": iso(now - timedelta(minutes=1)),
        "closes": iso(now + closes_in),
        "comments": False,
        "url": "http://127.0.0.1:8000/committees/test/recommendations/r-01/",
        "results": None,
        "recommendation": recommendation_id,
    }
    PollRecord.model_validate(poll)
    document["polls"].append(poll)
    write_bytes(path, json.dumps(document, indent=1).encode())
    return poll["id"]


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
        """Cancel the bot as SIGTERM does; it must end within 10 s (a stuck stop fails here,
        with what is still running, instead of hanging the run)."""
        if self.task is not None:
            self.task.cancel()
            done, _ = await asyncio.wait([self.task], timeout=10)
            running = sorted(t.get_name() for t in asyncio.all_tasks())
            assert done, f"the bot did not stop within 10 s of its cancellation: {running}"
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def until(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait (without blocking the bot, which runs in this loop) until `check()` is truthy.

        `check` must be the outcome under test (a row with the expected value, a message with
        the expected text), never a proxy such as an empty queue, which is also true before the
        bot has even fetched the updates. The helpers below are such checks."""
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

    async def reply_to(self, user: int, count_before: int, containing: str) -> dict:
        """The first text message with `containing` the bot sends `user` after `count_before`.
        The text is required: "any new message" may be another one (a poll, a reminder)."""

        def new_texts() -> list[dict]:
            fresh = self.messages(user)[count_before:]
            return [m for m in fresh if containing in m.get("text", "\0")]

        return (await self.until(new_texts))[0]

    async def command(self, user: int, command: str, containing: str) -> dict:
        """Send `/command`; the reply that contains `containing`."""
        before = len(self.messages(user))
        self.ctl.send_command(user, command)
        return await self.reply_to(user, before, containing)

    async def press(self, user: int, message: dict, data: str, containing: str) -> dict:
        """Press a button; the message that contains `containing` sent in reply."""
        before = len(self.messages(user))
        self.ctl.press_button(user, message["message_id"], data=data)
        return await self.reply_to(user, before, containing)

    async def press_answered(self, user: int, message: dict, data: str, containing: str) -> str:
        """Press a button; the notice (answerCallbackQuery text) that contains `containing`."""
        query = self.ctl.press_button(user, message["message_id"], data=data)["callback_query"]

        def notice() -> str | None:
            text = (self.ctl.callback_answer(query["id"]) or {}).get("text", "")
            return text if containing in text else None

        return await self.until(notice)

    async def handled(self, update: dict | None) -> None:
        """Wait until the bot has committed the effects of `update` (as the local server
        returned it): for outcomes that are an absence, such as a retracted answer."""
        assert update is not None, "the local server filtered this update out"
        await self.until(lambda: handled(self.settings.db, update["update_id"]))

    async def rows_become(self, expected: list[tuple], sql: str, *args: Any) -> list[tuple]:
        """Wait until `sql` returns exactly `expected` (shown against the last rows if never)."""
        seen: list[list[tuple]] = [[]]

        def matches() -> bool:
            seen[0] = [tuple(r) for r in self.rows(sql, *args)]
            return seen[0] == expected

        try:
            await self.until(matches)
        except AssertionError:
            raise AssertionError(f"{sql} gave {seen[0]}, not {expected}") from None
        return expected

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A connection to the bot's store, committed, then closed (Python 3.13 warns of a
        connection left to the garbage collector, which the suite turns into an error)."""
        connection = sqlite3.connect(self.settings.db)
        connection.row_factory = sqlite3.Row
        with contextlib.closing(connection), connection:
            yield connection

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self.db() as db:
            return db.execute(sql, args).fetchall()


def handled(db: Path | str, update_id: int) -> bool:
    """Whether the bot's store has committed update `update_id`'s effects: its processing
    marker moves in the same transaction as them."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
            row = connection.execute(
                "SELECT value FROM state WHERE key = 'last_processed_update'"
            ).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return False
    return row is not None and row[0] >= update_id


def buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


# --- the bot as its own process (`python -m bot`), against the `local_api` fixture's server ------


def start_bot(url: str, tmp_path: Path, **env: str) -> subprocess.Popen:
    """`python -m bot` on `tmp_path`'s data and store; its log goes to `tmp_path/bot.log`."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": url,
        "CIVICLOOP_DATA": str(tmp_path / "data"),
        "CIVICLOOP_DB": str(tmp_path / "bot.sqlite3"),
        "CIVICLOOP_SECRET": SECRET,
        "CIVICLOOP_TICK": "0.2",
        **env,
    }
    with open(tmp_path / "bot.log", "a") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    STARTED.append(process)
    return process


STARTED: list[subprocess.Popen] = []  # ended after each test (conftest), even one that failed


def end_bots() -> None:
    """Kill what `start_bot` started and a test left running (it failed half way)."""
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
        process.wait()


def wait(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until `check()` (the outcome under test, as for `Harness.until`) is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {check}")


def latest(ctl: ControlClient, user: int, test: Callable[[dict], Any]) -> dict:
    """The newest message the bot sent `user` that passes `test`, once there is one."""
    return wait(
        lambda: next((m for m in reversed(ctl.bot_messages(chat_id=user)) if test(m)), None)
    )
