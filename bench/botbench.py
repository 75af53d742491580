"""Shared machinery for the bot benchmarks: open data, the two processes, citizens, the DB.

Why a helper: the three bot benchmarks (`bot_throughput.py`, `broadcast.py`, `durability.py`)
run the same real setup -- the local Bot API server and the bot, each in its own process, talking
over loopback -- and only differ in what citizens do and what is measured. Keeping the setup in
one place keeps the three honest in the same way:

* the bot is started exactly as in production (`python -m bot`, settings from the environment);
* the server is `python -m bot.localapi`, or, when answers are fed "in-process", this file run as
  `python bench/botbench.py serve ...`, which builds the same `LocalBotApi` with the same options
  and, in addition, reads feeding orders from its stdin (so no HTTP round trip per answer);
* everything the benchmarks conclude is read from the bot's SQLite file through a read-only
  connection, or from the server's counters (`stats()`), never from the bot's own word.

Not a test and not a library for the bot: only the benchmarks import it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import IO, Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = "424242:BENCH-TOKEN"
SECRET = "bench-secret-of-at-least-32-bytes"
COMMITTEE_SLUG = "bench"
POLL_ID = "bench-poll"
LOOPBACK = "127.0.0.1"

# A valid committee and a session holding (optionally) one poll that is open now.
COMMITTEE_MD = """\
---
type: committee
title: Bench committee
kind: deliberative-committee
question: How should we decide?
status: active
members:
  - role: citizen
    selection: drawn-by-lot
    count: 30
languages: [en]
timezone: Europe/Brussels
---
A committee made up for benchmarks.
"""

SESSION_MD = """\
---
type: session
title: Bench session
number: 1
starts: {starts}
ends: {ends}
status: scheduled
place: Town hall
agenda:
  - title: Welcome
    duration: 15
{polls}---
Body.
"""

POLL_MD = """\
polls:
  - id: {poll_id}
    question: Which options do you support?
    kind: {kind}
    options: [{options}]
    opens: {opens}
    closes: {closes}
"""


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def publish_data(
    root: Path,
    *,
    poll_kind: str | None = "single",
    n_options: int = 3,
    poll_closes_in: timedelta = timedelta(hours=2),
) -> Path:
    """Build open data (`root/data`) for one committee and one session, like a site build.

    With `poll_kind`, the session holds one poll (`POLL_ID`) open from a minute ago; without, no
    poll at all (the broadcast benchmark wants no poll traffic). The session starts in 3 days, so
    no reminder is due with the default 24h,1h offsets.
    """
    from civicloop.opendata import data_files
    from civicloop.sitecontext import SiteContext

    now = datetime.now(UTC)
    starts = now + timedelta(days=3)
    polls = ""
    if poll_kind:
        options = ", ".join(f"Option {chr(65 + i)}" for i in range(n_options))
        polls = POLL_MD.format(
            poll_id=POLL_ID,
            kind=poll_kind,
            options=options,
            opens=_iso(now - timedelta(minutes=1)),
            closes=_iso(now + poll_closes_in),
        )
    content = root / "content"
    files = {
        f"committees/{COMMITTEE_SLUG}/index.md": COMMITTEE_MD,
        f"committees/{COMMITTEE_SLUG}/sessions/01-bench.md": SESSION_MD.format(
            starts=_iso(starts), ends=_iso(starts + timedelta(hours=2)), polls=polls
        ),
    }
    for rel, text in files.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    site = SiteContext.open(content, "http://127.0.0.1:8000/")
    if site.catalog.problems:
        raise RuntimeError(f"bench content is invalid: {site.catalog.problems}")
    out = root / "data"
    for name, data in data_files(site).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out


def short(identifier: str) -> str:
    """The bot's 12-character callback key (bot.sitedata.short), to press the right button."""
    return hashlib.blake2s(identifier.encode(), digest_size=6).hexdigest()


