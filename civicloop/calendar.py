"""Sessions as iCalendar (RFC 5545) files that calendar apps can subscribe to."""

from __future__ import annotations

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


def calendar(publication: Publication, sessions: list[Doc], name: str) -> bytes:
    cal = Calendar.new(prodid=f"-//civicloop//civicloop {__version__}//EN", name=name)
    cal.add("method", "PUBLISH")
    for session in sessions:
        cal.add_component(event(publication, session))
    return cal.to_ical()


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
