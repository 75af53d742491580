"""The outbox `queue` of messages (one per key, ever) and the `sessions_seen` that decide
which announcements are queued."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from bot.outbox_key import RESENT_WHEN_UNSURE, OutboxKey, Purpose
from bot.store.connection import Connection, now

OUTBOX_FIELDS = frozenset({"attempts", "not_before", "error", "sent_at"})


class Queue(Connection):
    def enqueue(self, key: OutboxKey, user_id: int | None, chat_id: int, payload: dict) -> bool:
        """Queue one message; its key makes queueing idempotent (one message per key, ever)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox "
            "(key, user_id, chat_id, payload, not_before, created_at, priority) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (str(key), user_id, chat_id, json.dumps(payload), now(), now(), key.priority),
        )
        return cursor.rowcount == 1

    def due(self, limit: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM outbox WHERE state = 'pending' AND not_before <= ? "
            "ORDER BY priority, id LIMIT ?",
            (now(), limit),
        ).fetchall()

    def set_state(self, row_id: int, state: str, **fields: Any) -> None:
        if not fields.keys() <= OUTBOX_FIELDS:  # column names in SQL: never taken from elsewhere
            raise ValueError(f"outbox has no settable field among {sorted(fields)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(
            f"UPDATE outbox SET state = ?{', ' if sets else ''}{sets} WHERE id = ?",
            (state, *fields.values(), row_id),
        )

    def delete_message(self, row_id: int) -> None:
        self.db.execute("DELETE FROM outbox WHERE id = ?", (row_id,))

    def recover_outbox(self) -> int:
        """A message caught mid-send by a crash may have left: sent again if its kind is
        (replies, polls, closing a poll: see bot/outbox.py), else marked uncertain."""
        resent = sorted(RESENT_WHEN_UNSURE)
        self.db.execute(
            "UPDATE outbox SET state = 'pending' WHERE state = 'sending' AND ("
            + " OR ".join(["key LIKE ?"] * len(resent))
            + ")",
            [OutboxKey.like(purpose) for purpose in resent],
        )
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'uncertain', error = 'interrupted while sending' "
            "WHERE state = 'sending'"
        )
        return cursor.rowcount

    def answer_queued(self, update_id: int) -> bool:
        """Whether an answer to the update's button press is queued (see Civic.ack)."""
        row = self.db.execute(  # keys r:<update>:..., as a range so that the key index serves
            "SELECT 1 FROM outbox WHERE key >= ? AND key < ? "
            "AND payload LIKE '%\"answer_callback_query\"%'",
            (OutboxKey.replies_to(update_id), OutboxKey.replies_to(update_id)[:-1] + ";"),
        )
        return row.fetchone() is not None

    def uncertain_broadcasts(self) -> int:
        return self.db.execute(
            "SELECT count(*) FROM outbox WHERE state = 'uncertain' AND key LIKE ?",
            (OutboxKey.like(Purpose.BROADCAST),),
        ).fetchone()[0]

    def resend_uncertain_broadcasts(self) -> int:
        """An editor chose to send again the broadcast messages that may not have arrived."""
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'pending', not_before = ?, error = NULL "
            "WHERE state = 'uncertain' AND key LIKE ?",
            (now(), OutboxKey.like(Purpose.BROADCAST)),
        )
        return cursor.rowcount

    def outbox_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state")
        return {r[0]: r[1] for r in rows}

    def seen_sessions(self) -> dict[str, tuple[str, dict]]:
        rows = self.db.execute("SELECT session_id, hash, record FROM sessions_seen")
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def see_session(self, session_id: str, digest: str, record: dict) -> None:
        self.db.execute(
            "INSERT INTO sessions_seen VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE "
            "SET hash = excluded.hash, record = excluded.record",
            (session_id, digest, json.dumps(record)),
        )

    def seen_recommendations(self) -> dict[str, tuple[str, bool]]:
        """Each recommendation's status and whether its response was overdue, as last read."""
        rows = self.db.execute(
            "SELECT recommendation_id, status, overdue FROM recommendations_seen"
        )
        return {r[0]: (r[1], bool(r[2])) for r in rows}

    def see_recommendation(self, ident: str, status: str, overdue: bool) -> None:
        self.db.execute(
            "INSERT INTO recommendations_seen VALUES (?, ?, ?) ON CONFLICT (recommendation_id) "
            "DO UPDATE SET status = excluded.status, overdue = excluded.overdue",
            (ident, status, int(overdue)),
        )

    def results_news_since(self) -> datetime:
        """Results closed before the bot could tell of them (its store predates the feature)
        are not news: their answerers are not written to."""
        value = self.db.execute(
            "SELECT value FROM state WHERE key = 'results_news_since'"
        ).fetchone()[0]
        return datetime.fromtimestamp(value, UTC)
