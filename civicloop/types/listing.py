"""Listing pages (home, indexes, calendar) and the site's own pages (how to take part, the
accessibility statement, the open data): they may stand anywhere, and `list` names the
template, `listing-<list>.md`, that adds what the build knows after the editor's body."""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Literal

from babel.dates import format_date

from civicloop import follow
from civicloop.catalog import Entry
from civicloop.fields import Strict, Text
from civicloop.languages import feed_path
from civicloop.types import session
from civicloop.types.base import ContentType, PageInput

# The files of data/v1/ the open-data page describes (civicloop/opendata.py and draw_data.py
# write them), each with its schema under schema/.
DATA_FILES = (
    ("committees.json", "Each committee: its question, status, members and languages."),
    ("sessions.json", "Each session: when and where, its status and agenda."),
    ("polls.json", "Each poll: its question, options, opening and closing."),
    ("draws.json", "Each draw by lot: its commitment, public random value and result."),
    (
        "recommendations.json",
        "Each recommendation: its status, the response and its deadline, the milestones.",
    ),
)
# The site's own pages, which other pages link to where the content has them.
TAKE_PART = "take-part.md"
# One list for each template `listing-<list>.md`: a type that adds a list adds its template.
LISTS = tuple(
    sorted(
        t.name.removeprefix("listing-").removesuffix(".md")
        for t in (files("civicloop") / "templates").iterdir()
        if t.name.startswith("listing-") and t.name.endswith(".md")
    )
)


class Listing(Strict):
    """A page whose body is followed by what the build makes (a list, links, the contact)."""

    type: Literal["listing"]
    title: Text
    list: Literal[LISTS]  # type: ignore[valid-type]


def _next(upcoming: list[Entry]) -> dict[str, Entry]:
    """Each committee's next session that is not cancelled, by slug."""
    found: dict[str, Entry] = {}
    for s in upcoming:
        if s.model.status != "cancelled":
            found.setdefault(s.committee, s)
    return found


def _context(page: PageInput) -> dict[str, Any]:
    site, kind = page.site, page.entry.model.list
    upcoming = session.timeline(site)[0]  # the past is on each committee's page
    offers = kind in ("home", "take-part")
    context: dict[str, Any] = {
        "upcoming": upcoming,
        "follow": follow.offer(site.bot, follow.HOME, page.lang) if offers else None,
        "contact": site.contact,
        "take_part": site.catalog.docs.get(TAKE_PART),
        **session.subscriptions(page),
    }
    if kind == "home":
        context["next_of"] = _next(upcoming)
        context["follow_of"] = {
            slug: offer.url
            for slug in site.catalog.committees
            if (offer := follow.offer(site.bot, follow.committee(slug), page.lang))
        }
    if kind == "accessibility":
        known = site.revision(page.entry)
        context["prepared"] = format_date(known.created, "d MMMM y", locale=page.lang)
        context["reviewed"] = format_date(known.updated, "d MMMM y", locale=page.lang)
    if kind == "open-data":
        context["data_files"] = DATA_FILES
        context["feed"] = feed_path(page.lang)
    return context


TYPE = ContentType(
    name="listing",
    model=Listing,
    position=6,
    translatable=frozenset({"title"}),
    template=lambda e: f"listing-{e.model.list}.md",
    context=_context,
)