def voter(user_id: int, secret: str = SECRET) -> str:
    """The pseudonym the bot stores answers under (bot.store.Store.voter)."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- processes


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Server:
    """The local Bot API server in its own process; `feeder=True` adds the stdin feeding orders."""

    def __init__(
        self, workdir: Path, *, limits: bool = True, feeder: bool = False, extra: Iterable[str] = ()
    ) -> None:
        self.workdir, self.limits, self.feeder = workdir, limits, feeder
        self.extra = list(extra)
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._log: IO[str] | None = None

    def start(self, timeout: float = 30.0) -> Server:
        args = ["--port", "0", "--token", TOKEN, "--log-level", "WARNING", *self.extra]
        if not self.limits:
            args.append("--no-limits")
        if self.feeder:
            command = [PYTHON, str(Path(__file__).resolve()), "serve", *args]
        else:
            command = [PYTHON, "-m", "bot.localapi", *args]
        self._log = open(self.workdir / "server.log", "w")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(
            command,
            cwd=self.workdir,  # imports resolve as in the bot's process (PYTHONPATH, install)
            stdin=subprocess.PIPE if self.feeder else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True, name="server-stdout").start()
        first = self.line(timeout)
        match = re.search(r"(http://[\d.]+:\d+)", first or "")
        if not match:
            raise RuntimeError(f"the server did not print its URL: {first!r}")
        self.url = match[1]
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, timeout: float) -> str | None:
        """The next line the server printed (None when it exited)."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("no line from the server") from None

    def order(self, order: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
        """Send one feeding order to a `serve` process and wait for its JSON report."""
        assert self.feeder and self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(order) + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            line = self.line(max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError("the server exited while feeding")
            if line.startswith("{"):
                return json.loads(line)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            log(f"the server had exited on its own (code {self.proc.returncode}); see server.log")
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()


@dataclass
class BotProcess:
    """`python -m bot` with settings from the environment; restartable and killable."""

    workdir: Path
    api_url: str
    data: Path
    db: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: IO[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICLOOP_", "TELEGRAM_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api_url,
            CIVICLOOP_DATA=str(self.data),
            CIVICLOOP_DB=str(self.db),
            CIVICLOOP_SECRET=SECRET,
            CIVICLOOP_TICK="0.2",
        )
        env.update(self.env_extra)
        return env

    def start(self) -> None:
        self.starts += 1
        if self._log is None:
            self._log = open(self.workdir / "bot.log", "ab")  # noqa: SIM115
        self._log.write(f"--- start {self.starts} at {time.time():.3f}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "bot"],
            cwd=self.workdir,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash at any instruction, no cleanup (the OS keeps what was written)."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """Ctrl-C (the bot's graceful stop), then SIGKILL if it does not exit in time."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def tail(self, lines: int = 20) -> str:
        path = self.workdir / "bot.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def code_fingerprint() -> str:
    """A digest of the `bot` and `civicloop` sources the processes import.

    Benchmarks restart the bot, and each start imports the code afresh: if someone edits it
    during a run, different lives run different code. Compared at the start and the end of a
    run (`check_code`); run against a copy (PYTHONPATH=copy) to benchmark one version.
    """
    import importlib.util

    digest = hashlib.sha256()
    for name in ("bot", "civicloop"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        for path in sorted(Path(spec.origin).parent.rglob("*.py")):
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def check_code(start: str) -> bool:
    """Warn when the sources changed since `start` (the figures then mix versions)."""
    if code_fingerprint() == start:
        return True
    print("WARNING: the bot's source changed during the run; figures mix code versions")
    return False


# --------------------------------------------------------------------------- control client


class Ctl:
    """`POST /control/<action>` over kept-alive connections (one per thread)."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or LOOPBACK, parts.port or 80
        self.timeout = timeout
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return conn

    def call(self, action: str, **kwargs: Any) -> Any:
        body = json.dumps(kwargs).encode()
        headers = {"Content-Type": "application/json"}
        for attempt in (1, 2):
            conn = self._conn()
            try:
                conn.request("POST", f"/control/{action}", body, headers)
                response = conn.getresponse()
                data = json.loads(response.read())
                break
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        if not data.get("ok"):
            raise RuntimeError(f"control {action} failed: {data.get('description')}")
        return data["result"]

    def __getattr__(self, action: str) -> Callable[..., Any]:
        if action.startswith("_"):
            raise AttributeError(action)
        return lambda **kwargs: self.call(action, **kwargs)


# --------------------------------------------------------------------------- the bot's DB


def read_db(path: Path) -> sqlite3.Connection:
    """A read-only connection: benchmarks look, they never touch the bot's state."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def scalar(path: Path, sql: str, *args: Any) -> Any:
    """One value from the bot's DB (None if the DB is not there yet or is busy)."""
    if not path.exists():
        return None
    try:
        with contextlib.closing(read_db(path)) as db:
            row = db.execute(sql, args).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else row[0]


def last_processed(path: Path) -> int:
    value = scalar(path, "SELECT value FROM state WHERE key = 'last_processed_update'")
    return int(value or 0)


def wait_until(
    check: Callable[[], Any],
    timeout: float,
    what: str,
    interval: float = 0.1,
    alive: Callable[[], bool] | None = None,
) -> Any:
    """Poll `check()` until truthy; a clear error naming `what` on timeout or a dead process."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if alive is not None and not alive():
            raise RuntimeError(f"a process died while waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------- citizens


def wait_messages(ctl: Ctl, chat: int, count: int, timeout: float) -> list[dict[str, Any]]:
    """`wait_bot_messages`, in server-side waits short enough for the HTTP client's timeout."""
    deadline = time.monotonic() + timeout
    while True:
        step = max(0.1, min(60.0, deadline - time.monotonic()))
        try:
            return ctl.wait_bot_messages(chat_id=chat, count=count, timeout=step)
        except RuntimeError:
            if time.monotonic() >= deadline:
                raise


def add_citizens(ctl: Ctl, users: list[int], workers: int = 4) -> None:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda u: ctl.add_user(user_id=u, language_code="en"), users))


def subscribe(ctl: Ctl, users: list[int], db: Path, timeout: float, workers: int = 6) -> None:
    """Each citizen sends /committees and presses the committee's button: the real flow."""
    data = f"sub:{short(COMMITTEE_SLUG)}"

    def one(user: int) -> None:
        ctl.send_command(user_id=user, command="committees")
        messages = wait_messages(ctl, user, 1, timeout)
        for message in messages:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(b.get("callback_data") == data for row in rows for b in row):
                ctl.press_button(user_id=user, message_id=message["message_id"], data=data)
                return
        raise RuntimeError(f"user {user} got no committee button: {messages}")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, users))
    wait_until(
        lambda: (scalar(db, "SELECT count(*) FROM subscriptions") or 0) >= len(users),
        timeout,
        f"{len(users)} subscriptions in the bot's DB",
        interval=0.2,
    )


def wait_polls_delivered(db: Path, n: int, timeout: float) -> dict[int, str]:
    """Wait until the bot has sent (and recorded) the poll to `n` citizens; user -> poll id."""
    sql = "SELECT count(*) FROM poll_messages WHERE telegram_poll_id IS NOT NULL"
    wait_until(lambda: (scalar(db, sql) or 0) >= n, timeout, f"the poll sent to {n}", 0.2)
    with contextlib.closing(read_db(db)) as conn:
        rows = conn.execute(
            "SELECT user_id, telegram_poll_id FROM poll_messages WHERE poll_id = ?", (POLL_ID,)
        ).fetchall()
    return {int(u): str(p) for u, p in rows if p}


def wait_idle(db: Path, ctl: Ctl, timeout: float) -> int:
    """Wait until the server holds no unconfirmed update and the bot's inbox is empty."""

    def idle() -> bool:
        return ctl.stats()["pending_updates"] == 0 and scalar(db, "SELECT count(*) FROM inbox") == 0

    wait_until(idle, timeout, "the bot to finish its updates", interval=0.2)
    return last_processed(db)


# --------------------------------------------------------------------------- answer plans


@dataclass
class Plan:
    """Poll answers to send in order, and what the tally must be once they are all counted."""

    answers: list[tuple[int, str, list[int]]]  # (user, telegram poll id, option ids)
    final: dict[int, list[int]]  # user -> final choice; absent = never answered or retracted

    def changes(self) -> int:
        seen: set[int] = set()
        count = 0
        for user, _, _ in self.answers:
            count += user in seen
            seen.add(user)
        return count

    def retractions(self) -> int:
        return sum(1 for _, _, options in self.answers if not options)


def make_plan(
    polls: dict[int, str],
    total: int,
    *,
    n_options: int,
    multiple: bool,
    retract_share: float,
    seed: int,
) -> Plan:
    """`total` valid answers over the citizens, interleaved at random, with changes and retracts.

    Citizens are drawn with a skewed weight, so some change their answer many times and some
    answer once; a retraction (`[]`) is only drawn when the citizen has an answer to retract, as
    on Telegram; about `retract_share` of the citizens end with a retraction.
    """
    rng = random.Random(seed)
    users = sorted(polls)
    weights = [rng.paretovariate(1.5) for _ in users]
    current: dict[int, list[int]] = {}
    answers: list[tuple[int, str, list[int]]] = []
    draws = rng.choices(users, weights=weights, k=total)
    last_index = {user: i for i, user in enumerate(draws)}
    for i, user in enumerate(draws):
        final_turn = last_index[user] == i
        retract = user in current and (
            rng.random() < retract_share if final_turn else rng.random() < 0.05
        )
        if retract:
            options: list[int] = []
            del current[user]
        else:
            if multiple:
                k = rng.randint(1, n_options)
                options = sorted(rng.sample(range(n_options), k))
            else:
                options = [rng.randrange(n_options)]
            current[user] = options
        answers.append((user, polls[user], options))
    return Plan(answers, dict(current))


def compare(db: Path, plan: Plan) -> dict[str, Any]:
    """The bot's answers table against what was sent: lost, wrong, extra, tallies."""
    with contextlib.closing(read_db(db)) as conn:
        rows = conn.execute(
            "SELECT voter, options FROM answers WHERE poll_id = ?", (POLL_ID,)
        ).fetchall()
        distinct = conn.execute(
            "SELECT count(DISTINCT voter) FROM answers WHERE poll_id = ?", (POLL_ID,)
        ).fetchone()[0]
    actual = {v: json.loads(o) for v, o in rows}
    users = {u for u, _, _ in plan.answers}
    by_voter = {voter(u): u for u in users}
    missing = wrong = 0
    for user, options in plan.final.items():
        got = actual.get(voter(user))
        if got is None:
            missing += 1
        elif sorted(got) != sorted(options):
            wrong += 1
    extra = sum(1 for v in actual if by_voter.get(v) not in plan.final)
    expected_tally: dict[int, int] = {}
    for options in plan.final.values():
        for o in options:
            expected_tally[o] = expected_tally.get(o, 0) + 1
    actual_tally: dict[int, int] = {}
    for options in actual.values():
        for o in options:
            actual_tally[o] = actual_tally.get(o, 0) + 1
    over = sum(max(0, actual_tally.get(o, 0) - n) for o, n in expected_tally.items())
    over += sum(n for o, n in actual_tally.items() if o not in expected_tally)
    return {
        "expected_voters": len(plan.final),
        "rows": len(rows),
        "duplicate_rows": len(rows) - distinct,
        "missing": missing,
        "wrong": wrong,
        "extra": extra,
        "lost": missing + wrong,
        "double": extra + (len(rows) - distinct),
        "tally_expected": dict(sorted(expected_tally.items())),
        "tally_actual": dict(sorted(actual_tally.items())),
        "tally_over": over,
    }


# --------------------------------------------------------------------------- feeding


def feed_http(
    ctl: Ctl,
    answers: list[tuple[int, str, list[int]]],
    *,
    rate: float = 0.0,
    workers: int = 4,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Send answers with `POST /control/answer_poll` from this process.

    Each citizen's answers stay in one worker, in order (workers split citizens by id), so the
    final state of each citizen is the plan's; `rate` > 0 paces the total rate.
    """
    lanes: list[list[tuple[int, str, list[int]]]] = [[] for _ in range(workers)]
    for item in answers:
        lanes[item[0] % workers].append(item)
    uids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    done = [0]
    t0 = time.monotonic()

    def lane(items: list[tuple[int, str, list[int]]]) -> None:
        share = rate / workers if rate > 0 else 0.0
        start = time.monotonic()
        for n, (user, poll, options) in enumerate(items):
            if share:
                delay = start + n / share - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            try:
                update = ctl.answer_poll(user_id=user, option_ids=options, poll_id=poll)
            except RuntimeError as error:
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                uids.append(update["update_id"])
                done[0] += 1
                if progress is not None and done[0] % 1000 == 0:
                    progress(done[0])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lane, lanes))
    return _fed(uids, errors, t0)


def _fed(uids: list[int], errors: list[str], t0: float) -> dict[str, Any]:
    """What a feeder reports: the update ids it made, its errors, and when it ran."""
    return {
        "fed": len(uids),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "first_uid": min(uids) if uids else None,
        "last_uid": max(uids) if uids else None,
        "t0": t0,
        "t1": time.monotonic(),
    }


async def _feed_inproc(control: Any, order: dict[str, Any]) -> dict[str, Any]:
    """Run in the server process: `Control.answer_poll` for each answer, yielding every chunk."""
    from bot.localapi import ControlError

    answers = order["answers"]
    rate = float(order.get("rate") or 0)
    chunk = int(order.get("chunk") or 200)
    uids: list[int] = []
    errors: list[str] = []
    t0 = time.monotonic()
    for i, (user, poll, options) in enumerate(answers):
        try:
            update = control.answer_poll(user_id=user, option_ids=options, poll_id=poll)
            uids.append(update["update_id"])
        except ControlError as error:
            errors.append(str(error))
        if (i + 1) % chunk == 0:
            delay = t0 + (i + 1) / rate - time.monotonic() if rate > 0 else 0.0
            await asyncio.sleep(max(0.0, delay))  # lets getUpdates run between chunks
    return _fed(uids, errors, t0)


async def _serve(argv: list[str]) -> None:
    """`python -m bot.localapi` plus feeding orders (one JSON object per stdin line)."""
    from bot.localapi.__main__ import build_api, parse_args

    api = build_api(parse_args(argv))
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    reader = asyncio.StreamReader(limit=256 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def orders() -> None:
        while line := await reader.readline():
            report = await _feed_inproc(api.control(), json.loads(line))
            print(json.dumps(report), flush=True)
        stop.set()

    async with api:
        print(f"local Bot API listening on {api.url} (base_url {api.base_url})", flush=True)
        task = asyncio.create_task(orders())
        await stop.wait()
        task.cancel()


# --------------------------------------------------------------------------- reporting


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def rate_between(points: list[tuple[float, int]], lo: int, hi: int) -> float | None:
    """Items per second between the moments `lo` and `hi` items were reached (interpolated)."""

    def when(target: int) -> float | None:
        for (t0, n0), (t1, n1) in zip(points, points[1:], strict=False):
            if n0 < target <= n1:
                return t0 + (t1 - t0) * (target - n0) / (n1 - n0)
        return points[0][0] if points and points[0][1] >= target else None

    a, b = when(lo), when(hi)
    if a is None or b is None or b <= a:
        return None
    return (hi - lo) / (b - a)


@contextlib.contextmanager
def workspace(keep: bool, prefix: str) -> Iterator[Path]:
    """A temporary folder for data, DB and logs; kept (and printed) with --keep or on a crash."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    except BaseException:
        keep = True  # a crashed run keeps its logs
        raise
    finally:
        if keep:
            log(f"kept {path} (server.log, bot.log, bot.sqlite3)")
        else:
            shutil.rmtree(path, ignore_errors=True)


def common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, DB)")
    parser.add_argument("--seed", type=int, default=1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(sys.argv[2:]))
    else:
        print("usage: botbench.py serve [python -m bot.localapi options]", file=sys.stderr)
        sys.exit(2)


def run_bench(args: argparse.Namespace, prefix: str, run: Callable[..., object]) -> int:
    """Run one benchmark in its work folder; 1 if it crashed, and a warning if the code under
    measurement changed meanwhile (its figures would mix two versions)."""
    code = code_fingerprint()
    try:
        with workspace(args.keep, prefix) as work:
            run(args, work)
    except Exception:
        traceback.print_exc()
        check_code(code)
        return 1
    check_code(code)
    return 0
