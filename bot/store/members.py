"""Committee members: the one-time `invitations` organisers print, and the `roles` they give,
held under the member's pseudonym (the same as their answers'), never their name or user id."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import datetime

from bot.store.connection import now
from bot.store.people import People

TOKEN_BYTES = 24  # 32 characters of base64url: a `start` payload holds 64


def token_hash(token: str) -> str:
    """What the store keeps of an invitation: a link leaked from a backup of the database
    cannot be redeemed. The token is random, so a plain hash is enough (no key to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Members(People):
    def invite(
        self, committee: str, role: str, count: int, expires: datetime | None = None
    ) -> list[str]:
        """`count` new single-use tokens for `role` in `committee`; only their hashes are kept."""
        tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
        until = expires.isoformat() if expires else None
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO invitations (token_hash, committee, role, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(token_hash(token), committee, role, now(), until) for token in tokens],
            )
        return tokens

    def redeem(self, user_id: int, token: str, at: datetime) -> sqlite3.Row | None:
        """Use an invitation once: the member's role in its committee (a role held before in
        that committee is replaced). None if it was used, expired or never issued. The
        invitation keeps when it was used, not by whom."""
        row = self.db.execute(
            "UPDATE invitations SET redeemed_at = ? WHERE token_hash = ? AND redeemed_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > ?) RETURNING committee, role",
            (at.isoformat(), token_hash(token), at.isoformat()),
        ).fetchone()
        if row is None:
            return None
        self.db.execute(
            "INSERT INTO roles (voter, committee, role, since) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (voter, committee) DO UPDATE SET role = excluded.role, "
            "since = excluded.since",
            (self.voter(user_id), row["committee"], row["role"], now()),
        )
        return row

    def role(self, user_id: int, committee: str) -> str | None:
        row = self.db.execute(
            "SELECT role FROM roles WHERE voter = ? AND committee = ?",
            (self.voter(user_id), committee),
        ).fetchone()
        return row[0] if row else None

    def leave_roles(self, user_id: int) -> list[str]:
        """End every role the person holds; the committees they held one in. Answers given as
        a member stay counted as such: the role was theirs when they answered."""
        rows = self.db.execute(
            "DELETE FROM roles WHERE voter = ? RETURNING committee", (self.voter(user_id),)
        ).fetchall()
        return sorted(r[0] for r in rows)

    def invitations_left(self, committee: str) -> dict[str, int]:
        """Unused invitations of a committee, by role (for the organisers' command)."""
        rows = self.db.execute(
            "SELECT role, count(*) FROM invitations WHERE committee = ? AND redeemed_at IS NULL "
            "GROUP BY role",
            (committee,),
        )
        return {r[0]: r[1] for r in rows}
