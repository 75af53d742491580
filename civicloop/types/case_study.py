"""A case study: a participatory process elsewhere, with its sources; listed by title,
announced in the feed, named by webinars' `related`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from civicloop.content import Link, ProcessKind
from civicloop.fields import Paragraphs, Slug, Strict, Text
from civicloop.types.base import TODO, Argument, ContentType, Place, Skeleton, summarised, titled

YEARS = re.compile(r"^(\d{4})(?:-(\d{4})?)?$")


def _years(value: str | int) -> str:
    text = str(value)
    match = YEARS.match(text)
    if not match or (match[2] and match[2] < match[1]):
        raise ValueError("write years as '2015', '2015-' (ongoing) or '2023-2024'")
    return text


class CaseStudy(Strict):
    type: Literal["case-study"]
    title: Text
    summary: Paragraphs
    place: Text
    country: Text
    years: Annotated[str, AfterValidator(_years)]
    process: ProcessKind
    tags: list[Slug] = []
    outcomes: list[Text] = []
    sources: list[Link] = Field(min_length=1)


def _make(content: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any], str]:
    meta = {
        "type": "case-study",
        "title": args.title,
        "summary": TODO,
        "place": TODO,
        "country": args.country,
        "years": args.years,
        "process": "other",
        "tags": [],
        "sources": [{"title": "Source", "url": "https://example.org/replace-me"}],
    }
    return content / TYPE.place.path(args.slug), meta, "What happened, and why.\n"


TYPE = ContentType(
    name="case-study",
    model=CaseStudy,
    position=3,
    translatable=frozenset({"title", "summary", "place", "country", "outcomes"}),
    place=Place(re.compile(r"^case-studies/(?!index\.md$)[^/]+\.md$"), "case-studies/<slug>.md"),
    counted=("case study", "case studies"),
    listed_as="studies",
    order=lambda e: e.model.title,
    feed=titled,
    describe=summarised,
    skeleton=Skeleton(
        (
            Argument(("slug",)),
            Argument(("--title",), {"required": True}),
            Argument(("--country",), {"required": True}),
            Argument(("--years",), {"required": True, "help": "'2015-', '2023-2024' or '2019'"}),
        ),
        _make,
    ),
)
