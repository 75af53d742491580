"""Polls: their `polls` state, the `answers` and `comments` under pseudonyms, the
`poll_messages` sent and the `poll_aliases` learnt; a poll's answers as the tally gets them."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.outbox_key import OutboxKey, Purpose
from bot.store.connection import Connection, now
from civicloop.answers import VERSION, Ballot, PollAnswers
from civicloop.fields import OPTIONS
from civicloop.languages import DEFAULT

MOST = OPTIONS[1]  # option indexes a poll may have: 0 to MOST - 1

POLL_FIELDS = frozenset(
    {
        "opened_at",
        "closed_at",
        "published_at",
        "publish_error",
        "publish_after",
        "publish_attempts",
        "published_url",
        "results_told_at",
    }
)


class Polls(Connection):
    def record_answer(
        self,
        poll_id: str,
        user_id: int,
        options: list[int],
        update_id: int,
        language: str = DEFAULT,
        role: str | None = None,
    ) -> None:
        """Keep the user's latest choice; an empty list retracts it; older updates never win.
        `role`: the member role the person held in the poll's committee when answering (None:
        one of the public), which the results count apart."""
        voter = self.voter(user_id)
        if not options:
            self.db.execute(
                "DELETE FROM answers WHERE poll_id = ? AND voter = ? AND update_id <= ?",
                (poll_id, voter, update_id),
            )
            return
        self.db.execute(
            "INSERT INTO answers "
            "(poll_id, voter, options, update_id, answered_at, language, role) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (poll_id, voter) DO UPDATE "
            "SET options = excluded.options, update_id = excluded.update_id, "
            "answered_at = excluded.answered_at, language = excluded.language, "
            "role = excluded.role WHERE excluded.update_id > answers.update_id",
            (poll_id, voter, json.dumps(sorted(set(options))), update_id, now(), language, role),
        )

    def record_comment(self, poll_id: str, user_id: int, text: str, update_id: int) -> None:
        """A respondent's latest comment on a poll, under the same pseudonym as the answer."""
        self.db.execute(
            "INSERT INTO comments VALUES (?, ?, ?, ?) ON CONFLICT (poll_id, voter) DO UPDATE "
            "SET text = excluded.text, update_id = excluded.update_id "
            "WHERE excluded.update_id > comments.update_id",
            (poll_id, self.voter(user_id), text, update_id),
        )

    def poll_of_message(self, chat_id: int, message_id: int) -> str | None:
        row = self.db.execute(
            "SELECT poll_id FROM poll_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        ).fetchone()
        return row[0] if row else None

    def poll_for_telegram_id(self, telegram_poll_id: str) -> str | None:
        row = self.db.execute(
            "SELECT poll_id FROM poll_messages WHERE telegram_poll_id = ? "
            "UNION ALL SELECT poll_id FROM poll_aliases WHERE telegram_poll_id = ?",
            (telegram_poll_id, telegram_poll_id),
        ).fetchone()
        return row[0] if row else None

    def learn_poll_id(
        self, telegram_poll_id: str, user_id: int, open_polls: set[str]
    ) -> str | None:
        """An answer to a Telegram poll we never heard back about (its send was cut short):
        if exactly one open poll was sent to this user, it is that one."""
        candidates = {
            OutboxKey.parse(row[0]).subject
            for row in self.db.execute(
                "SELECT key FROM outbox WHERE key LIKE ? AND user_id = ? "
                "AND state IN ('sent', 'sending', 'pending', 'uncertain')",
                (OutboxKey.like(Purpose.POLL), user_id),
            )
        } & open_polls
        if len(candidates) != 1:
            return None
        (poll_id,) = candidates
        self.db.execute(
            "INSERT OR IGNORE INTO poll_aliases VALUES (?, ?)", (telegram_poll_id, poll_id)
        )
        return poll_id

    def answers(self, poll_id: str) -> list[list[int]]:
        rows = self.db.execute("SELECT options FROM answers WHERE poll_id = ?", (poll_id,))
        return [json.loads(r[0]) for r in rows]

    def poll_state(self, poll_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM polls WHERE poll_id = ?", (poll_id,)).fetchone()

    def mark_poll(self, poll_id: str, **fields: Any) -> None:
        self.db.execute("INSERT OR IGNORE INTO polls (poll_id) VALUES (?)", (poll_id,))
        for name, value in fields.items():
            if name not in POLL_FIELDS:  # a column name in SQL: never taken from elsewhere
                raise ValueError(f"polls has no settable field {name!r}")
            self.db.execute(f"UPDATE polls SET {name} = ? WHERE poll_id = ?", (value, poll_id))

    def record_poll_message(
        self, poll_id: str, user_id: int, chat_id: int, message_id: int, telegram_id: str | None
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO poll_messages "
            "(poll_id, user_id, chat_id, message_id, telegram_poll_id) VALUES (?, ?, ?, ?, ?)",
            (poll_id, user_id, chat_id, message_id, telegram_id),
        )

    def poll_messages(self, poll_id: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM poll_messages WHERE poll_id = ? ORDER BY user_id", (poll_id,)
        ).fetchall()

    def poll_answers(self, poll_id: str) -> PollAnswers:
        """What the tally needs of a poll, and no more: each answer's options and language
        (no pseudonym, in an order of their own), the comments apart from the answers (the
        results list them unlinked), when the poll opened and closed. Option indexes no poll
        has (a forged update's) are left out, as the tally ignores them."""
        ballots = self.db.execute(
            "SELECT options, language, role FROM answers WHERE poll_id = ? "
            "ORDER BY options, language, role",
            (poll_id,),
        )
        comments = self.db.execute(
            "SELECT text FROM comments WHERE poll_id = ? ORDER BY text", (poll_id,)
        )
        state = self.poll_state(poll_id)
        return PollAnswers(
            version=VERSION,
            poll=poll_id,
            opened=_moment(state["opened_at"]) if state else None,
            closed=_moment(state["closed_at"]) if state else None,
            answers=[
                Ballot(options=chosen, group=group, role=role)
                for options, group, role in ballots
                if (chosen := [i for i in json.loads(options) if type(i) is int and 0 <= i < MOST])
            ],
            comments=[text for (text,) in comments],
        )

    def answerers(self, poll_id: str, unsent: OutboxKey) -> list[sqlite3.Row]:
        """The people who answered `poll_id` and want to hear of results, but for those with
        the message `unsent` (a key made without a user) queued already."""
        return self.db.execute(
            "SELECT u.* FROM users u WHERE u.results_news = 1 AND NOT EXISTS (SELECT 1 FROM "
            "outbox o WHERE o.key = ? || u.user_id) AND EXISTS (SELECT 1 FROM answers a "
            "WHERE a.poll_id = ? AND a.voter = voter(u.user_id)) ORDER BY u.user_id",
            (unsent.prefix, poll_id),
        ).fetchall()

    def participants(
        self, committee: str, polls: list[str], unsent: OutboxKey
    ) -> list[sqlite3.Row]:
        """Who took part in `committee`: answered one of its `polls`, or holds a role in it;
        but for those with the message `unsent` (a key made without a user) queued already."""
        marks = ", ".join("?" * len(polls)) or "NULL"
        return self.db.execute(
            "SELECT u.* FROM users u WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE "
            "o.key = ? || u.user_id) AND (EXISTS (SELECT 1 FROM answers a WHERE "
            f"a.voter = voter(u.user_id) AND a.poll_id IN ({marks})) OR EXISTS (SELECT 1 "
            "FROM roles r WHERE r.voter = voter(u.user_id) AND r.committee = ?)) "
            "ORDER BY u.user_id",
            (unsent.prefix, *polls, committee),
        ).fetchall()

    def due_publications(self, now: datetime) -> list[str]:
        """Closed polls whose results are not out yet and whose next attempt is due. A poll
        this bot never opened (it closed before the bot knew of it) has no answers of ours:
        its results, if any, came from elsewhere."""
        rows = self.db.execute(
            "SELECT poll_id FROM polls WHERE closed_at IS NOT NULL AND published_at IS NULL "
            "AND opened_at IS NOT NULL AND (publish_after IS NULL OR publish_after <= ?)",
            (now.isoformat(),),
        )
        return [poll_id for (poll_id,) in rows]


def _moment(stored: str | None) -> datetime | None:
    return datetime.fromisoformat(stored) if stored else None
