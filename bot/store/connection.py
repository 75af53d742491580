"""The store's connection: the file kept private, the migrations applied, transactions and
savepoints, and erased rows kept off the disk (secure delete, checkpoints)."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.store.schema import MIGRATIONS

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


class Connection:
    """`readonly`: an existing database as it is, for a program beside the bot (`python -m bot
    answers`): nothing created, migrated or written."""

    def __init__(self, path: Path | str, secret: bytes, *, readonly: bool = False):
        self.path = None if str(path) == ":memory:" else Path(path)
        self._secret = secret
        self._depth = 0
        self._scrub = False
        self._farewells: dict[int, int] = {}  # chat forgotten -> the last outbox id before
        if readonly:
            self.db = _open_readonly(Path(path))
            return
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
        # `voter(user_id)` in SQL: the store's queries can find a person's pseudonymous rows
        # (answers, roles) without the ids ever being stored beside them
        self.db.create_function("voter", 1, self.voter, deterministic=True)
        self.migrate()
        self._scrub_once()

    def voter(self, user_id: int) -> str:
        """The pseudonym answers and roles are stored under: no raw user id ever sits beside
        them."""
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()

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

    @contextmanager
    def savepoint(self) -> Iterator[Callable[[], None]]:
        """A part of the current transaction that can be undone alone: calling what it yields
        (or raising) rolls back what the part wrote, and the transaction goes on."""
        assert self._depth, "a savepoint lives inside a transaction"
        self.db.execute("SAVEPOINT part")

        def undo() -> None:
            self.db.execute("ROLLBACK TO part")

        try:
            yield undo
        except BaseException:
            self.db.execute("ROLLBACK TO part")
            raise
        finally:
            self.db.execute("RELEASE part")

    def close(self) -> None:
        self.db.close()


def _open_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ValueError(f"no bot database at {path}; set CIVICLOOP_DB to the bot's database")
    with private_files():  # the `-shm` file SQLite may make beside it
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout = 5000")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        db.close()
        raise ValueError(f"{path} is not a bot database: {error}") from None
    if version != len(MIGRATIONS):
        db.close()
        if not version:
            raise ValueError(f"{path} is not a bot database (it has none of the bot's tables)")
        if version < len(MIGRATIONS):
            raise ValueError(
                f"{path} was written by an older bot: start the bot (python -m bot) once, "
                "it updates its tables"
            )
        raise ValueError(f"{path} was written by a newer civicloop: run this from that version")
    return db
