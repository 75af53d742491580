"""The bot's SQLite store: only what the bot must remember, in tables you can open with `sqlite3`.

Every update is written to `inbox` before Telegram is told it was received, and its effects are
committed in the same transaction that marks it processed; so a crash at any moment loses
nothing and a re-delivered update changes nothing.

Every SQL statement on the bot's tables is in this package, one module per concern; `Store`
puts them together, so callers see one object with flat methods.
"""

from __future__ import annotations

from typing import Any

from bot.store.connection import private_files
from bot.store.members import Members
from bot.store.menus import Menus
from bot.store.polls import Polls
from bot.store.queue import Queue
from bot.store.updates import Updates

__all__ = ["Store", "private_files"]


class Store(Updates, Members, Menus, Polls, Queue):
    def stats(self) -> dict[str, Any]:
        one = self.db.execute
        return {
            "users": one("SELECT count(*) FROM users").fetchone()[0],
            "subscriptions": dict(
                one("SELECT committee, count(*) FROM subscriptions GROUP BY committee").fetchall()
            ),
            "answers": one("SELECT count(*) FROM answers").fetchone()[0],
            "outbox": self.outbox_counts(),
            "inbox_pending": one("SELECT count(*) FROM inbox").fetchone()[0],
        }
