"""Sessions as iCalendar (RFC 5545) files that calendar apps can subscribe to.

Every value is cleaned of the control characters RFC 5545 forbids in text (the library escapes
line breaks, commas and semicolons), so that no input makes a calendar unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5

from icalendar import Calendar, Event

from civicloop import __version__
from civicloop.catalog import Entry
from civicloop.escaping import clean, clean_line
from civicloop.sitecontext import SiteContext

STATUS = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}


def calendars(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The site's calendar, each committee's, and each session's own, by path in the site.

    A session is in three of them, so its event is serialised once and the bytes reused.
    """
    catalog = site.catalog
    events = {s.path: event(site, s).to_ical() for s in catalog.sessions}
    files = {}

    def add(path: str, name: str, sessions: list[Entry]) -> None:
        files[path] = calendar(site.absolute(path), name, [events[s.path] for s in sessions])

    add(site.calendar_url(), site_name, catalog.sessions)
    for slug, committee in catalog.committees.items():
        sessions = catalog.sessions_of(slug)
        add(site.calendar_url(slug), committee.model.title, sessions)
        for s in sessions:
            add(
                site.session_calendar_url(s),
                f"{committee.model.title}: {s.model.title}",
                [s],
            )
    return files


def calendar(url: str, name: str, events: Iterable[bytes]) -> bytes:
    """A VCALENDAR around events already serialised (RFC 5545 components are concatenated),
    with a UID made from its address, so that it is the same in every build."""
    cal = Calendar.new(
        prodid=f"-//civicloop//civicloop {__version__}//EN",
        method="PUBLISH",
        name=clean_line(name),
        uid=uuid5(NAMESPACE_URL, url),
        url=clean_line(url),
    )
    head, tail = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + b"".join(events) + b"END:VCALENDAR" + tail


def event(site: SiteContext, session: Entry) -> Event:
    """One session; its UID never changes and its SEQUENCE grows with each reviewed change."""
    model = session.model
    committee = site.catalog.committee_of(session)
    revision = site.revision(session)
    host = urlsplit(site.base_url).hostname or "civicloop"
    where = ", ".join(str(x) for x in (model.place, model.online) if x)
    agenda = "\n".join(f"- {item.title}" for item in model.agenda)
    url = clean_line(site.absolute(session.url))
    return Event.new(
        uid=clean_line(f"{session.id.replace('/', '.')}@{host}"),
        summary=clean_line(f"{committee.title}: {model.title}"),
        start=model.starts.astimezone(UTC),
        end=model.ends.astimezone(UTC),
        stamp=revision.updated,
        last_modified=revision.updated,
        created=revision.created,
        sequence=max(revision.count - 1, 0),
        status=STATUS[model.status],
        location=clean_line(where) or None,
        description=clean(f"{agenda}\n\n{url}".strip()),
        url=url,
    )
