"""Listing pages (home, indexes, calendar): they may stand anywhere, and `list` names the
template, `listing-<list>.md`, that adds the build's list after the body."""

from __future__ import annotations

from typing import Any, Literal

from civicloop import follow
from civicloop.fields import Strict, Text
from civicloop.types import session
from civicloop.types.base import ContentType, PageInput


class Listing(Strict):
    """A page whose body is followed by a list the build makes (home, indexes, calendar)."""

    type: Literal["listing"]
    title: Text
    list: Literal["home", "committees", "case-studies", "webinars", "calendar", "results"]


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
