"""A committee: its question, members and time zone; its page lists its members by role (those
a draw seated by their pseudonym, from the draw's published result), how each was chosen and
since when, its sessions, its draw and its poll results."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from babel.dates import format_date
from pydantic import Field, StrictBool, ValidationInfo, field_validator

from civicloop import follow
from civicloop.catalog import Catalog, Entry
from civicloop.content import Appointment, Link, Member, ProcessKind
from civicloop.draw_files import published
from civicloop.draw_record import drawn_seats
from civicloop.escaping import Markdown
from civicloop.fields import Paragraphs, Strict, Text, TimeZone
from civicloop.labels import translator
from civicloop.languages import DEFAULT
from civicloop.plaintext import first_paragraph
from civicloop.problems import Problem, node_line
from civicloop.types import draw, session
from civicloop.types.base import (
    TODO,
    Argument,
    ContentType,
    PageInput,
    Place,
    Skeleton,
    field_line,
)
from civicloop.yamlsubset import parse


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
    appointment: Appointment | None = Field(
        default=None, description="how the appointed members were chosen, as sources say"
    )
    sample: StrictBool = False
    sources: list[Link] = []

    @field_validator("appointment")
    @classmethod
    def _appointed(cls, value: Appointment | None, info: ValidationInfo) -> Appointment | None:
        members = info.data.get("members")
        if value is not None and members and not any(_is_appointed(m) for m in members):
            raise ValueError(
                "says how members were appointed, but no member's 'selection' is 'appointed'"
            )
        return value

    def appointment_record(self) -> Appointment | None:
        """What is known of the appointment (all of it None where nothing is), or None when
        no member is appointed."""
        if not any(_is_appointed(m) for m in self.members):
            return None
        return self.appointment or Appointment()


# How a committee page groups its members, in this order (every role is in one group).
GROUPS = (
    ("Citizen members", frozenset({"citizen"})),
    ("Politicians", frozenset({"politician"})),
    ("Substitutes", frozenset({"substitute"})),
    ("Other members", frozenset({"expert", "facilitator"})),
)


def _is_appointed(member: Member) -> bool:
    return member.selection == "appointed"


def _by_draw(member: Member) -> tuple[bool, bool]:
    """Whether a draw fills the seat, and whether as a substitute."""
    return member.selection == "drawn-by-lot", member.role == "substitute"


def _day(value: date | str | None, lang: str, t: Callable[..., str]) -> str:
    """A date in words in `lang`; "not known" as the file says it; None: not published."""
    if value is None:
        return t("not published")
    if isinstance(value, str):
        return t(value)
    return format_date(value, "d MMMM y", locale=lang)


def _context(page: PageInput) -> dict[str, Any]:
    slug, model, lang = page.entry.slug, page.entry.model, page.lang
    t = translator(lang)
    upcoming, past = session.timeline(page.site, slug)
    draw_doc = page.site.catalog.docs.get(draw.TYPE.place.path(slug))
    result = published(page.site.catalog.root / draw_doc.path)[1] if draw_doc else None
    rows = []
    for member in model.members:
        since = member.since
        if since is None and result and _by_draw(member) == (True, False):
            since = date.fromisoformat(result["picked"])
        rows.append((member, _day(since, lang, t)))
    appointment = model.appointment_record()
    return {
        "upcoming": upcoming,
        "past": past,
        **session.subscriptions(page, slug),
        "follow": follow.offer(page.site.bot, follow.committee(slug), lang),
        "draw": draw_doc,
        "groups": [(g, [r for r in rows if r[0].role in roles]) for g, roles in GROUPS],
        # Markdown the record made, each value in it escaped there
        "drawn": Markdown(drawn_seats(t, result, lambda d: _day(d, lang, t))) if result else "",
        "appointment": appointment and _appointment(appointment, lang, t),
    }


def _describe(page: PageInput) -> str:
    """Its question, the reason it exists."""
    return first_paragraph(page.entry.localized(page.lang).question)


def _appointment(known: Appointment, lang: str, t: Callable[..., str]) -> dict[str, str]:
    """The appointment in words: "not published" for what the sources do not say."""
    unsaid = t("not published")
    return {
        "applied": unsaid if known.applied is None else str(known.applied),
        "decided_by": known.decided_by or unsaid,
        "decided": _day(known.decided, lang, t),
    }


def _file_line(catalog: Catalog, entry: Entry, *loc: str | int) -> int:
    """The line of the front-matter node at `loc` (a cross-file problem's line)."""
    lines = (catalog.root / entry.path).read_text(encoding="utf-8-sig").split("\n")
    if lines[0].strip() != "---" or "---" not in (x.strip() for x in lines[1:]):
        return 1
    end = next(i for i, x in enumerate(lines[1:], start=1) if x.strip() == "---")
    try:
        root, _ = parse("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return field_line(catalog, entry, str(loc[0]))
    return node_line(root, loc, 2)


def _draw_seats(catalog: Catalog) -> Iterator[Problem]:
    """A committee with a draw lists as many seats drawn by lot as the draw fills, and names
    none of them: the draw publishes its members by pseudonym only."""
    for slug, entry in sorted(catalog.committees.items()):
        draw_doc = catalog.docs.get(draw.TYPE.place.path(slug))
        if draw_doc is None:
            continue
        members = entry.model.members
        for i, member in enumerate(members):
            if _by_draw(member)[0] and member.name is not None:
                yield Problem(
                    entry.path,
                    _file_line(catalog, entry, "members", i, "name"),
                    f"'members[{i}]' names a seat that {draw_doc.path} fills; a draw publishes "
                    "its members by pseudonym only: remove 'name' (and 'affiliation')",
                )
        wanted = {False: draw_doc.model.seats, True: draw_doc.model.substitutes}
        for spare, seats in wanted.items():
            listed = [i for i, m in enumerate(members) if _by_draw(m) == (True, spare)]
            count = sum(members[i].count for i in listed)
            if count == seats:
                continue
            what = "substitutes" if spare else "members"
            listed_as = "substitutes" if spare else "seats (other than substitutes)"
            yield Problem(
                entry.path,
                _file_line(catalog, entry, "members", *listed[:1]),
                f"'members' has {count} {listed_as} drawn by lot, but {draw_doc.path} draws "
                f"{seats} {what}; make the counts agree",
            )


def _checks(catalog: Catalog) -> Iterator[Problem]:
    yield from _draw_seats(catalog)
    yield from follow.too_long(
        catalog.of("committee"), lambda e: follow.committee(e.slug), "committee"
    )


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
    counted=("committee", "committees"),
    listed_as="committees",
    order=lambda e: e.model.title,
    context=_context,
    describe=_describe,
    checks=_checks,
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
