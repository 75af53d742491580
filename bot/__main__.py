"""`python -m bot`: run the citizens' bot with settings from the environment, until SIGTERM or
SIGINT (Ctrl-C); it then stops within seconds and exits 0."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from bot import logs
from bot.app import run
from bot.settings import Settings
from civicloop.publish import Publisher, publisher_from_env

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
    return argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        epilog="Settings: TELEGRAM_BOT_TOKEN and the other variables in .env.example (README).",
    )


def main(argv: list[str] | None = None) -> int:
    parser().parse_args(argv)
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
