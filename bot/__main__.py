"""`python -m bot`: run the citizens' bot with settings from the environment, until SIGTERM or
SIGINT (Ctrl-C); it then stops within seconds and exits 0.

`python -m bot answers POLL`: print a poll's answers as JSON for `civicloop results POLL
--answers -`; it reads only the database (CIVICLOOP_DB), with or without the bot running."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

from bot import logs
from bot.app import run
from bot.settings import Settings
from bot.store import Store
from civicloop.fields import SLUG
from civicloop.publisher.base import Publisher
from civicloop.publisher.env import publisher_from_env

log = logging.getLogger("bot")


async def until_signalled(settings: Settings, publisher: Publisher) -> None:
    """Run the bot; SIGTERM or SIGINT stops it (a second one cuts the graceful stop short)."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    signalled: list[signal.Signals] = []

    def stop(received: signal.Signals) -> None:
        log.info("%s received: stopping", received.name)
        signalled.append(received)
        main.cancel()

    for received in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(received, stop, received)
    try:
        await run(settings, publisher)
    except asyncio.CancelledError:
        if not signalled:
            raise
    log.info("civicloop bot stopped")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings: TELEGRAM_BOT_TOKEN and the other variables in .env.example (README).",
    )
    commands = root.add_subparsers(dest="command", metavar="[COMMAND]")  # none: run the bot
    answers = commands.add_parser(
        "answers",
        help="print a poll's answers as JSON (reads only CIVICLOOP_DB)",
        epilog="e.g. python -m bot answers POLL | civicloop results POLL --answers -",
    )
    answers.add_argument("poll", help="the poll id")
    return root


def print_answers(poll_id: str) -> int:
    """A poll's answers in the exchange format of civicloop/answers.py, on standard output."""
    if not re.fullmatch(SLUG, poll_id):
        print(f"civicloop bot: {poll_id!r} is not a poll id (a-z, 0-9 and -)", file=sys.stderr)
        return 2
    path = Path(os.environ.get("CIVICLOOP_DB", Settings.db))
    try:
        store = Store(path, b"", readonly=True)  # answers need no pseudonym: no secret
    except ValueError as error:
        print(f"civicloop bot: {error}", file=sys.stderr)
        return 2
    try:
        answers = store.poll_answers(poll_id)
    except (sqlite3.Error, ValueError) as error:  # locked past the timeout, rows of no shape
        print(f"civicloop bot: cannot read the answers in {path}: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if answers.opened is None and not answers.answers and not answers.comments:
        print(f"civicloop bot: {path} has no answers to poll {poll_id!r}", file=sys.stderr)
    sys.stdout.buffer.write(answers.model_dump_json(indent=1).encode() + b"\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "answers":
        return print_answers(args.poll)
    try:
        settings = Settings.from_env()
        publisher = publisher_from_env()
    except (ValueError, OSError) as error:  # bad settings, an unreadable secret file
        print(f"civicloop bot: {error}", file=sys.stderr)
        return 2
    logs.setup([*settings.redactions(), os.environ.get("GITHUB_TOKEN", "")])
    asyncio.run(until_signalled(settings, publisher))
    return 0


if __name__ == "__main__":
    sys.exit(main())
