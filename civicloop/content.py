"""What several content types share: the process kinds, a source link, a member's seat, and the
front matter of a page without a type. Each type's own model is in `civicloop.types`.

Unknown keys are errors (`Strict`) so that a typo (`start:` for `starts:`) is reported instead
of silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import HttpUrl

from civicloop.fields import PositiveInt, Strict, Text

ProcessKind = Literal[
    "political-task-committee", "deliberative-committee", "citizens-assembly", "other"
]


class Link(Strict):
    title: Text
    url: HttpUrl


class Member(Strict):
    """One seat, or `count` alike seats (30 citizens drawn by lot need not be 30 entries)."""

    role: Literal["citizen", "politician", "expert", "facilitator", "substitute"]
    selection: Literal["appointed", "drawn-by-lot", "elected", "ex-officio"]
    name: Text | None = None
    affiliation: Text | None = None
    count: PositiveInt = 1


class Page(Strict):
    """A page without a type: MkDocs and Material read its front matter themselves, and stop
    (some with a traceback) on values of other shapes."""

    title: Text | None = None
    description: Text | None = None
    tags: list[Text] = []
    hide: list[Literal["navigation", "toc", "footer", "feedback", "path", "tags"]] = []
