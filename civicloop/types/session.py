"""A session of a committee: when and where it meets, its agenda, its polls; listed on the
calendar and its committee's page, announced in the feed."""

from __future__ import annotations

import argparse
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from pydantic import (
    AfterValidator,
    Field,
    HttpUrl,
    StrictBool,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civicloop import follow
from civicloop.catalog import Catalog, Entry
from civicloop.escaping import clean_line
from civicloop.fields import (
    LATEST,
    OPTION_LENGTH,
    OPTIONS,
    QUESTION_LENGTH,
    Day,
    Moment,
    Paragraphs,
    PositiveInt,
    SafeLink,
    Slug,
    Strict,
    Text,
    after,
    at_most,
)
from civicloop.labels import translator
from civicloop.problems import Problem
from civicloop.subscriptions import webcal_link
from civicloop.types.base import (
    TODO,
    Argument,
    ContentType,
    FeedEntry,
    PageInput,
    Place,
    Site,
    Skeleton,
    aware_datetime,
    field_line,
    slugify,
)
from civicloop.when import session_time


class AgendaDocument(Strict):
    title: Text
    url: SafeLink


class AgendaItem(Strict):
    title: Text
    presenter: Text | None = None
    duration: Annotated[PositiveInt, Field(le=24 * 60)] | None = Field(
        default=None, description="minutes"
    )
    documents: list[AgendaDocument] = []


class Poll(Strict):
    id: Slug
    question: Annotated[Text, at_most(QUESTION_LENGTH)]
    kind: Literal["single", "multiple", "rating"]
    options: list[Annotated[Text, at_most(OPTION_LENGTH)]] = []
    opens: Moment
    closes: Moment
    comments: StrictBool = Field(
        default=False, description="ask respondents for a free-text comment"
    )

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("kind")
        fewest, most = OPTIONS
        if kind == "rating":
            if options and len(options) != 5:
                raise ValueError("a rating poll has 5 option labels (for 1 to 5) or none")
        elif not fewest <= len(options) <= most:
            raise ValueError(
                f"a {kind or 'choice'} poll needs {fewest} to {most} options "
                f"(Telegram's limit); it has {len(options)}"
            )
        folded = [" ".join(o.casefold().split()) for o in options]
        if len(set(folded)) != len(folded):
            raise ValueError("two options say the same; each option must differ")
        return options

    _closes = field_validator("closes")(lambda cls, v, info: after(v, info, "opens"))

    @property
    def labels(self) -> list[str]:
        return self.options or ["1", "2", "3", "4", "5"]


def _session_id(value: str) -> str:
    """A session's own identity, written once by `civicloop new session` (its calendar UID): a
    UUID in its canonical lowercase form, unique beyond this site too (RFC 7986, 5.3)."""
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = None
    if value != canonical:
        raise ValueError(
            "is not a UUID in lowercase, such as 0b6f3c52-7d1e-4a8b-9c2f-5e4d3a2b1c0d; "
            "`civicloop new session` writes one, python3 -c 'import uuid; print(uuid.uuid4())' "
            "prints one"
        )
    return value


SessionId = Annotated[StrictStr, AfterValidator(_session_id)]


def day_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The days from `first` to `last` as moments: midnight to midnight in `zone`."""
    return datetime.combine(first, time(), zone), datetime.combine(
        last + timedelta(days=1), time(), zone
    )


class Dated(Protocol):
    """What a session's content and its open-data record (`opendata.SessionRecord`) both say
    of when it is: the one definition of its days, its span and whether it is to come."""

    starts: datetime | None
    ends: datetime | None
    date: date | None
    date_between: list[date] | None
    status: str


def days_of(session: Dated) -> tuple[date, date] | None:
    """The first and last day it is on, or may have been on; None: nothing is known."""
    if session.date is not None:
        return session.date, session.date
    if session.date_between is not None:
        return session.date_between[0], session.date_between[1]
    return None


def span_of(session: Dated, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """From when to when it is (or may be) on, as far as its sources say; None: not known."""
    if session.starts is not None and session.ends is not None:
        return session.starts, session.ends
    days = days_of(session)
    return day_span(*days, zone) if days else None


def to_come(session: Dated, now: datetime, zone: ZoneInfo) -> bool:
    """Not over at `now`; with no date known, not over until it is marked held (or
    cancelled)."""
    span = span_of(session, zone)
    return span[1] >= now if span else session.status in ("scheduled", "postponed")


class Session(Strict):
    """When a session meets is what its sources say, no more: its times ('starts' and 'ends'),
    or only its day ('date': the time is not published), or only a window of days it fell in
    ('date_between'), or nothing (the date is not known)."""

    type: Literal["session"]
    title: Text
    number: PositiveInt
    id: SessionId | None = None
    starts: Moment | None = None
    ends: Annotated[Moment | None, Field(validate_default=True)] = None
    date: Day | None = Field(default=None, description="the day, when its time is not published")
    date_between: Annotated[list[Day], Field(min_length=2, max_length=2)] | None = Field(
        default=None,
        description="the first and last day it may have been on: its date is not known",
    )
    status: Literal["scheduled", "held", "postponed", "cancelled"]
    postponed_from: Moment | None = Field(
        default=None,
        description="the date it was first planned for; 'starts' and 'ends' (or 'date') are the "
        "new date",
    )
    place: Text | None = None
    online: HttpUrl | None = None
    agenda: list[AgendaItem] = []
    replay: HttpUrl | None = None
    outcomes: Paragraphs | None = None
    polls: list[Poll] = []

    @field_validator("ends")
    @classmethod
    def _ends(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if "starts" not in info.data:  # 'starts' is wrong: a problem of its own
            return value
        starts = info.data["starts"]
        if value is None and starts is not None:
            raise ValueError(
                "a session with 'starts' says when it ends too; add 'ends', or, if "
                "only the day is known, replace 'starts' with a line such as date: 2026-12-01"
            )
        if value is not None and starts is None:
            raise ValueError(
                "is set without 'starts'; add 'starts', or remove 'ends' (a 'date' line says the "
                "day alone when the time is not published)"
            )
        return after(value, info, "starts") if value is not None else value

    @field_validator("date")
    @classmethod
    def _date(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and info.data.get("starts") is not None:
            raise ValueError(
                "is set with 'starts': 'date' is for a session whose time is not published; "
                "remove 'date' (the day is the one of 'starts') or remove 'starts' and 'ends'"
            )
        return value

    @field_validator("date_between")
    @classmethod
    def _date_between(cls, value: list[date] | None, info: ValidationInfo) -> list[date] | None:
        if value is None:
            return value
        if info.data.get("starts") is not None or info.data.get("date") is not None:
            raise ValueError(
                "is set with 'starts' or 'date': 'date_between' is for a session whose date is "
                "not known; remove it, or remove the known date"
            )
        first, last = value
        if first >= last:
            raise ValueError(
                f"must name an earlier day then a later one; {first.isoformat()} is not before "
                f"{last.isoformat()}"
            )
        return value

    @field_validator("postponed_from")
    @classmethod
    def _postponed_from(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        """A postponement moves a session later: its new date comes after the old one."""
        status = info.data.get("status")
        if value is None or status is None:  # a wrong status is a problem of its own
            return value
        if status not in ("postponed", "held"):
            raise ValueError(
                f"is set but 'status' is {status!r}; 'postponed_from' is for a postponed session "
                "(or one held after it was postponed): set 'status: postponed' or remove the line"
            )
        starts, day = info.data.get("starts"), info.data.get("date")
        if starts is None and day is None:
            raise ValueError(
                "is set but the new date is not known: 'postponed_from' goes with the new "
                "'starts' and 'ends' (or 'date'); without a new date, remove the line"
            )
        if starts is not None and value >= starts:
            raise ValueError(
                f"must be before 'starts' ({starts.isoformat()}): 'starts' and 'ends' are the "
                "new date, 'postponed_from' the date it was planned for"
            )
        if starts is None and value.date() >= day:
            raise ValueError(
                f"must be before 'date' ({day.isoformat()}): 'date' is the new day, "
                "'postponed_from' the date it was planned for"
            )
        return value

    @model_validator(mode="after")
    def _somewhere(self) -> Session:
        """Where to go, for a session to come; a past one's sources may not say."""
        if not self.place and not self.online and self.status in ("scheduled", "postponed"):
            raise ValueError(f"a {self.status} session needs a 'place', an 'online' link, or both")
        return self

    @property
    def new_date_known(self) -> bool:
        """Postponed to a date already set ('starts'), rather than to a date not known yet."""
        return self.status == "postponed" and self.postponed_from is not None

    @property
    def time_known(self) -> bool:
        return self.starts is not None

    @property
    def date_known(self) -> bool:
        return self.starts is not None or self.date is not None

    def days(self) -> tuple[date, date] | None:
        return days_of(self)

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        return span_of(self, zone)

    def to_come(self, now: datetime, zone: ZoneInfo) -> bool:
        return to_come(self, now, zone)

    @property
    def sort_key(self) -> datetime:
        """Its place in time for listings: its start, its first possible day; last when no date
        is known."""
        if self.starts is not None:
            return self.starts
        days = self.days()
        return datetime.combine(days[0], time(), UTC) if days else LATEST


def timeline(site: Site, committee: str | None = None) -> tuple[list[Entry], list[Entry]]:
    """The sessions to come, soonest first, and the others, latest first (of one committee,
    or of all): what the pages that list sessions show."""
    upcoming = site.upcoming(committee)
    catalog = site.catalog
    sessions = catalog.sessions_of(committee) if committee else catalog.sessions
    coming = set(map(id, upcoming))
    return upcoming, [s for s in reversed(sessions) if id(s) not in coming]


def subscriptions(page: PageInput, committee: str | None = None) -> dict[str, Any]:
    """What `_subscribe.md` shows: the calendar of `committee` (or of all sessions, then one
    per committee too), each with its subscription links."""
    site, catalog = page.site, page.site.catalog
    slugs = [committee] if committee else [None, *catalog.committees]
    return {
        "subscriptions": [
            site.subscription(
                slug,
                catalog.committees[slug].localized(page.lang).title
                if slug
                else translator(page.lang)("All sessions"),
            )
            for slug in slugs
        ],
        "webcal": webcal_link,
    }


def _context(page: PageInput) -> dict[str, Any]:
    site, entry = page.site, page.entry
    return {
        "committee": site.catalog.committees[entry.committee].localized(page.lang),
        # no calendar of its own when its date is not known: it would have no event
        "calendar": site.session_calendar_url(entry) if entry.model.date_known else None,
        "map_link": map_link,
        **subscriptions(page, entry.committee),
        "follow": follow.offer(site.bot, follow.session(entry.id), page.lang),
    }


def map_link(place: str) -> str:
    """A search for `place` on OpenStreetMap: a link, not an embedded map, so that a page
    makes no request to a third party."""
    query = urlencode({"query": clean_line(place)}, quote_via=quote)
    return "https://www.openstreetmap.org/search?" + query


def spoken(site: Site, entry: Entry, lang: str) -> str:
    """When and where in words, in `lang` and the committee's time zone: "Tuesday 9 December
    2026, 18:00–20:00 CET, Town hall" (or what is known of the date); "Online" only when it
    has an online link, and no place at all when its sources give neither."""
    zone = site.catalog.committee_of(entry).timezone
    text, local = session_time(entry.model, zone, lang), entry.localized(lang)
    if local.place:
        return f"{text}, {local.place}"
    return f"{text}, {translator(lang)('Online')}" if entry.model.online else text


def _summary(page: PageInput) -> str:
    """Its number, date and place, what became of it, and its agenda, in words."""
    site, entry, t = page.site, page.entry, translator(page.lang)
    model = entry.model
    parts = [f"{t('Session')} {model.number} · {spoken(site, entry, page.lang)}."]
    if model.status == "cancelled":
        parts.append(t("This session is cancelled."))
    elif model.new_date_known:
        zone = ZoneInfo(site.catalog.committee_of(entry).timezone)
        old = format_datetime(model.postponed_from, "d MMMM y", tzinfo=zone, locale=page.lang)
        parts.append(t("Postponed from {old}.", old=old))
    elif model.status == "postponed":
        parts.append(t("Postponed: the new date is not known yet."))
    if model.agenda:
        parts.append(t("Agenda: {items}.", items="; ".join(i.title for i in model.agenda)))
    return " ".join(parts)


def _feed(page: PageInput) -> FeedEntry:
    committee = page.site.catalog.committee_of(page.entry)
    title = page.site.catalog.committees[page.entry.committee].localized(page.lang).title
    t = translator(page.lang)
    named = t("{name}: {title}", name=title, title=page.entry.localized(page.lang).title)
    return FeedEntry(named, _summary(page), committee.sample)


def _make(content: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any], str]:
    folder = content / "committees" / args.committee
    if not (folder / "index.md").is_file():
        known = sorted(p.parent.name for p in (content / "committees").glob("*/index.md"))
        raise ValueError(f"no committee '{args.committee}'; known: {', '.join(known) or 'none'}")
    numbers = [
        int(m[1]) for p in (folder / "sessions").glob("*.md") if (m := re.match(r"(\d+)", p.name))
    ]
    if (args.starts is None) == (args.date is None):
        raise ValueError(
            "give --starts (its date and time) or --date (its day, when the time is not "
            "published), one of them"
        )
    number = max(numbers, default=0) + 1
    title = args.title or f"Session {number}"
    when = (
        {"date": args.date.isoformat()}
        if args.date
        else {
            "starts": args.starts.isoformat(),
            "ends": (args.starts + timedelta(hours=2)).isoformat(),
        }
    )
    meta = {
        "type": "session",
        "id": str(uuid.uuid4()),
        "title": title,
        "number": number,
        **when,
        "status": "scheduled",
        "place": TODO,
        "agenda": [{"title": "Welcome and introductions", "duration": 15}],
    }
    path = content / TYPE.place.path(args.committee, f"{number:02d}-{slugify(title)}")
    return path, meta, "What this session is for, in a few sentences.\n"


