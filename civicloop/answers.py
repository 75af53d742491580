"""Reading poll answers from the bot's SQLite store (its `answers` and `comments` tables, see
bot/store.py), so the CLI can tally a poll without importing the bot."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from civicloop.results import Answer


def read_answers(db: sqlite3.Connection, poll_id: str) -> list[Answer]:
    rows = db.execute(
        "SELECT a.options, a.language, c.text FROM answers a LEFT JOIN comments c "
        "ON c.poll_id = a.poll_id AND c.voter = a.voter WHERE a.poll_id = ? ORDER BY a.voter",
        (poll_id,),
    ).fetchall()
    answers = [Answer(json.loads(options), language, text) for options, language, text in rows]
    # Comments from people who did not (or no longer) answer still reach the editors.
    lone = db.execute(
        "SELECT text FROM comments c WHERE poll_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM answers a WHERE a.poll_id = c.poll_id AND a.voter = c.voter)",
        (poll_id,),
    ).fetchall()
    return answers + [Answer([], "", text) for (text,) in lone]


def poll_times(db: sqlite3.Connection, poll_id: str) -> tuple[str | None, str | None]:
    row = db.execute("SELECT opened_at, closed_at FROM polls WHERE poll_id = ?", (poll_id,))
    found = row.fetchone()
    return (found[0], found[1]) if found else (None, None)


def open_store(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ValueError(f"no bot database at {path}; set CIVICLOOP_DB or --db")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
