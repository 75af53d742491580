"""The `inbox` of raw updates and the `state` of processing: an update is kept until its
effects commit, so a crash loses none and a re-delivered one changes nothing."""

from __future__ import annotations

import json
import os
from typing import Any

from bot.store.connection import Connection, now
from civicloop.escaping import paired


class Updates(Connection):
    def receive(self, updates: list[dict[str, Any]]) -> int:
        """Record raw updates durably; an update seen before is ignored. Returns how many new.

        The write-ahead log is synced to disk after this commit (other commits need not be):
        once Telegram is told, the update must survive even a power cut, and the sync makes
        every earlier commit durable too. (Syncing by hand costs a fraction of a millisecond;
        `PRAGMA synchronous = FULL` around the commit made the bot five times slower.)"""
        with self.transaction() as db:
            done = self.last_processed()
            before = db.total_changes
            fresh = [u for u in updates if u["update_id"] > done]
            db.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(u["update_id"], json.dumps(_encodable(u)), now()) for u in fresh],
            )
            added = db.total_changes - before
        self._sync_log()
        return added

    def _sync_log(self) -> None:
        if self.path is None:
            return
        fd = os.open(f"{self.path}-wal", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def pending_updates(self, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT update_id, payload FROM inbox ORDER BY update_id LIMIT ?", (limit,)
        ).fetchall()
        return [(r[0], json.loads(r[1])) for r in rows]

    def mark_processed(self, update_id: int) -> None:
        """Drop the update (it may hold personal text) and remember how far processing got."""
        self.db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
        self.db.execute(
            "UPDATE state SET value = max(value, ?) WHERE key = 'last_processed_update'",
            (update_id,),
        )

    def last_processed(self) -> int:
        return self.db.execute(
            "SELECT value FROM state WHERE key = 'last_processed_update'"
        ).fetchone()[0]

    def last_update_id(self) -> int:
        """The highest update id held durably: the next getUpdates offset is one more."""
        newest = self.db.execute("SELECT max(update_id) FROM inbox").fetchone()[0]
        return max(newest or 0, self.last_processed())


def _encodable(value: Any) -> Any:
    """An update whose every string UTF-8 (and so SQLite) can hold: JSON may carry unpaired
    surrogates, which a hostile server or client can send in any text field."""
    if isinstance(value, str):
        return paired(value)
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value
