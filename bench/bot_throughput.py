"""Benchmark: poll answers per second the bot processes and durably commits, end to end.

Why: a poll is sent to every subscriber at once, and answers come back in a burst (and citizens
change their minds). Each answer is a Telegram update the bot must store, confirm and count in
its SQLite DB (one transaction per update, so nothing is lost or counted twice). The target is at
least 1,000 committed answers per second on a 2-core machine, so a committee of thousands never
waits on the bot.

What it does:

1. builds open data with one committee and a single poll open now;
2. starts the local Bot API server in its own process (no flood limits: outgoing messages are not
   what is measured) and the bot in its own (`python -m bot`, `CIVICLOOP_TICK=0.2`,
   `CIVICLOOP_RATE` raised so the setup's poll delivery is quick);
3. subscribes `--citizens` citizens through the control API (each sends /committees and presses
   the committee's button), and waits until the bot has sent each the poll;
4. produces `--answers` poll answers (every citizen answers, many change their answer several
   times, some retract) as fast as the server accepts them, either
   `--feed inproc`: inside the server process (the server is `python bench/botbench.py serve`,
   i.e. the same `LocalBotApi` plus a stdin reader, which calls `Control.answer_poll`, the very
   code behind `POST /control/answer_poll`; no HTTP round trip per answer), or
   `--feed http`: from this process with `POST /control/answer_poll` on kept-alive connections;
5. watches `state.last_processed_update` in the bot's DB through a read-only connection (it is
   committed in the same transaction as the answer), and reports committed answers per second
   end to end (first answer produced -> last answer committed) and over the steady part
   (10% -> 90% committed); then checks the tally against what was sent.

It is not a test: it prints figures and PASS/FAIL, and exits 0 either way (1 if it crashed).

    .venv/bin/python bench/bot_throughput.py                      # 2,000 citizens, 20,000 answers
    .venv/bin/python bench/bot_throughput.py --feed http
    .venv/bin/python bench/bot_throughput.py --citizens 500 --answers 5000   # quick look
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import botbench as bb

TARGET = 1000.0  # committed answers per second


def run(args: argparse.Namespace, work: Path) -> dict[str, float | None]:
    data = bb.publish_data(work, poll_kind="single", n_options=3)
    db = work / "bot.sqlite3"
    server = bb.Server(work, limits=False, feeder=args.feed == "inproc").start()
    bot = bb.BotProcess(
        work,
        server.url,
        data,
        db,
        env_extra={"CIVICLOOP_RATE": "100000", "CIVICLOOP_TICK": str(args.tick)},
    )
    try:
        ctl = bb.Ctl(server.url)
        users = list(range(1, args.citizens + 1))
        bb.log(f"server {server.url}; adding {len(users)} citizens")
        bb.add_citizens(ctl, users)
        bot.start()
        bb.wait_until(lambda: ctl.stats()["calls"].get("getUpdates", 0) > 0, 60, "the bot to poll")
        bb.log("bot polling; citizens subscribe (/committees, then the button)")
        t = time.monotonic()
        bb.subscribe(ctl, users, db, timeout=300)
        polls = bb.wait_polls_delivered(db, len(users), timeout=300)
        base = bb.wait_idle(db, ctl, timeout=120)
        bb.log(f"setup done in {time.monotonic() - t:.1f} s; poll delivered to {len(polls)}")

        plan = bb.make_plan(
            polls, args.answers, n_options=3, multiple=False, retract_share=0.1, seed=args.seed
        )
        n = len(plan.answers)
        points: list[tuple[float, int]] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                points.append((time.monotonic(), bb.last_processed(db) - base))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        bb.log(
            f"feeding {n} answers ({plan.changes()} changes, {plan.retractions()} retractions)"
            f" via {args.feed}"
        )
        if args.feed == "inproc":
            report = server.order({"answers": plan.answers, "chunk": 200})
        else:
            report = bb.feed_http(ctl, plan.answers, workers=args.workers)
        bb.log(
            f"fed {report['fed']} in {report['t1'] - report['t0']:.2f} s "
            f"({report['fed'] / max(1e-9, report['t1'] - report['t0']):.0f}/s accepted), "
            f"{report['errors']} refused {report['first_error'] or ''}"
        )
        if report["first_uid"] != base + 1:
            bb.log(f"warning: first answer is update {report['first_uid']}, expected {base + 1}")
        fed = report["fed"]
        deadline = time.monotonic() + args.timeout
        while (not points or points[-1][1] < fed) and time.monotonic() < deadline:
            if not bot.alive:
                raise RuntimeError("the bot died:\n" + bot.tail())
            time.sleep(0.05)
        stop.set()
        watcher.join()
        committed = points[-1][1] if points else 0
        done_at = next((t for t, c in points if c >= fed), None)
        end_to_end = fed / (done_at - report["t0"]) if done_at else None
        steady = bb.rate_between(points, int(fed * 0.1), int(fed * 0.9))
        check = bb.compare(db, plan)
        idle_pending = ctl.stats()["pending_updates"]

        print()
        print(f"citizens: {len(users)}   answers produced: {fed}   committed: {committed}")
        if end_to_end:
            print(f"end to end: {done_at - report['t0']:.2f} s -> {end_to_end:.0f} answers/s")
        else:
            print(f"end to end: not finished within {args.timeout:.0f} s")
        print(f"steady (10%..90% committed): {steady or 0:.0f} answers/s")
        print(
            f"tally check: lost {check['lost']} (missing {check['missing']}, wrong"
            f" {check['wrong']}), double {check['double']}; server pending {idle_pending}"
        )
        print(
            f"answers/s (end to end) >= {TARGET:.0f}: "
            f"{bb.verdict(bool(end_to_end) and end_to_end >= TARGET)}"
        )
        print(
            f"tally exact (0 lost, 0 double): "
            f"{bb.verdict(check['lost'] == 0 and check['double'] == 0)}"
        )
        return {"end_to_end": end_to_end, "steady": steady}
    finally:
        bot.close()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=20000)
    parser.add_argument("--feed", choices=("inproc", "http"), default="inproc")
    parser.add_argument("--workers", type=int, default=4, help="HTTP feeding threads")
    parser.add_argument("--tick", type=float, default=0.2, help="CIVICLOOP_TICK for the bot")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for commits")
    bb.common_args(parser)
    args = parser.parse_args(argv)
    return bb.run_bench(args, "bench-throughput-", run)


if __name__ == "__main__":
    sys.exit(main())