def _orphans(catalog: Catalog) -> Iterator[Problem]:
    for entry in catalog.of(TYPE.name):
        if entry.committee not in catalog.committees:
            yield Problem(
                entry.path,
                1,
                f"session of committee '{entry.committee}', but "
                f"committees/{entry.committee}/index.md is missing or invalid",
            )


def _duplicate_numbers(catalog: Catalog) -> Iterator[Problem]:
    numbers: dict[tuple[str, int], str] = {}
    for entry in catalog.of(TYPE.name):
        key = (entry.committee, entry.model.number)
        if key in numbers:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "number"),
                f"'number' is {entry.model.number}, already used by {numbers[key]}; "
                "give each session of a committee its own number",
            )
        else:
            numbers[key] = entry.path


def _duplicate_polls(catalog: Catalog) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for entry in catalog.of(TYPE.name):
        for poll in entry.model.polls:
            if poll.id in seen:
                yield Problem(
                    entry.path,
                    field_line(catalog, entry, f"id: {poll.id}"),
                    f"duplicate poll id '{poll.id}' (also in {seen[poll.id]}); "
                    "poll ids must be unique across the site",
                )
            else:
                seen[poll.id] = entry.path


def _duplicate_ids(catalog: Catalog) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for entry in catalog.of(TYPE.name):
        given = entry.model.id
        if given is None:
            continue
        if given in seen:
            yield Problem(
                entry.path,
                field_line(catalog, entry, given),
                f"'id' is {given}, already the id of {seen[given]} (a copied file?); "
                "give this session a new one, such as the line python3 -c "
                "'import uuid; print(uuid.uuid4())' prints",
            )
        else:
            seen[given] = entry.path


