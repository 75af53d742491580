"""The bot's SQLite store: only what the bot must remember, in tables you can open with `sqlite3`.

Every update is written to `inbox` before Telegram is told it was received, and its effects are
committed in the same transaction that marks it processed; so a crash at any moment loses
nothing and a re-delivered update changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.outbox_key import RESENT_WHEN_UNSURE, OutboxKey, Purpose
from civicloop.escaping import paired
from civicloop.languages import DEFAULT

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO state VALUES ('last_processed_update', 0);
    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        language TEXT NOT NULL DEFAULT 'en',
        reminders INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
        committee TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, committee)
    );
    CREATE TABLE sessions_seen (
        session_id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        user_id INTEGER REFERENCES users ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_due ON outbox (not_before, id) WHERE state = 'pending';
    CREATE TABLE poll_messages (
        poll_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        telegram_poll_id TEXT,
        stopped INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (poll_id, user_id)
    );
    CREATE INDEX poll_messages_telegram ON poll_messages (telegram_poll_id);
    CREATE TABLE answers (
        poll_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        options TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (poll_id, voter)
    );
    CREATE TABLE polls (
        poll_id TEXT PRIMARY KEY,
        opened_at TEXT,
        closed_at TEXT,
        published_at TEXT,
        publish_attempts INTEGER NOT NULL DEFAULT 0,
        publish_error TEXT
    );
    CREATE TABLE drafts (
        user_id INTEGER PRIMARY KEY,
        committee TEXT NOT NULL,
        text TEXT
    );
    """,
    # 2: the respondent's language (the one breakdown results offer), comments, publishing
    """
    ALTER TABLE answers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    CREATE TABLE comments (
        poll_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        text TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        PRIMARY KEY (poll_id, voter)
    );
    ALTER TABLE polls ADD COLUMN publish_after TEXT;
    ALTER TABLE polls ADD COLUMN published_url TEXT;
    """,
    # 3: replies before bulk messages; a Telegram poll id learnt late still finds its poll
    """
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
    DROP INDEX outbox_due;
    CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending';
    CREATE TABLE poll_aliases (
        telegram_poll_id TEXT PRIMARY KEY,
        poll_id TEXT NOT NULL
    );
    """,
]


# SQLite makes these with the database file's own mode: a 0600 database keeps them private.
SIDE_FILES = ("-wal", "-shm", "-journal")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextmanager
def private_files() -> Iterator[None]:
    """Files and folders made inside are readable by their owner only (umask 077)."""
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


def make_private(path: Path) -> None:
    """Create `path`'s folder 0700 if missing, and `path` 0600 (made so if it exists)."""
    with private_files():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


class Store:
    def __init__(self, path: Path | str, secret: bytes):
        self.path = None if str(path) == ":memory:" else Path(path)
        if self.path is not None:
            make_private(self.path)
            for suffix in SIDE_FILES:
                if Path(f"{self.path}{suffix}").exists():
                    Path(f"{self.path}{suffix}").chmod(0o600)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        # Deleted rows are overwritten with zeros, in their page and in freed pages.
        self.db.execute("PRAGMA secure_delete = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        self._secret = secret
        self._depth = 0
        self._scrub = False
        self._farewells: dict[int, int] = {}  # chat forgotten -> the last outbox id before
        self.migrate()
        self._scrub_once()

    def _scrub_once(self) -> None:
        """A database written before secure delete may hold deleted rows in its free space:
        rebuild it once (VACUUM) so that nothing erased earlier stays readable."""
        if self.db.execute("SELECT 1 FROM state WHERE key = 'secure_delete'").fetchone():
            return
        self.db.execute("VACUUM")
        self.db.execute("INSERT INTO state VALUES ('secure_delete', 1)")
        self._checkpoint()

    def _settle(self) -> None:
        """After a commit: once what was queued for a forgotten chat (the farewell) has left
        the queue, the pages it was on go from the `-wal` file too."""
        for chat, since in list(self._farewells.items()):
            waiting = self.db.execute(
                "SELECT 1 FROM outbox WHERE id > ? AND chat_id = ? "
                "AND state IN ('pending', 'sending') LIMIT 1",
                (since, chat),
            ).fetchone()
            if not waiting:
                del self._farewells[chat]
                self._scrub = True
        if self._scrub:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so that old versions of
        erased pages are gone from the `-wal` file too. Busy (a reader holds old pages): the
        next commit tries again, rather than keep the bot waiting."""
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            self.db.execute("PRAGMA busy_timeout = 5000")
        self._scrub = bool(busy)

    def migrate(self) -> None:
        """Apply the migrations this database has not seen; `PRAGMA user_version` counts them."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
            if self._scrub or self._farewells:
                self._settle()
        finally:
            self._depth = 0

    def close(self) -> None:
        self.db.close()

    def voter(self, user_id: int) -> str:
        """The pseudonym answers are stored under: no raw user id ever sits beside an answer."""
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()

    # inbox -----------------------------------------------------------------------------------

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

    # people ----------------------------------------------------------------------------------

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
        self, committee: str, reminders_only: bool = False, unsent: OutboxKey | None = None
    ) -> list[sqlite3.Row]:
        """Who follows `committee`; with `unsent` (a key made without a user), only those with
        no such message yet (so a tick does no work for people already served)."""
        sql = "SELECT u.* FROM users u JOIN subscriptions s USING (user_id) WHERE s.committee = ?"
        args: list[Any] = [committee]
        if reminders_only:
            sql += " AND u.reminders = 1"
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
            "SELECT poll_id, options, answered_at FROM answers WHERE voter = ? ORDER BY poll_id",
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
            "polls_sent": [r[0] for r in polls],
            "answers": [dict(r) for r in answers],
            "comments": [dict(r) for r in comments],
        }

    # polls -----------------------------------------------------------------------------------

    def record_answer(
        self,
        poll_id: str,
        user_id: int,
        options: list[int],
        update_id: int,
        language: str = DEFAULT,
    ) -> None:
        """Keep the user's latest choice; an empty list retracts it; older updates never win."""
        voter = self.voter(user_id)
        if not options:
            self.db.execute(
                "DELETE FROM answers WHERE poll_id = ? AND voter = ? AND update_id <= ?",
                (poll_id, voter, update_id),
            )
            return
        self.db.execute(
            "INSERT INTO answers (poll_id, voter, options, update_id, answered_at, language) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (poll_id, voter) DO UPDATE "
            "SET options = excluded.options, update_id = excluded.update_id, "
            "answered_at = excluded.answered_at, language = excluded.language "
            "WHERE excluded.update_id > answers.update_id",
            (poll_id, voter, json.dumps(sorted(set(options))), update_id, now(), language),
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
            assert name in {
                "opened_at",
                "closed_at",
                "published_at",
                "publish_error",
                "publish_after",
                "publish_attempts",
                "published_url",
            }
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

    # outbox ----------------------------------------------------------------------------------

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

    # announcements ---------------------------------------------------------------------------

    def seen_sessions(self) -> dict[str, tuple[str, dict]]:
        rows = self.db.execute("SELECT session_id, hash, record FROM sessions_seen")
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def see_session(self, session_id: str, digest: str, record: dict) -> None:
        self.db.execute(
            "INSERT INTO sessions_seen VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE "
            "SET hash = excluded.hash, record = excluded.record",
            (session_id, digest, json.dumps(record)),
        )

    # editors ---------------------------------------------------------------------------------

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
