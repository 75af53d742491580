"""What several content types share: the process kinds, a source link, a member's seat and how
appointed members were chosen, and the front matter of a page without a type. Each type's own
model is in `civicloop.types`.

Unknown keys are errors (`Strict`) so that a typo (`start:` for `starts:`) is reported instead
of silently ignored.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, HttpUrl, ValidationInfo, field_validator

from civicloop.fields import Day, NonNegativeInt, PositiveInt, Strict, Text

ProcessKind = Literal[
    "political-task-committee", "deliberative-committee", "citizens-assembly", "other"
]


class Link(Strict):
    title: Text
    url: HttpUrl


Selection = Literal["appointed", "drawn-by-lot", "elected", "ex-officio"]


class Member(Strict):
    """One seat, or `count` alike seats (30 citizens drawn by lot need not be 30 entries). A
    named seat is one person's: politicians are public persons; a citizen is named only if the
    file says so (and never one drawn by a committee's draw, who is published as a pseudonym)."""

    role: Literal["citizen", "politician", "expert", "facilitator", "substitute"]
    selection: Selection
    name: Text | None = None
    affiliation: Text | None = None
    count: PositiveInt = 1
    since: Day | None = Field(default=None, description="since when the seat is held")

    @field_validator("affiliation")
    @classmethod
    def _named(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("name") is None:
            raise ValueError("is a named member's affiliation; give the 'name' too")
        return value

    @field_validator("count")
    @classmethod
    def _one_person(cls, value: int, info: ValidationInfo) -> int:
        if value != 1 and info.data.get("name") is not None:
            raise ValueError(
                "a name is one person's; give each named member an entry of its own "
                "(count 1), and the unnamed seats another"
            )
        return value


class Appointment(Strict):
    """How the appointed members were chosen, as far as the sources say: what they do not say is
    left out (the page says "not published"), never guessed for a real body."""

    applied: NonNegativeInt | None = Field(default=None, description="how many applied")
    decided_by: Text | None = Field(default=None, description="e.g. the municipal council")
    decided: Day | Literal["not known"] | None = Field(
        default=None, description="the date of the decision, or 'not known'"
    )

    @field_validator("decided", mode="before")
    @classmethod
    def _date_or_not_known(cls, value: object) -> object:
        if value is None or value == "not known":
            return value
        try:
            date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(
                "is neither a date nor 'not known'; write a date like 2025-03-12, or "
                "'not known' when the sources do not say"
            ) from None
        return value


class Page(Strict):
    """A page without a type: MkDocs and Material read its front matter themselves, and stop
    (some with a traceback) on values of other shapes."""

    title: Text | None = None
    description: Text | None = None
    tags: list[Text] = []
    hide: list[Literal["navigation", "toc", "footer", "feedback", "path", "tags"]] = []
