"""A webinar: its replay, speakers and goals, and the case studies it relates to; listed newest
first, announced in the feed."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, HttpUrl

from civicloop.catalog import Catalog
from civicloop.fields import Moment, Paragraphs, Slug, Strict, Text
from civicloop.problems import Problem
from civicloop.types import case_study
from civicloop.types.base import (
    TODO,
    Argument,
    ContentType,
    PageInput,
    Place,
    Skeleton,
    aware_datetime,
    field_line,
    summarised,
    titled,
)


class Speaker(Strict):
    name: Text
    affiliation: Text | None = None


class Webinar(Strict):
    type: Literal["webinar"]
    title: Text
    summary: Paragraphs
    date: Moment
    speakers: list[Speaker] = []
    goals: list[Text] = []
    replay: HttpUrl | None = Field(
        default=None, description="the recording's address; none when none is published"
    )
    related: list[Slug] = Field(default=[], description="slugs of related case studies")
    transcript: Paragraphs | None = None


def _context(page: PageInput) -> dict[str, Any]:
    studies = page.site.catalog.by_slug(case_study.TYPE.name)
    return {"related": [studies[slug] for slug in page.entry.model.related]}


def _references(catalog: Catalog) -> Iterator[Problem]:
    studies = catalog.by_slug(case_study.TYPE.name)
    for entry in catalog.of(TYPE.name):
        for slug in entry.model.related:
            if slug not in studies:
                known = ", ".join(sorted(studies)) or "none yet"
                yield Problem(
                    entry.path,
                    field_line(catalog, entry, slug),
                    f"'related' names case study '{slug}', which does not exist; known: {known}",
                )


def _make(content: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any], str]:
    meta = {
        "type": "webinar",
        "title": args.title,
        "summary": TODO,
        "date": args.date.isoformat(),
        "speakers": [],
        "goals": [],
        **({"replay": args.replay} if args.replay else {}),
        "related": [],
    }
    return content / TYPE.place.path(args.slug), meta, "What was discussed.\n"


TYPE = ContentType(
    name="webinar",
    model=Webinar,
    position=4,
    translatable=frozenset({"title", "summary", "goals", "transcript"}),
    place=Place(re.compile(r"^webinars/(?!index\.md$)[^/]+\.md$"), "webinars/<slug>.md"),
    counted=("webinar", "webinars"),
    listed_as="webinars",
    order=lambda e: e.model.date,
    newest_first=True,
    context=_context,
    feed=titled,
    describe=summarised,
    skeleton=Skeleton(
        (
            Argument(("slug",)),
            Argument(("--title",), {"required": True}),
            Argument(("--date",), {"required": True, "type": aware_datetime}),
            Argument(("--replay",), {"help": "video URL, if a recording is published"}),
        ),
        _make,
    ),
    checks=_references,
)
