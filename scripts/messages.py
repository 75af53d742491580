"""Refresh the bot's message catalogs: extract texts to bot/locales/bot.pot, merge into each .po.

Run after changing bot texts: `.venv/bin/python scripts/messages.py`, then translate the new
empty entries in bot/locales/<lang>/LC_MESSAGES/bot.po (tests fail while one is missing).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYBABEL = Path(sys.executable).with_name("pybabel")


def main() -> None:
    pot = ROOT / "bot/locales/bot.pot"
    subprocess.run(
        [
            PYBABEL,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "t:2",
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            pot,
            "bot",
        ],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [
            PYBABEL,
            "update",
            "-i",
            pot,
            "-d",
            ROOT / "bot/locales",
            "-D",
            "bot",
            "--no-fuzzy-matching",
            "--ignore-obsolete",  # a text no longer in the code leaves the catalogs too
        ],
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__).parse_args()  # --help, before any file changes
    main()
