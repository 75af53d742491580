"""Listing pages (home, indexes, calendar): they may stand anywhere, and `list` names the
template, `listing-<list>.md`, that adds the build's list after the body."""

from __future__ import annotations

from importlib.resources import files
from typing import Any, Literal

from civicloop import follow
from civicloop.fields import Strict, Text
from civicloop.types import session
from civicloop.types.base import ContentType, PageInput

# One list for each template `listing-<list>.md`: a type that adds a list adds its template.
LISTS = tuple(
    sorted(
        t.name.removeprefix("listing-").removesuffix(".md")
        for t in (files("civicloop") / "templates").iterdir()
        if t.name.startswith("listing-") and t.name.endswith(".md")
    )
)


class Listing(Strict):
    """A page whose body is followed by a list the build makes (home, indexes, calendar)."""

    type: Literal["listing"]
    title: Text
    list: Literal[LISTS]  # type: ignore[valid-type]


def _context(page: PageInput) -> dict[str, Any]:
    upcoming = session.timeline(page.site)[0]  # the past is on each committee's page
    home = page.entry.model.list == "home"
    offer = follow.offer(page.site.bot, follow.HOME, page.lang) if home else None
    return {"upcoming": upcoming, "follow": offer, **session.subscriptions(page)}


TYPE = ContentType(
    name="listing",
    model=Listing,
    position=6,
    translatable=frozenset({"title"}),
    template=lambda e: f"listing-{e.model.list}.md",
    context=_context,
)
