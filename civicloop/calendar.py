"""Sessions as iCalendar (RFC 5545) files that calendar apps can subscribe to.

Times are the committee's local time with its `VTIMEZONE` (made from the IANA zone), so that an
app shows the session at the hour the committee meets, even across a change of summer time.
Every value is cleaned of the control characters RFC 5545 forbids in text (the library escapes
line breaks, commas and semicolons), so that no input makes a calendar unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from civicloop import __version__
from civicloop.catalog import Entry
from civicloop.escaping import clean, clean_line
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES

STATUS = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "postponed": "TENTATIVE",  # CONFIRMED once the new date is known (`postponed_from`)
    "cancelled": "CANCELLED",
}


def calendars(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The site's calendar, each committee's, and each session's own, by path in the site.

    A session is in three of them, so its event is serialised once and the bytes reused.
    """
    catalog = site.catalog
    events = {s.path: event(site, s).to_ical() for s in catalog.sessions}
    others = committee_events(site)
    files = {}

    def add(path: str, name: str, sessions: list[Entry]) -> None:
        files[path] = calendar(
            site.absolute(path), name, [events[s.path] for s in sessions], zones(site, sessions)
        )

    add(site.calendar_url(), site_name, catalog.sessions)
    for slug, committee in catalog.committees.items():
        sessions = catalog.sessions_of(slug)
        add(site.calendar_url(slug), committee.model.title, sessions)
        if slug in others:  # what other types add to the committee's calendar (deadlines)
            files[site.calendar_url(slug)] = add_events(
                files[site.calendar_url(slug)], others[slug]
            )
        for s in sessions:
            add(
                site.session_calendar_url(s),
                f"{committee.model.title}: {s.model.title}",
                [s],
            )
    return files


def committee_events(site: SiteContext) -> dict[str, list[bytes]]:
    """The events other types than sessions add (`ContentType.events`), by committee."""
    found: dict[str, list[bytes]] = {}
    for kind in TYPES.values():
        for entry in site.catalog.of(kind.name) if kind.events else ():
            for component in kind.events(site, entry):
                found.setdefault(entry.committee, []).append(component.to_ical())
    return found


def add_events(calendar: bytes, events: list[bytes]) -> bytes:
    """The calendar with `events` (all-day, so needing no VTIMEZONE) before its end."""
    head, tail = calendar.rsplit(b"END:VCALENDAR", 1)
    return head + b"".join(events) + b"END:VCALENDAR" + tail


def zones(site: SiteContext, sessions: Iterable[Entry]) -> list[bytes]:
    """The VTIMEZONE of each zone the sessions are in, covering their dates: the same in every
    build, since nothing in it depends on the day of the build."""
    spans: dict[str, tuple[date, date]] = {}
    for s in sessions:
        zone = site.catalog.committee_of(s).timezone
        first, last = s.model.starts.date(), s.model.ends.date()
        if zone in spans:
            first, last = min(first, spans[zone][0]), max(last, spans[zone][1])
        spans[zone] = (first, last)
    return [vtimezone(zone, *span) for zone, span in sorted(spans.items())]


@cache
def vtimezone(zone: str, first: date, last: date) -> bytes:
    """The zone's rules (its transitions from IANA's database) from a day before `first` to a
    day after `last`: what RFC 5545 asks for every TZID an event uses."""
    return Timezone.from_tzid(
        zone, first_date=first - timedelta(days=1), last_date=last + timedelta(days=1)
    ).to_ical()


def calendar(url: str, name: str, events: Iterable[bytes], timezones: Iterable[bytes]) -> bytes:
    """A VCALENDAR around components already serialised (RFC 5545 components are concatenated),
    with a UID made from its address, so that it is the same in every build."""
    cal = Calendar.new(
        prodid=f"-//civicloop//civicloop {__version__}//EN",
        method="PUBLISH",
        name=clean_line(name),
        uid=uuid5(NAMESPACE_URL, url),
        url=clean_line(url),
    )
    head, tail = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + b"".join([*timezones, *events]) + b"END:VCALENDAR" + tail


def uid(site: SiteContext, session: Entry) -> str:
    """The session's own `id` (written once into its front matter, so it survives a move of the
    site and a renamed file); without one, the UID of earlier versions, from its path and the
    site's host, so that calendars already subscribed to keep their events."""
    if session.model.id:
        return session.model.id
    host = urlsplit(site.base_url).hostname or "civicloop"
    return clean_line(f"{session.id.replace('/', '.')}@{host}")


def event(site: SiteContext, session: Entry) -> Event:
    """One session; its UID never changes and its SEQUENCE grows with each reviewed change."""
    model = session.model
    committee = site.catalog.committee_of(session)
    zone = ZoneInfo(committee.timezone)
    revision = site.revision(session)
    where = ", ".join(str(x) for x in (model.place, model.online) if x)
    agenda = "\n".join(f"- {item.title}" for item in model.agenda)
    url = clean_line(site.absolute(session.url))
    moved = model.postponed_from
    note = f"Postponed from {moved.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})." if moved else ""
    return Event.new(
        uid=uid(site, session),
        summary=clean_line(f"{committee.title}: {model.title}"),
        start=model.starts.astimezone(zone),
        end=model.ends.astimezone(zone),
        stamp=revision.updated,
        last_modified=revision.updated,
        created=revision.created,
        sequence=max(revision.count - 1, 0),
        status="CONFIRMED" if model.new_date_known else STATUS[model.status],
        location=clean_line(where) or None,
        description=clean("\n\n".join(x for x in (note, agenda, url) if x)),
        url=url,
    )
