"""People: `users`, their `subscriptions` and editors' `drafts`; the pseudonym answers are
stored under; what a person may see of themselves and erasing them (`/forget`)."""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from bot.outbox_key import OutboxKey
from bot.store.connection import Connection, now

# the kinds of "you said, we did" message a person can turn off, and their column in `users`
NEWS = {"results": "results_news", "recommendations": "recommendation_news"}


class People(Connection):
    def user(self, user_id: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM users WHERE user_id = ?", (user_id,)).fetchone()

    def ensure_user(self, user_id: int, chat_id: int, language: str) -> sqlite3.Row:
        self.db.execute(
            "INSERT INTO users (user_id, chat_id, language, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id",
            (user_id, chat_id, language, now()),
        )
        return self.user(user_id)

    def set_language(self, user_id: int, language: str) -> None:
        self.db.execute("UPDATE users SET language = ? WHERE user_id = ?", (language, user_id))

    def set_reminders(self, user_id: int, on: bool) -> None:
        self.db.execute("UPDATE users SET reminders = ? WHERE user_id = ?", (int(on), user_id))

    def set_news(self, user_id: int, kind: str, on: bool) -> None:
        """Opt in or out of one kind of "you said, we did" message (`NEWS`)."""
        if kind not in NEWS:  # a column name in SQL: never taken from elsewhere
            raise ValueError(f"no kind of news called {kind!r}")
        self.db.execute(f"UPDATE users SET {NEWS[kind]} = ? WHERE user_id = ?", (int(on), user_id))

    def roles(self, user_id: int) -> list[sqlite3.Row]:
        """The person's roles in committees (bot/store/members.py), as /mydata and /settings
        show them."""
        return self.db.execute(
            "SELECT committee, role, since FROM roles WHERE voter = ? ORDER BY committee",
            (self.voter(user_id),),
        ).fetchall()

    def subscriptions(self, user_id: int) -> list[str]:
        rows = self.db.execute(
            "SELECT committee FROM subscriptions WHERE user_id = ? ORDER BY committee", (user_id,)
        )
        return [r[0] for r in rows]

    def subscribe(self, user_id: int, committee: str, on: bool) -> None:
        if on:
            self.db.execute(
                "INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?)", (user_id, committee, now())
            )
        else:
            self.db.execute(
                "DELETE FROM subscriptions WHERE user_id = ? AND committee = ?",
                (user_id, committee),
            )

    def unsubscribe_all(self, user_id: int) -> None:
        self.db.execute("DELETE FROM subscriptions WHERE user_id = ?", (user_id,))

    def subscribers(
        self,
        committee: str,
        reminders_only: bool = False,
        unsent: OutboxKey | None = None,
        news: str | None = None,
    ) -> list[sqlite3.Row]:
        """Who follows `committee`; with `unsent` (a key made without a user), only those with
        no such message yet (so a tick does no work for people already served); with `news`
        (a kind of `NEWS`), only those who want that kind."""
        sql = "SELECT u.* FROM users u JOIN subscriptions s USING (user_id) WHERE s.committee = ?"
        args: list[Any] = [committee]
        if reminders_only:
            sql += " AND u.reminders = 1"
        if news is not None:
            sql += f" AND u.{NEWS[news]} = 1"  # a column name from the table above
        if unsent is not None:
            sql += " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = ? || u.user_id)"
            args.append(unsent.prefix)
        return self.db.execute(sql + " ORDER BY u.user_id", args).fetchall()

    def forget(self, user_id: int) -> None:
        """Erase every row about the user, and let no copy of them survive on disk.

        Answers and comments on polls still open are deleted. A closed poll's count is final:
        the person's answer stays in it, unlinked (its pseudonym replaced by a random one, no
        time), like a ballot in a counted box; their comment is deleted unless the results
        (which editors review and may have published with it) are already out, where it stays
        unlinked too. Zeroed by secure delete, the pages the rows were on leave the `-wal`
        file at the checkpoint after the commit, and again once the farewell is sent."""
        voter = self.voter(user_id)
        closed = "SELECT poll_id FROM polls WHERE closed_at IS NOT NULL"
        published = closed + " AND published_at IS NOT NULL"
        with self.transaction() as db:
            chat = db.execute("SELECT chat_id FROM users WHERE user_id = ?", (user_id,)).fetchone()
            for table, kept in (("answers", closed), ("comments", published)):
                sql = f"DELETE FROM {table} WHERE voter = ? AND poll_id NOT IN ({kept})"
                db.execute(sql, (voter,))
            for (poll_id,) in db.execute(
                "SELECT poll_id FROM answers WHERE voter = ? UNION "
                "SELECT poll_id FROM comments WHERE voter = ?",
                (voter, voter),
            ).fetchall():
                anonymous = secrets.token_hex(32)  # one per poll, so answer and comment pair up
                db.execute(
                    "UPDATE answers SET voter = ?, update_id = 0, answered_at = "
                    "(SELECT closed_at FROM polls p WHERE p.poll_id = answers.poll_id) "
                    "WHERE poll_id = ? AND voter = ?",
                    (anonymous, poll_id, voter),
                )
                db.execute(
                    "UPDATE comments SET voter = ?, update_id = 0 WHERE poll_id = ? AND voter = ?",
                    (anonymous, poll_id, voter),
                )
            db.execute("DELETE FROM roles WHERE voter = ?", (voter,))
            db.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
            db.execute("DELETE FROM outbox WHERE user_id = ?", (user_id,))
            if chat:
                db.execute("DELETE FROM outbox WHERE chat_id = ?", (chat[0],))
            db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))  # cascades
            last = db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
            self._farewells[chat[0] if chat else user_id] = last
            self._scrub = True

    def personal_data(self, user_id: int) -> dict[str, Any]:
        user = self.user(user_id)
        if user is None:
            return {}
        answers = self.db.execute(
            "SELECT poll_id, options, role, answered_at FROM answers WHERE voter = ? "
            "ORDER BY poll_id",
            (self.voter(user_id),),
        ).fetchall()
        comments = self.db.execute(
            "SELECT poll_id, text FROM comments WHERE voter = ? ORDER BY poll_id",
            (self.voter(user_id),),
        ).fetchall()
        polls = self.db.execute(
            "SELECT poll_id FROM poll_messages WHERE user_id = ? ORDER BY poll_id", (user_id,)
        ).fetchall()
        return {
            "user": dict(user),
            "subscriptions": self.subscriptions(user_id),
            "roles": [dict(r) for r in self.roles(user_id)],
            "polls_sent": [r[0] for r in polls],
            "answers": [dict(r) for r in answers],
            "comments": [dict(r) for r in comments],
        }

    def draft(self, user_id: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM drafts WHERE user_id = ?", (user_id,)).fetchone()

    def set_draft(self, user_id: int, committee: str | None, text: str | None = None) -> None:
        if committee is None:
            self.db.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
        else:
            self.db.execute(
                "INSERT INTO drafts VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
                "SET committee = excluded.committee, text = excluded.text",
                (user_id, committee, text),
            )
