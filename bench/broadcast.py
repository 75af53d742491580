"""Benchmark: an editor's broadcast to 10,000 subscribers within Telegram's limits, once each.

Why: Telegram allows a bot about 30 messages per second overall (and about 1 per second per
chat); a bot that goes faster gets 429s and, if it keeps on, is throttled for longer. A bot that
goes much slower makes a 10,000-subscriber announcement take far longer than needed. And a
broadcast that crashes or retries must never message anyone twice. Targets: a sustained rate of
at least 95% of the allowed 30/s, zero 429s received, nobody messaged twice (or skipped).

What it does:

1. builds open data with one committee and no poll (so only the broadcast is sent);
2. starts the local Bot API server in its own process (`python -m bot.localapi`, Telegram's limits
   on, as sliding windows: at most 30 messages in any second overall, 1 in any second per chat)
   and the bot in its own;
3. subscribes `--subscribers` citizens through the control API (each sends /committees and
   presses the committee's button). To keep this setup short, the server's limits are switched
   off (`set_limits`) and the bot runs with `CIVICLOOP_RATE` raised; then the bot is stopped,
   the limits switched back on, the server's counters reset, and the bot restarted with its
   production settings (`CIVICLOOP_RATE` unset, so 30 in any second);
4. drives the real editor flow: an admin (in `CIVICLOOP_ADMINS`) sends /broadcast, presses the
   committee's button, sends the text and presses "Send to N subscribers";
5. while it goes out, a citizen who is not subscribed sends /help (after `--probe-after` seconds),
   to see how long an ordinary reply waits behind the broadcast; with `--lost-responses K`, K
   sendMessage calls (after 10% are sent) are carried out by the server but their response never
   arrives (the connection is reset, as when a network fails after Telegram got the request): a
   sender that then retries messages those citizens twice; ours marks them uncertain;
6. reads the broadcast's `sent_at` times from the bot's DB (read-only) and the server's counters:
   the sustained rate over the steady part (5% -> 95% sent), the 429s the server returned
   (`responses_429`), and `sent_per_chat` (each subscriber exactly 1).

10,000 subscribers at 30/s take about 6 minutes, plus about 2 minutes of setup; `--subscribers`
runs smaller. It is not a test: it prints figures and PASS/FAIL, and exits 0 either way (1 if it
crashed).

    .venv/bin/python bench/broadcast.py                     # 10,000 subscribers (~8 min)
    .venv/bin/python bench/broadcast.py --subscribers 1000  # quick look (~1 min)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import botbench as bb

from bot.outbox_key import OutboxKey, Purpose

BROADCASTS = OutboxKey.like(Purpose.BROADCAST)
ALLOWED = 30.0  # Telegram's overall limit, messages per second
TARGET_SHARE = 0.95
ADMIN = 1_000_000_000
PROBE = 1_000_000_001
TEXT = "The next session moves to the town hall's big room. See you on Tuesday!"


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b.get("callback_data", "") for row in rows for b in row]


def next_message(ctl: bb.Ctl, chat: int, count: int, timeout: float = 60) -> dict[str, Any]:
    """The `count`-th message the bot sent to `chat` (waits for it)."""
    return bb.wait_messages(ctl, chat, count, timeout)[count - 1]


def editor_broadcast(ctl: bb.Ctl) -> tuple[float, float, str]:
    """/broadcast, committee button, text, confirm: the real flow.

    Returns when the confirm button was pressed (monotonic and epoch) and the press's callback
    query id (to see when the bot answers it).
    """
    ctl.send_command(user_id=ADMIN, command="broadcast")
    menu = next_message(ctl, ADMIN, 1)
    pick = f"bc:{bb.short(bb.COMMITTEE_SLUG)}"
    if pick not in buttons(menu):
        raise RuntimeError(f"no committee button in {menu}")
    ctl.press_button(user_id=ADMIN, message_id=menu["message_id"], data=pick)
    next_message(ctl, ADMIN, 2)  # "Send me the message for the subscribers of ..."
    ctl.send_message(user_id=ADMIN, text=TEXT)
    preview = next_message(ctl, ADMIN, 4)  # after the heading: the text, with the buttons
    if "bc-send" not in buttons(preview):
        raise RuntimeError(f"no confirm button in the preview: {preview}")
    bb.log(f"preview: {preview['text'][:60]!r}... confirming")
    confirmed, wall = time.monotonic(), time.time()
    update = ctl.press_button(user_id=ADMIN, message_id=preview["message_id"], data="bc-send")
    return confirmed, wall, update["callback_query"]["id"]


def sent_times(db: Path) -> list[float]:
    """When each broadcast message was sent (the bot's `sent_at`), as epoch seconds, sorted."""
    with contextlib.closing(bb.read_db(db)) as conn:
        rows = conn.execute(
            "SELECT sent_at FROM outbox WHERE key LIKE ? AND state = 'sent'", (BROADCASTS,)
        ).fetchall()
    return sorted(datetime.fromisoformat(r[0]).timestamp() for r in rows)


def states(db: Path) -> dict[str, int]:
    with contextlib.closing(bb.read_db(db)) as conn:
        rows = conn.execute(
            "SELECT state, count(*) FROM outbox WHERE key LIKE ? GROUP BY state", (BROADCASTS,)
        ).fetchall()
    return {s: n for s, n in rows}


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    data = bb.publish_data(work, poll_kind=None)
    db = work / "bot.sqlite3"
    server = bb.Server(work, limits=True).start()
    fast = {"CIVICLOOP_RATE": "100000", "CIVICLOOP_ADMINS": str(ADMIN)}
    bot = bb.BotProcess(work, server.url, data, db, env_extra=dict(fast))
    try:
        ctl = bb.Ctl(server.url)
        users = list(range(1, args.subscribers + 1))
        limits = ctl.set_limits(enabled=False)
        bb.log(f"server {server.url}; setup with limits off; adding {len(users)} citizens")
        bb.add_citizens(ctl, [*users, ADMIN, PROBE])
        bot.start()
        bb.wait_until(lambda: ctl.stats()["calls"].get("getUpdates", 0) > 0, 60, "polling")
        t = time.monotonic()
        bb.subscribe(ctl, users, db, timeout=600)
        bb.wait_idle(db, ctl, timeout=120)
        unsent = "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
        bb.wait_until(lambda: bb.scalar(db, unsent) == 0, 300, "the setup's replies", 0.2)
        bot.stop()
        bb.log(f"{len(users)} subscribed in {time.monotonic() - t:.0f} s; bot restarts at 30/s")

        bot.env_extra = {"CIVICLOOP_ADMINS": str(ADMIN)}  # production rate (30/s)
        limits = ctl.set_limits(enabled=True)
        ctl.reset_stats()
        bot.start()
        bb.wait_until(lambda: ctl.stats()["calls"].get("getUpdates", 0) > 0, 60, "polling")
        bb.log(
            f"limits on (sliding windows): {limits['global_per_second']} in any second overall, "
            f"{limits['private_per_second']} in any second per chat"
        )

        confirmed, confirmed_wall, query = editor_broadcast(ctl)
        n = len(users)
        probe: dict[str, float] = {}

        def probe_reply() -> None:
            """A citizen's /help during the broadcast: how long does the reply wait?"""
            time.sleep(args.probe_after)
            asked = time.monotonic()
            ctl.send_command(user_id=PROBE, command="help")
            with contextlib.suppress(RuntimeError, OSError):
                bb.wait_messages(ctl, PROBE, 1, args.timeout)
                probe["help"] = time.monotonic() - asked

        def admin_reply() -> None:
            """The editor's reply: "Queued for N subscribers."."""
            with contextlib.suppress(RuntimeError, OSError):
                bb.wait_messages(ctl, ADMIN, 5, args.timeout)
                probe["admin"] = time.monotonic() - confirmed

        def button_answer() -> None:
            """The answer to the confirm button (the editor's app shows a spinner until then)."""
            with contextlib.suppress(RuntimeError, OSError):
                bb.wait_until(
                    lambda: ctl.callback_answer(callback_query_id=query) is not None,
                    args.timeout,
                    "the button's answer",
                    0.5,
                )
                probe["button"] = time.monotonic() - confirmed

        threads = [
            threading.Thread(target=f, daemon=True)
            for f in (probe_reply, admin_reply, button_answer)
        ]
        for thread in threads:
            thread.start()
        deadline = confirmed + args.timeout
        last_print = 0.0
        armed = not args.lost_responses
        while time.monotonic() < deadline:
            now = states(db)
            if not armed and now.get("sent", 0) >= n // 10:
                ctl.inject_fault(
                    kind="deliver_then_reset", method="sendMessage", count=args.lost_responses
                )
                armed = True
                bb.log(f"the next {args.lost_responses} sendMessage responses will be lost")
            done = sum(v for k, v in now.items() if k not in ("pending", "sending"))
            if time.monotonic() - last_print > 30:
                last_print = time.monotonic()
                bb.log(f"broadcast: {now.get('sent', 0)} of {n} sent {now}")
            if done >= n and now:
                break
            if not bot.alive:
                raise RuntimeError("the bot died:\n" + bot.tail())
            time.sleep(1)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stats = ctl.stats()
        times = sent_times(db)
        final = states(db)
        per_chat = {int(k): v for k, v in stats["sent_per_chat"].items()}
        counts = [per_chat.get(u, 0) for u in users]
        twice = sum(1 for c in counts if c > 1)
        never = sum(1 for c in counts if c == 0)
        steady = None
        if len(times) >= 20:
            lo, hi = int(len(times) * 0.05), int(len(times) * 0.95)
            steady = (hi - lo) / (times[hi] - times[lo]) if times[hi] > times[lo] else None
        overall = len(times) / (times[-1] - confirmed_wall) if times else 0.0
        span = times[-1] - times[0] if len(times) > 1 else 0.0

        print()
        print(f"subscribers: {n}   broadcast rows: {final}")
        print(
            f"sent {len(times)} in {span:.1f} s (first to last); press -> last sent "
            f"{times[-1] - confirmed_wall if times else 0:.1f} s = {overall:.2f}/s"
        )
        print(f"sustained rate (5%..95% sent): {steady or 0:.2f}/s of {ALLOWED:.0f}/s allowed")
        print(
            f"server: messages_sent {stats['messages_sent']}, responses_429 "
            f"{stats['responses_429']}, rate_limited {stats['rate_limited']}, errors "
            f"{stats['errors']}, faults fired {stats['faults_fired']}"
        )
        print(f"subscribers messaged: once {counts.count(1)}, twice+ {twice}, never {never}")

        def after(key: str) -> str:
            return f"{probe[key]:.1f} s" if key in probe else "never"

        print(
            f"replies during the broadcast: the confirm button answered after {after('button')},"
            f" the editor's 'Queued for ...' after {after('admin')}"
            + f"; a citizen's /help asked at +{args.probe_after:.0f} s answered "
            + f"{after('help')} later"
        )
        rate_ok = steady is not None and steady >= TARGET_SHARE * ALLOWED
        print(
            f"sustained rate >= {TARGET_SHARE * ALLOWED:.1f}/s: {bb.verdict(rate_ok)}\n"
            f"zero 429s: {bb.verdict(stats['responses_429'] == 0)}\n"
            f"nobody messaged twice: {bb.verdict(twice == 0)}"
            f"  (everyone messaged: {bb.verdict(never == 0)})"
        )
        return {"steady": steady, "429": stats["responses_429"], "twice": twice}
    finally:
        bot.close()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10000)
    parser.add_argument("--probe-after", type=float, default=20.0, metavar="SECONDS")
    parser.add_argument("--timeout", type=float, default=None, help="default: N/25 + 120 s")
    parser.add_argument("--lost-responses", type=int, default=0, metavar="K")
    bb.common_args(parser)
    args = parser.parse_args(argv)
    if args.timeout is None:
        args.timeout = args.subscribers / 25 + 120
    return bb.run_bench(args, "bench-broadcast-", run)


if __name__ == "__main__":
    sys.exit(main())
