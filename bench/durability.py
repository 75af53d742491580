"""Benchmark: no poll answer lost or counted twice while the bot is SIGKILLed again and again.

Why: the bot promises that a crash at any moment loses nothing and counts nothing twice (each
update is stored before it is confirmed to Telegram, and its effects commit together with its
removal from the inbox). Telegram keeps an update until a later getUpdates offset confirms it,
so a correct bot, killed and restarted, ends with exactly the tally citizens produced. The targets
are 0 lost and 0 double-counted answers over 20,000 answers and at least 10 kills.

What it does:

1. builds open data with one committee and one multiple-choice poll (4 options) open now;
2. starts the local Bot API server in its own process (it outlives every bot), the bot in its own
   (`python -m bot`), subscribes `--citizens` citizens through the control API, and waits until
   each has the poll. With `--kill-during-polls N`, the poll goes out to everyone at once while
   the bot is killed N times: a poll message interrupted mid-send is never sent again (the outbox
   is at-most-once), and if Telegram did deliver it, the bot never learnt its poll id, so that
   citizen's answers cannot be counted -- this variant shows how many;
3. produces `--answers` answers with known final choices: citizens drawn with a skewed weight
   (some change their answer many times, some answer once), ~10% end with a retraction; they go
   through `Control.answer_poll` in the server process (`--feed inproc`, the default) or over
   `POST /control/answer_poll` (`--feed http`), paced at `--rate` per second;
4. meanwhile kills the bot with SIGKILL and restarts it, at least `--kills` times and until all
   answers are produced (then on through the backlog): ~20% of the kills at a random moment of
   its start-up, the others a random time (`--life`) after the bot's first commit in that life,
   so they land while it receives, stores, processes and confirms updates;
5. restarts it a last time, waits until the server holds no unconfirmed update and the bot's inbox
   is empty, stops it, and compares its answers table (one row per pseudonymous voter) with the
   final choices computed from what was sent: lost = expected answers missing or different,
   double = rows that should not be there (retracted or unknown voters) or duplicated.

It is not a test: it prints figures and PASS/FAIL, and exits 0 either way (1 if it crashed).

    .venv/bin/python bench/durability.py                        # 2,000 citizens, 20,000 answers
    .venv/bin/python bench/durability.py --answers 5000 --kills 5   # quick look
    .venv/bin/python bench/durability.py --kill-during-polls 3      # crashes while polls go out
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

import botbench as bb


def kill_during_poll_delivery(
    bot: bb.BotProcess, db: Path, n: int, kills: int, rng: random.Random
) -> int:
    """Kill the bot `kills` times while it sends the poll; returns the kills that landed."""
    landed = 0
    sql = "SELECT count(*) FROM poll_messages"
    for _ in range(kills):
        sent = bb.scalar(db, sql) or 0
        if sent >= n:
            break
        target = sent + max(1, int((n - sent) * rng.uniform(0.1, 0.6)))
        with contextlib.suppress(TimeoutError):
            bb.wait_until(lambda t=target: (bb.scalar(db, sql) or 0) >= t, 120, "polls", 0.005)
        bot.kill()
        landed += 1
        bb.log(f"killed during poll delivery at {bb.scalar(db, sql)} of {n} recorded")
        bot.start()
    return landed


def poll_ids_from_server(ctl: bb.Ctl, users: list[int]) -> dict[int, str]:
    """Which poll each citizen sees in their chat (the server's truth, not the bot's)."""
    found: dict[int, str] = {}
    for user in users:
        for message in ctl.bot_messages(chat_id=user):
            if "poll" in message:
                found[user] = message["poll"]["id"]
    return found


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    data = bb.publish_data(work, poll_kind="multiple", n_options=4)
    db = work / "bot.sqlite3"
    server = bb.Server(work, limits=False, feeder=args.feed == "inproc").start()
    bot = bb.BotProcess(work, server.url, data, db, env_extra={"CIVICLOOP_RATE": "100000"})
    try:
        ctl = bb.Ctl(server.url)
        users = list(range(1, args.citizens + 1))
        bb.log(f"server {server.url}; adding {len(users)} citizens")
        bb.add_citizens(ctl, users)
        if args.kill_during_polls:
            # Subscribe first with no tick, so that the poll then goes out to everyone at once
            # (the tick at the next start queues it) while the bot is being killed.
            bot.env_extra["CIVICLOOP_TICK"] = "3600"
        bot.start()
        bb.wait_until(lambda: ctl.stats()["calls"].get("getUpdates", 0) > 0, 60, "polling")
        bb.subscribe(ctl, users, db, timeout=300)
        if args.kill_during_polls:
            bot.stop()
            bot.env_extra["CIVICLOOP_TICK"] = "0.2"
            bot.start()
        poll_kills = kill_during_poll_delivery(bot, db, len(users), args.kill_during_polls, rng)
        if poll_kills:
            # Delivery of the rest goes on; some messages may be 'uncertain' and never resent.
            pending = "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
            bb.wait_until(lambda: bb.scalar(db, pending) == 0, 300, "the poll delivery", 0.2)
            recorded = bb.wait_polls_delivered(db, 0, 10)
            seen = poll_ids_from_server(ctl, users)
        else:
            recorded = bb.wait_polls_delivered(db, len(users), timeout=300)
            seen = recorded
        unrecorded = sorted(set(seen) - set(recorded))
        bb.wait_idle(db, ctl, timeout=120)
        bb.log(
            f"poll in {len(seen)} chats; recorded by the bot for {len(recorded)}; "
            f"{len(users) - len(seen)} citizens never got it"
        )

        plan = bb.make_plan(
            seen, args.answers, n_options=4, multiple=True, retract_share=0.1, seed=args.seed
        )
        bb.log(
            f"{len(plan.answers)} answers to produce at {args.rate:.0f}/s: {plan.changes()} "
            f"changes, {plan.retractions()} retractions, {len(plan.final)} final voters"
        )
        report: dict[str, Any] = {}

        def feed() -> None:
            if args.feed == "inproc":
                report.update(server.order({"answers": plan.answers, "rate": args.rate}))
            else:
                report.update(bb.feed_http(ctl, plan.answers, rate=args.rate, workers=2))

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        kills = busy_kills = stored_kills = startup_kills = 0
        lives: list[int] = []
        deadline = time.monotonic() + args.timeout

        def more() -> bool:
            """Kill while answers are produced, at least --kills times, and on through the
            backlog (up to 3x --kills) so the last lives are busy ones too."""
            if time.monotonic() > deadline:
                return False
            if feeder.is_alive() or kills < args.kills:
                return True
            return kills < 3 * args.kills and ctl.stats()["pending_updates"] > 0

        while more():
            before = bb.last_processed(db)
            if rng.random() < args.startup_share:
                # During start-up: imports, migrations, the first tick and getUpdates.
                time.sleep(rng.uniform(0.05, 0.6))
                startup_kills += 1
            else:
                # While processing: once this life has committed something (or after 5 s).
                with contextlib.suppress(TimeoutError):
                    bb.wait_until(lambda b=before: bb.last_processed(db) > b, 5, "progress", 0.01)
                time.sleep(rng.uniform(*args.life))
            if not bot.alive:
                raise RuntimeError("the bot died on its own:\n" + bot.tail())
            bot.kill()
            kills += 1
            # What the kill interrupted, read after the fact: updates stored but not yet
            # processed (inbox rows), and updates the server still holds unconfirmed.
            inbox = bb.scalar(db, "SELECT count(*) FROM inbox") or 0
            pending = ctl.stats()["pending_updates"]
            busy_kills += inbox > 0 or pending > 0
            stored_kills += inbox > 0
            lives.append(bb.last_processed(db) - before)
            bot.start()
        feeder.join(max(1.0, deadline - time.monotonic()))
        if feeder.is_alive():
            raise TimeoutError("the answers were not all produced in time")
        bb.log(
            f"fed {report['fed']} ({report['errors']} refused {report['first_error'] or ''}); "
            f"{kills} kills; updates committed per life: {lives}"
        )
        last_uid = report["last_uid"]

        def caught_up() -> bool:
            return bb.last_processed(db) >= last_uid

        bb.wait_until(caught_up, 300, "the last answer", 0.1, lambda: bot.alive)
        bb.wait_idle(db, ctl, timeout=120)
        bot.stop()
        check = bb.compare(db, plan)
        log_text = (work / "bot.log").read_text(errors="replace")
        failed = log_text.count("handler failed") + log_text.count("could not be read")
        uncertain = bb.scalar(db, "SELECT count(*) FROM outbox WHERE state = 'uncertain'")

        print()
        print(
            f"citizens: {len(users)}   answers produced: {report['fed']}   bot starts:"
            f" {bot.starts}   SIGKILLs: {kills} during answers ({startup_kills} in start-up;"
            f" {busy_kills} left updates unconfirmed or unprocessed, {stored_kills} of them"
            f" stored but unprocessed)"
            f" + {poll_kills} during poll delivery"
        )
        print(
            f"final voters expected: {check['expected_voters']}   rows in answers: {check['rows']}"
        )
        print(
            f"lost: {check['lost']} (missing {check['missing']}, wrong {check['wrong']})   "
            f"double: {check['double']} (extra rows {check['extra']}, duplicate rows "
            f"{check['duplicate_rows']})   tally over-count: {check['tally_over']}"
        )
        print(f"tally expected {check['tally_expected']}  actual {check['tally_actual']}")
        print(f"handler failures in the bot's log: {failed}   outbox 'uncertain': {uncertain}")
        if poll_kills:
            lost_unrecorded = sum(1 for u in unrecorded if u in plan.final)
            print(
                f"polls shown to citizens but not recorded by the bot: {len(unrecorded)}"
                f" {unrecorded[:5]} (their final answers expected: {lost_unrecorded});"
                f" never sent: {len(users) - len(seen)}"
            )
        print(f"SIGKILLs >= {args.kills}: {bb.verdict(kills + poll_kills >= args.kills)}")
        print(f"0 lost: {bb.verdict(check['lost'] == 0)}")
        print(f"0 double-counted: {bb.verdict(check['double'] == 0 and check['tally_over'] == 0)}")
        return check
    finally:
        bot.close()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=5000.0, help="answers produced per second")
    parser.add_argument("--kills", type=int, default=15, help="at least this many SIGKILLs")
    parser.add_argument(
        "--life",
        type=float,
        nargs=2,
        default=(0.0, 0.8),
        metavar=("MIN", "MAX"),
        help="seconds from a life's first commit to its SIGKILL, drawn uniformly",
    )
    parser.add_argument(
        "--startup-share", type=float, default=0.2, help="share of kills during start-up"
    )
    parser.add_argument("--kill-during-polls", type=int, default=0, metavar="N")
    parser.add_argument("--feed", choices=("inproc", "http"), default="inproc")
    parser.add_argument("--timeout", type=float, default=600)
    bb.common_args(parser)
    args = parser.parse_args(argv)
    return bb.run_bench(args, "bench-durability-", run)


if __name__ == "__main__":
    sys.exit(main())
