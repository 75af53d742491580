"""A committee: its question, members and time zone; its page lists its sessions, its draw and
its poll results."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StrictBool

from civicloop.content import Link, Member, ProcessKind
from civicloop.fields import Paragraphs, Strict, Text, TimeZone
from civicloop.languages import DEFAULT
from civicloop.types import draw, session
from civicloop.types.base import TODO, Argument, ContentType, PageInput, Place, Skeleton


class Committee(Strict):
    type: Literal["committee"]
    title: Text
    kind: ProcessKind
    question: Paragraphs
    status: Literal["planned", "active", "concluded"]
    members: list[Member] = Field(min_length=1)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(min_length=1)
    timezone: TimeZone
    place: Text | None = None
    sample: StrictBool = False
    sources: list[Link] = []


def _context(page: PageInput) -> dict[str, Any]:
    slug = page.entry.slug
    upcoming, past = session.timeline(page.site, slug)
    return {
        "upcoming": upcoming,
        "past": past,
        **session.subscriptions(page, slug),
        "draw": page.site.catalog.docs.get(draw.TYPE.place.path(slug)),
    }


def _make(content: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any], str]:
    meta = {
        "type": "committee",
        "title": args.title,
        "kind": args.process,
        "question": TODO,
        "status": "planned",
        "members": [
            {"role": "citizen", "selection": "drawn-by-lot", "count": 10},
            {"role": "politician", "selection": "elected", "count": 5},
        ],
        "languages": [DEFAULT],
        "timezone": args.timezone,
    }
    body = "Why this committee exists and how citizens can take part.\n"
    return content / TYPE.place.path(args.slug), meta, body


TYPE = ContentType(
    name="committee",
    model=Committee,
    position=1,
    translatable=frozenset({"title", "question", "place"}),
    place=Place(re.compile(r"^committees/[^/]+/index\.md$"), "committees/<slug>/index.md"),
    plural="committees",
    listed_as="committees",
    order=lambda e: e.model.title,
    context=_context,
    skeleton=Skeleton(
        (
            Argument(("slug",)),
            Argument(("--title",), {"required": True}),
            Argument(
                ("--process",),
                {"default": "political-task-committee", "choices": get_args(ProcessKind)},
            ),
            Argument(("--timezone",), {"default": "Europe/Brussels"}),
        ),
        _make,
    ),
)
