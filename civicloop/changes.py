"""What changed in a session between two readings of the open data, as citizens see it."""

from __future__ import annotations

from typing import Any

# (field, kind) in the order a message lists them.
WATCHED = [
    ("starts", "time"),
    ("ends", "time"),
    ("date", "time"),  # a day without a published time, or a window of days
    ("date_between", "time"),
    ("place", "place"),
    ("online", "place"),
    ("agenda", "agenda"),
    ("replay", "replay"),
    ("outcomes", "outcomes"),
]


def session_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Kinds of change: 'added', 'cancelled', 'postponed', 'rescheduled' (back from either),
    'time', 'place', 'agenda', 'replay', 'outcomes'. Empty when nothing a citizen sees changed."""
    if old is None:
        return ["added"]
    kinds: list[str] = []
    if new["status"] != old["status"]:
        if new["status"] in ("cancelled", "postponed"):
            kinds.append(new["status"])
        elif old["status"] in ("cancelled", "postponed") and new["status"] == "scheduled":
            kinds.append("rescheduled")
    for name, kind in WATCHED:
        if new.get(name) != old.get(name) and kind not in kinds:
            if kind in ("replay", "outcomes") and not new.get(name):
                continue  # a removed replay is not news
            kinds.append(kind)
    return kinds
