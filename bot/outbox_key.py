"""The outbox's key: what a queued message is for, and what makes it unique.

Its text form (`poll:<poll>:<user>`) is the primary key of the outbox in the store, so it never
changes meaning: a key names one message for good, and queueing the same key again does nothing.
Ids (sessions, polls, broadcasts) hold no `:`; only a reminder's start time does, which is why
it is parsed from both ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Purpose(StrEnum):
    REPLY = "r"  # r:<update>:<n>, n a counter or "unanswered"
    ANNOUNCE = "ann"  # ann:<session>:<hash>:<user>
    REMINDER = "rem"  # rem:<session>:<starts>:<seconds>s:<user>
    POLL = "poll"  # poll:<poll>:<user>
    NOTE = "note"  # note:<poll>:<user> (how to comment on the poll)
    STOP = "stop"  # stop:<poll>:<user>
    BROADCAST = "bc"  # bc:<broadcast>:<user>
    RESULTS = "res"  # res:<poll>:<user> (the poll's results are published)
    RECOMMENDATION = "rec"  # rec:<recommendation>:<status or "overdue">:<user>


PRIORITY = {Purpose.REPLY: 0, Purpose.BROADCAST: 2}  # replies first, broadcasts last; others 1
# Sent again when they may have arrived: see bot/outbox.py's docstring.
RESENT_WHEN_UNSURE = frozenset({Purpose.REPLY, Purpose.POLL, Purpose.STOP})
_DETAILS = {
    Purpose.REPLY: 1,
    Purpose.ANNOUNCE: 1,
    Purpose.REMINDER: 2,
    Purpose.RECOMMENDATION: 1,
}  # others 0
_PART = re.compile(r"[^:]+")
_NUMBER = re.compile(r"0|-?[1-9][0-9]*")
_OFFSET = re.compile(r"(0|[1-9][0-9]*)s")


@dataclass(frozen=True)
class OutboxKey:
    purpose: Purpose
    subject: str  # update id, session id, poll id or broadcast id
    detail: tuple[str, ...] = ()
    user: int | None = None  # last part, for a message per person (every purpose but replies)

    def __post_init__(self) -> None:
        parts = (self.subject, *self.detail)
        if len(self.detail) != _DETAILS.get(self.purpose, 0):
            raise ValueError(
                f"an outbox key {self.purpose}: has {_DETAILS.get(self.purpose, 0)} "
                f"detail(s), not {len(self.detail)}"
            )
        if self.purpose is Purpose.REMINDER:
            parts = (self.subject, self.detail[1])
            if datetime.fromisoformat(self.detail[0]).isoformat() != self.detail[0]:
                raise ValueError("a reminder's start is written as isoformat() writes it")
            if not _OFFSET.fullmatch(self.detail[1]):
                raise ValueError(f"a reminder's offset is '<seconds>s', not {self.detail[1]!r}")
        if not all(_PART.fullmatch(part) for part in parts):
            raise ValueError(f"an outbox key's parts are not empty and hold no ':': {parts!r}")
        if self.purpose is Purpose.REPLY:
            if self.user is not None or not _NUMBER.fullmatch(self.subject):
                raise ValueError("a reply's key is r:<update>:<n>")
            if not (_NUMBER.fullmatch(self.detail[0]) or self.detail[0] == "unanswered"):
                raise ValueError(f"a reply's number is a number, not {self.detail[0]!r}")

    @classmethod
    def parse(cls, text: str) -> OutboxKey:
        """The one parser of the text form; ValueError on anything else."""
        head, colon, rest = text.partition(":")
        try:
            purpose = Purpose(head)
        except ValueError:
            raise ValueError(f"not an outbox key: {text!r}") from None
        if not colon:
            raise ValueError(f"not an outbox key: {text!r}")
        if purpose is Purpose.REPLY:
            parts = rest.split(":")
            if len(parts) != 2:
                raise ValueError(f"not an outbox key: {text!r}")
            return cls(purpose, parts[0], (parts[1],))
        if purpose is Purpose.REMINDER:
            subject, _, tail = rest.partition(":")
            parts = [subject, *tail.rsplit(":", 2)]
        else:
            parts = rest.split(":")
        if len(parts) != 2 + _DETAILS.get(purpose, 0) or not _NUMBER.fullmatch(parts[-1]):
            raise ValueError(f"not an outbox key: {text!r}")
        key = cls(purpose, parts[0], tuple(parts[1:-1]), int(parts[-1]))
        if str(key) != text:  # e.g. a reminder's start written two ways
            raise ValueError(f"not an outbox key: {text!r}")
        return key

    def __str__(self) -> str:
        tail = () if self.user is None else (str(self.user),)
        return ":".join((self.purpose, self.subject, *self.detail, *tail))

    # constructors ----------------------------------------------------------------------------

    @classmethod
    def reply(cls, update_id: int, n: int | str) -> OutboxKey:
        """The n-th reply to an update (or "unanswered"): reprocessing it queues none twice."""
        return cls(Purpose.REPLY, str(update_id), (str(n),))

    @classmethod
    def announce(cls, session: str, version: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.ANNOUNCE, session, (version,), user)

    @classmethod
    def reminder(
        cls, session: str, starts: datetime, before: timedelta, user: int | None = None
    ) -> OutboxKey:
        return cls(
            Purpose.REMINDER, session, (starts.isoformat(), f"{int(before.total_seconds())}s"), user
        )

    @classmethod
    def poll(cls, poll: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.POLL, poll, (), user)

    @classmethod
    def note(cls, poll: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.NOTE, poll, (), user)

    @classmethod
    def stop(cls, poll: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.STOP, poll, (), user)

    @classmethod
    def broadcast(cls, broadcast: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.BROADCAST, broadcast, (), user)

    @classmethod
    def results(cls, poll: str, user: int | None = None) -> OutboxKey:
        return cls(Purpose.RESULTS, poll, (), user)

    @classmethod
    def recommendation(cls, ident: str, event: str, user: int | None = None) -> OutboxKey:
        """`event`: the status it moved to, or "overdue" (its response is late)."""
        return cls(Purpose.RECOMMENDATION, ident, (event,), user)

    # what the key says -----------------------------------------------------------------------

    def to(self, user: int) -> OutboxKey:
        """The same message for `user` (a key made without one is the pattern of a send-out)."""
        return replace(self, user=user)

    @property
    def prefix(self) -> str:
        """The text every key of this send-out starts with, whoever it is for."""
        return ":".join((self.purpose, self.subject, *self.detail)) + ":"

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.purpose, 1)

    @property
    def kept(self) -> bool:
        """Whether the row stays once sent; a reply has no later use and leaves no trace."""
        return self.purpose is not Purpose.REPLY

    @property
    def resent_when_unsure(self) -> bool:
        return self.purpose in RESENT_WHEN_UNSURE

    @staticmethod
    def replies_to(update_id: int) -> str:
        """The text every reply to the update starts with."""
        return f"{Purpose.REPLY}:{update_id}:"

    @staticmethod
    def like(purpose: Purpose) -> str:
        """A SQL LIKE pattern for the keys of one purpose."""
        return f"{purpose}:%"
