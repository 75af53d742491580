"""`python -m bot`: run the citizens' bot with settings from the environment."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from bot import logs
from bot.app import run
from bot.settings import Settings
from civicloop.publish import publisher_from_env


def main() -> int:
    try:
        settings = Settings.from_env()
        publisher = publisher_from_env()
    except (ValueError, OSError) as error:  # bad settings, an unreadable secret file
        print(f"civicloop bot: {error}", file=sys.stderr)
        return 2
    logs.setup([*settings.redactions(), os.environ.get("GITHUB_TOKEN", "")])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(settings, publisher))
    return 0


if __name__ == "__main__":
    sys.exit(main())