def _checks(catalog: Catalog) -> Iterator[Problem]:
    yield from _orphans(catalog)
    yield from _duplicate_ids(catalog)
    yield from _duplicate_numbers(catalog)
    yield from _duplicate_polls(catalog)
    yield from follow.too_long(catalog.of(TYPE.name), lambda e: follow.session(e.id), "session")


TYPE = ContentType(
    name="session",
    model=Session,
    position=2,
    translatable=frozenset({"title", "place", "outcomes"}),
    place=Place(
        re.compile(r"^committees/[^/]+/sessions/[^/]+\.md$"),
        "committees/<slug>/sessions/<file>.md",
    ),
    counted=("session", "sessions"),
    order=lambda e: (e.model.sort_key, e.model.number, e.path),
    in_committee=True,
    ident=lambda e: f"{e.committee}/{e.slug}",
    context=_context,
    feed=_feed,
    describe=_summary,
    skeleton=Skeleton(
        (
            Argument(("--committee",), {"required": True}),
            Argument(
                ("--starts",),
                {"type": aware_datetime, "help": "e.g. 2027-01-12T18:00+01:00"},
            ),
            Argument(
                ("--date",),
                {
                    "type": date.fromisoformat,
                    "help": "the day alone, e.g. 2027-01-12, when "
                    "the time is not published (instead of --starts)",
                },
            ),
            Argument(("--title",)),
        ),
        _make,
    ),
    checks=_checks,
    links=lambda e: (d.url for item in e.model.agenda for d in item.documents),
)
