"""Sessions as iCalendar (RFC 5545) files that calendar apps can subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from civicloop import __version__
from civicloop.catalog import Doc
from civicloop.publication import Publication

STATUS = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}


def calendars(publication: Publication, site_name: str) -> dict[str, bytes]:
    """The site's calendar, each committee's, and each session's own, by path in the site.

    A session is in three of them, so its event is serialised once and the bytes reused.
    """
    catalog = publication.catalog
    events = {s.path: event(publication, s).to_ical() for s in catalog.sessions}
    files = {publication.calendar_url(): calendar(site_name, events.values())}
    for slug, committee in catalog.committees.items():
        name = committee.model.title
        sessions = catalog.sessions_of(slug)
        files[publication.calendar_url(slug)] = calendar(name, [events[s.path] for s in sessions])
        for s in sessions:
            title = f"{name}: {s.model.title}"
            files[publication.session_calendar_url(s)] = calendar(title, [events[s.path]])
    return files


def calendar(name: str, events: Iterable[bytes]) -> bytes:
    """A VCALENDAR around events already serialised (RFC 5545 components are concatenated)."""
    cal = Calendar.new(prodid=f"-//civicloop//civicloop {__version__}//EN", name=name)
    cal.add("method", "PUBLISH")
    head, tail = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + b"".join(events) + b"END:VCALENDAR" + tail


def event(publication: Publication, session: Doc) -> Event:
    """One session; its UID never changes and its SEQUENCE grows with each reviewed change."""
    model = session.model
    committee = publication.catalog.committee_of(session)
    revision = publication.revision(session)
    host = urlsplit(publication.base_url).hostname or "civicloop"
    where = ", ".join(str(x) for x in (model.place, model.online) if x)
    agenda = "\n".join(f"- {item.title}" for item in model.agenda)
    url = publication.absolute(session.url)
    return Event.new(
        uid=f"{session.id.replace('/', '.')}@{host}",
        summary=f"{committee.title}: {model.title}",
        start=model.starts.astimezone(UTC),
        end=model.ends.astimezone(UTC),
        stamp=revision.updated,
        last_modified=revision.updated,
        created=revision.created,
        sequence=max(revision.count - 1, 0),
        status=STATUS[model.status],
        location=where or None,
        description=f"{agenda}\n\n{url}".strip(),
        url=url,
    )
