"""The bot's input keeps Telegram's poll limits: open data from any site that breaks them is
refused whole (the bot keeps the data it had), never sent cut or sent to fail for everyone."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from civicloop.opendata import FILES

POLL = {
    "id": "p",
    "committee": "c",
    "session": "c/s",
    "question": "Which day suits you?",
    "kind": "single",
    "options": ["Monday", "Tuesday"],
    "opens": "2026-12-01T10:00:00+00:00",
    "closes": "2026-12-08T10:00:00+00:00",
    "comments": False,
    "url": "https://example.org/c/s/",
    "results": None,
}
MODEL = FILES["polls.json"][1]


def polls(**changes) -> dict:
    return {"version": 1, "polls": [{**POLL, **changes}]}


@pytest.mark.parametrize(
    "changes",
    [
        {"question": "q" * 301},
        {"question": "😀" * 151},  # 302 UTF-16 units, as Telegram counts
        {"question": ""},
        {"options": ["only one"]},
        {"options": [f"o{n}" for n in range(13)]},
        {"options": ["o" * 101, "b"]},
        {"options": ["", "b"]},
    ],
    ids=["301", "emoji 302", "empty", "1 option", "13 options", "option 101", "empty option"],
)
def test_polls_beyond_telegram_limits_are_refused(changes):
    with pytest.raises(ValidationError):
        MODEL.model_validate(polls(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"question": "q" * 300},
        {"options": [f"o{n}" for n in range(12)]},
        {"options": ["o" * 100, "b"]},
    ],
    ids=["300", "12 options", "option 100"],
)
def test_polls_at_telegram_limits_are_read(changes):
    MODEL.model_validate(polls(**changes))
