"""Sessions as iCalendar (RFC 5545) files that calendar apps can subscribe to.

Times are the committee's local time with its `VTIMEZONE` (made from the IANA zone), so that an
app shows the session at the hour the committee meets, even across a change of summer time.
Every value is cleaned of the control characters RFC 5545 forbids in text, then escaped as
RFC 5545 text (backslashes, line breaks, commas, semicolons), so that no input makes a calendar
unreadable.

Events and calendars are written here as content lines, in the order and with the escaping and
folding of the icalendar library (which makes the VTIMEZONEs): the same bytes as building each
event as a library object, for a fraction of the time (a site has thousands of sessions, and a
build writes every calendar). tests/test_calendar.py compares the two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, vText
from icalendar.timezone.tzid import tzid_from_tzinfo

from civicloop import __version__
from civicloop.catalog import Entry
from civicloop.escaping import clean, clean_line
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES

SAMPLE = "sample data"
STATUS = {
    "scheduled": "CONFIRMED",
    "held": "CONFIRMED",
    "postponed": "TENTATIVE",  # CONFIRMED once the new date is known (`postponed_from`)
    "cancelled": "CANCELLED",
}


def calendars(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The site's calendar, each committee's, and each session's own, by path in the site.

    A session is in three of them, so its event is serialised once and the bytes reused.
    Only sessions whose date is known have an event (and a calendar of their own): a calendar
    says nothing its sources do not. A calendar of sample sessions only says so in its name.
    """
    catalog = site.catalog
    dated = [s for s in catalog.sessions if s.model.date_known]
    events = {s.path: event(site, s) for s in dated}
    others = committee_events(site)
    files = {}

    def add(path: str, name: str, sessions: list[Entry]) -> None:
        sessions = [s for s in sessions if s.path in events]
        if sessions and all(catalog.committee_of(s).sample for s in sessions):
            name = f"{name} ({SAMPLE})"
        timed = [s for s in sessions if s.model.time_known]
        files[path] = calendar(
            site.absolute(path), name, [events[s.path] for s in sessions], zones(site, timed)
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
            if s.path in events:
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
    timezone = Timezone.from_tzid(
        zone, first_date=first - timedelta(days=1), last_date=last + timedelta(days=1)
    )
    return library_component(timezone)


def calendar(url: str, name: str, events: Iterable[bytes], timezones: Iterable[bytes]) -> bytes:
    """A VCALENDAR around components already serialised (RFC 5545 components are concatenated),
    with a UID made from its address, so that it is the same in every build."""
    head = component(
        "VCALENDAR",
        [
            ("VERSION", "2.0"),
            ("PRODID", text(f"-//civicloop//civicloop {__version__}//EN")),
            ("METHOD", "PUBLISH"),
            ("NAME", text(clean_line(name))),  # TEXT (RFC 7986 5.1): `,` `;` `\\` escaped
            ("X-WR-CALNAME", text(clean_line(name))),
            ("UID", text(str(uuid5(NAMESPACE_URL, url)))),
            ("URL", clean_line(url)),
        ],
    )
    body, end = head.rsplit(b"END:VCALENDAR", 1)
    return body + b"".join([*timezones, *events]) + b"END:VCALENDAR" + end


def uid(site: SiteContext, session: Entry) -> str:
    """The session's own `id` (written once into its front matter, so it survives a move of the
    site and a renamed file); without one, the UID of earlier versions, from its path and the
    site's host, so that calendars already subscribed to keep their events."""
    if session.model.id:
        return session.model.id
    host = urlsplit(site.base_url).hostname or "civicloop"
    return clean_line(f"{session.id.replace('/', '.')}@{host}")


def event(site: SiteContext, session: Entry) -> bytes:
    """One session whose date is known; its UID never changes and its SEQUENCE grows with each
    reviewed change. Without a published time, an all-day event that says so.

    Properties are listed in the order icalendar writes them (its canonical order, then by
    name); a property whose value is None is left out."""
    model = session.model
    committee = site.catalog.committee_of(session)
    zone = ZoneInfo(committee.timezone)
    revision = site.revision(session)
    where = ", ".join(str(x) for x in (model.place, model.online) if x)
    agenda = "\n".join(f"- {item.title}" for item in model.agenda)
    url = clean_line(site.absolute(session.url))
    moved = model.postponed_from
    notes = [
        f"{SAMPLE.capitalize()}: this session is invented for demonstration."
        if committee.sample
        else "",
        "" if model.time_known else "Time not published.",
        f"Postponed from {moved.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})." if moved else "",
    ]
    if model.starts is not None and model.ends is not None:
        start = local_time("DTSTART", model.starts.astimezone(zone))
        end = local_time("DTEND", model.ends.astimezone(zone))
    else:  # a date: RFC 5545 3.6.1, a one-day event ends on the next day
        start = ("DTSTART;VALUE=DATE", f"{model.date:%Y%m%d}")
        end = ("DTEND;VALUE=DATE", f"{model.date + timedelta(days=1):%Y%m%d}")
    summary = f"{committee.title}: {model.title}" + (f" ({SAMPLE})" if committee.sample else "")
    description = "\n\n".join(x for x in (" ".join(n for n in notes if n), agenda, url) if x)
    status = "CONFIRMED" if model.new_date_known else STATUS[model.status]
    return component(
        "VEVENT",
        [
            ("SUMMARY", text(clean_line(summary))),
            start,
            end,
            ("DTSTAMP", utc_time(revision.updated)),
            ("UID", text(uid(site, session))),
            ("SEQUENCE", str(max(revision.count - 1, 0))),
            ("CREATED", utc_time(revision.created)),
            ("DESCRIPTION", text(clean(description))),
            ("LAST-MODIFIED", utc_time(revision.updated)),
            ("LOCATION", text(clean_line(where)) if where else None),
            ("STATUS", text(status)),
            ("TRANSP", "OPAQUE" if model.time_known else "TRANSPARENT"),
            ("URL", url),
        ],
    )


# --------------------------------------------------------------------------- content lines


def library_component(built: Component) -> bytes:
    """A component built with icalendar, written as its `to_ical()` writes it (its properties'
    order and values, the lines folded by `fold`), in a third of the time."""
    lines = []
    for name, value in built.property_items():
        params = getattr(value, "params", None)
        given = _unicode(params.to_ical()) if params else ""
        head = f"{name};{given}" if given else name
        data = value.to_ical() if hasattr(value, "to_ical") else vText(value).to_ical()
        lines.append(fold(f"{head}:{_unicode(data)}"))
    return ("\r\n".join(lines) + "\r\n").encode()


def component(name: str, properties: Iterable[tuple[str, str | None]]) -> bytes:
    """`BEGIN:name`, a folded content line per property (`NAME:value` or `NAME;PARAM=x:value`,
    the value already in iCalendar form), `END:name`, each ended by CRLF."""
    lines = [f"BEGIN:{name}"]
    lines += [fold(f"{key}:{value}") for key, value in properties if value is not None]
    lines.append(f"END:{name}")
    return ("\r\n".join(lines) + "\r\n").encode()


def _unicode(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode()


def text(value: str) -> str:
    """An RFC 5545 TEXT value, escaped as icalendar escapes it (`\\N` read as a line break)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def utc_time(value: datetime) -> str:
    """A DATE-TIME in UTC (`…Z`)."""
    return _date_time(value.astimezone(UTC)) + "Z"


def local_time(name: str, value: datetime) -> tuple[str, str]:
    """`name` as a DATE-TIME in its zone, with the zone's TZID (UTC zones as `…Z`)."""
    tzid = _tzid(value.tzinfo)
    if tzid == "UTC":
        return name, _date_time(value) + "Z"
    return f"{name};TZID={tzid}", _date_time(value)


def _date_time(value: datetime) -> str:
    return (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}"
    )


@cache
def _tzid(zone: object) -> str:
    """The TZID icalendar gives a zone ("UTC" for the zones it writes with `Z`); IANA names hold
    none of the characters that a parameter must quote."""
    tzid = tzid_from_tzinfo(zone)
    if not tzid or QUOTED.search(tzid):
        raise ValueError(f"no TZID for the time zone {zone}")
    return tzid


QUOTED = re.compile('[,;:’"]')  # noqa: RUF001  (icalendar quotes a parameter holding one)
FOLD_AT = 75  # octets: a content line is folded before it reaches this length
ESCAPE_STARTS = "\\^"  # a backslash escape (RFC 5545) or a caret one (RFC 6868)


def fold(line: str) -> str:
    """RFC 5545 folding as icalendar folds: at most 74 octets per line before the CRLF and
    space that continue it, never inside a UTF-8 character, and never right after a backslash
    or caret (the start of an escape), which then begins the next line."""
    if not line.isascii():
        return _fold_octets(line)
    if len(line) < FOLD_AT:
        return line
    parts = []
    start = 0
    while len(line) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        if line[end - 1] in ESCAPE_STARTS:
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return "\r\n ".join(parts)


def _fold_octets(line: str) -> str:
    """`fold` counting each character's UTF-8 octets."""
    parts = []
    start = count = 0
    for end, char in enumerate(line):
        size = len(char.encode())
        if end > start and count + size >= FOLD_AT:
            if end - start > 1 and line[end - 1] in ESCAPE_STARTS:
                parts.append(line[start : end - 1])
                start, count = end - 1, len(line[end - 1].encode())
            else:
                parts.append(line[start:end])
                start, count = end, 0
        count += size
    parts.append(line[start:])
    return "\r\n ".join(parts)
