"""`python -m bot`: run the citizens' bot with settings from the environment, until SIGTERM or
SIGINT (Ctrl-C); it then stops within seconds and exits 0.

`python -m bot answers POLL`: print a poll's answers as JSON for `civicloop results POLL
--answers -`; it reads only the database (CIVICLOOP_DB), with or without the bot running.

`python -m bot invite --committee SLUG --role citizen --count 30`: print one-time invitation
links for a committee's members (organisers hand each member one); the store keeps only their
hashes. Opened in Telegram, a link records the role under the member's pseudonym."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

from telegram.error import InvalidToken

from bot import logs
from bot.app import run
from bot.settings import Settings
from bot.sitedata import fetch
from bot.store import Store
from civicloop import follow
from civicloop.content import Member
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
    invite = commands.add_parser(
        "invite",
        help="print one-time invitation links for a committee's members",
        epilog="e.g. python -m bot invite --committee wallonia --role citizen --count 30",
    )
    invite.add_argument("--committee", required=True, help="the committee's slug")
    invite.add_argument("--role", required=True, choices=ROLES, help="the members' role")
    invite.add_argument("--count", type=int, default=1, help="how many links (1 to 1000)")
    invite.add_argument(
        "--expires",
        metavar="DAYS",
        type=days,
        help=f"the links expire after DAYS days (more than 0, at most {MOST_DAYS})",
    )
    return root


MOST_DAYS = 3650


def days(text: str) -> float:
    """`--expires`: a number of days, more than 0 and at most MOST_DAYS (ten years)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < value <= MOST_DAYS:  # also false for nan; inf is above
        raise argparse.ArgumentTypeError(
            f"{text!r}: the links must expire after more than 0 and at most {MOST_DAYS} days"
        )
    return value


ROLES = get_args(Member.model_fields["role"].annotation)


def print_invitations(args: argparse.Namespace, env: dict[str, str]) -> int:
    """One link per line on standard output; what was made, on standard error."""
    try:
        bot = follow.username(env)
    except ValueError as error:
        print(f"civicloop bot: {error}", file=sys.stderr)
        return 2
    data = env.get("CIVICLOOP_DATA", Settings.data)
    db = Path(env.get("CIVICLOOP_DB", Settings.db))
    if bot is None:
        print(
            "civicloop bot: set CIVICLOOP_BOT_USERNAME to the bot's username: the links open it",
            file=sys.stderr,
        )
        return 2
    if not re.fullmatch(SLUG, args.committee):
        print(f"civicloop bot: {args.committee!r} is not a committee slug", file=sys.stderr)
        return 2
    if not 1 <= args.count <= 1000:
        print("civicloop bot: --count is 1 to 1000", file=sys.stderr)
        return 2
    if not db.is_file():  # a new database would hold links the bot, reading its own, refuses
        print(
            f"civicloop bot: no bot database at {db} (CIVICLOOP_DB): set it to the file the "
            "running bot uses (the bot creates it when it first starts)",
            file=sys.stderr,
        )
        return 2
    try:
        known = asyncio.run(fetch(data)).committees
    except Exception as error:  # unreadable data: say where it was looked for
        print(
            f"civicloop bot: cannot read the site's data at {data} (CIVICLOOP_DATA) "
            f"to check the committee: {error}",
            file=sys.stderr,
        )
        return 1
    if args.committee not in known:
        print(
            f"civicloop bot: the site has no committee {args.committee!r}; it has: "
            + ", ".join(sorted(known)),
            file=sys.stderr,
        )
        return 2
    expires = None
    if args.expires is not None:
        expires = datetime.now(UTC) + timedelta(days=args.expires)
    store = Store(db, b"")  # invitations need no pseudonym: the bot's key stays with it
    try:
        tokens = store.invite(args.committee, args.role, args.count, expires)
        left = store.invitations_left(args.committee)
    finally:
        store.close()
    for token in tokens:
        print(follow.link(bot, follow.invitation(token)))
    until = f", valid until {expires.isoformat(timespec='minutes')}" if expires else ""
    print(
        f"{len(tokens)} single-use link(s) for the role {args.role} in {args.committee}{until}; "
        "unused links of this committee: "
        + ", ".join(f"{role} {count}" for role, count in sorted(left.items())),
        file=sys.stderr,
    )
    return 0


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
    if args.command == "invite":
        return print_invitations(args, dict(os.environ))
    try:
        settings = Settings.from_env()
        publisher = publisher_from_env()
    except (ValueError, OSError) as error:  # bad settings, an unreadable secret file
        print(f"civicloop bot: {error}", file=sys.stderr)
        return 2
    logs.setup([*settings.redactions(), os.environ.get("GITHUB_TOKEN", "")])
    try:
        asyncio.run(until_signalled(settings, publisher))
    except InvalidToken:  # its text holds the token
        log.error(
            "the Bot API server at %s rejected TELEGRAM_BOT_TOKEN (401 or 404): give the token"
            " @BotFather gave this bot, and check TELEGRAM_API_URL",
            settings.api_url,
        )
        return 2
    except Exception:  # through the log, which redacts the secrets that Python's print would not
        log.critical("civicloop bot stopped by an error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
