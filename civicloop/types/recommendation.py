"""A committee's recommendation: its wording as adopted, the vote of each group, who owes the
answer and by when, the authority's response, the milestones of its follow-up and an optional
rating poll of that response. Its page has the timeline (status changes come from git); each
committee has a tracker (`recommendations/index.md`, a listing) and the committee page a
summary; the clock ("response due in 12 days") is computed at build time."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from babel.dates import format_date
from icalendar import Event
from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civicloop import follow
from civicloop.catalog import Catalog, Entry
from civicloop.content import Link
from civicloop.escaping import Markdown, clean, clean_line
from civicloop.fields import (
    QUESTION_LENGTH,
    Day,
    Moment,
    NonNegativeInt,
    Paragraphs,
    SafeLink,
    Slug,
    Strict,
    Text,
    after,
)
from civicloop.labels import translator
from civicloop.languages import DEFAULT
from civicloop.problems import Problem
from civicloop.text import telegram_length
from civicloop.types import session
from civicloop.types.base import (
    TODO,
    Argument,
    ContentType,
    FeedEntry,
    PageInput,
    Place,
    Site,
    Skeleton,
    field_line,
    slugify,
)

Status = Literal[
    "awaiting-response",
    "accepted",
    "partly-accepted",
    "rejected",
    "in-progress",
    "implemented",
    "not-implemented",
    "withdrawn",
]
STATUSES: tuple[str, ...] = get_args(Status)
AWAITING, WITHDRAWN = "awaiting-response", "withdrawn"
ANSWERED = tuple(s for s in STATUSES if s not in (AWAITING, WITHDRAWN))  # need a response
NOT_KNOWN = "not known"
TRACKER = "committees/{}/recommendations/index.md"
RATING_QUESTION = "How do you rate the response to: {title}?"


class GroupVote(Strict):
    """How one group voted (citizen members, or politicians)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    in_favour: NonNegativeInt = Field(alias="for")
    against: NonNegativeInt
    abstained: NonNegativeInt

    @property
    def total(self) -> int:
        return self.in_favour + self.against + self.abstained


class Votes(Strict):
    """The vote of each group; a group left out is not known."""

    citizen: GroupVote | None = None
    politician: GroupVote | None = None

    @model_validator(mode="after")
    def _some(self) -> Votes:
        if self.citizen is None and self.politician is None:
            raise ValueError(
                "'votes' gives no group; give 'citizen' and/or 'politician' (for, against, "
                "abstained), or remove 'votes' when the vote is not known"
            )
        return self


class Response(Strict):
    """The authority's published response."""

    date: Day
    url: SafeLink | None = Field(default=None, description="the official document; None: not known")
    summary: Paragraphs


class Milestone(Strict):
    date: Day
    what: Text
    evidence: SafeLink | None = None


class Rating(Strict):
    """The rating poll (1-5) of the response, sent by the bot to those who took part."""

    id: Slug
    opens: Moment
    closes: Moment

    _closes = field_validator("closes")(lambda cls, v, info: after(v, info, "opens"))


class Recommendation(Strict):
    type: Literal["recommendation"]
    title: Text = Field(description="a short title")
    number: Text | None = Field(default=None, description="its number as published, e.g. 1.1")
    area: Text | None = None
    summary: Paragraphs = Field(description="what it asks, in this file's language")
    wording: Paragraphs = Field(
        title="Text as adopted", description="the text as adopted, or 'not known'"
    )
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = Field(
        description="the language of 'wording'"
    )
    adopted_at: Slug = Field(description="the session it was adopted at: its file name, no .md")
    votes: Votes | None = Field(default=None, description="None: not known")
    owed_by: Text = Field(description="who owes the response")
    response_due: Day | None = Field(default=None, description="None: no deadline published")
    response: Response | None = None
    # after `response`, which its rules read
    status: Status
    milestones: list[Milestone] = []
    rating: Rating | None = None
    sample: StrictBool = False
    sources: list[Link] = []

    @field_validator("milestones")
    @classmethod
    def _in_order(cls, value: list[Milestone]) -> list[Milestone]:
        dates = [m.date for m in value]
        if dates != sorted(dates):
            raise ValueError("are not in date order; list them oldest first")
        return value

    @field_validator("rating")
    @classmethod
    def _question(cls, value: Rating | None, info: ValidationInfo) -> Rating | None:
        title = info.data.get("title")
        if value and title and telegram_length(rating_question(title)) > QUESTION_LENGTH:
            raise ValueError(
                f"asks 'How do you rate the response to: <title>?', over Telegram's "
                f"{QUESTION_LENGTH} characters with this 'title'; shorten the title"
            )
        return value


def rating_question(title: str, lang: str = DEFAULT) -> str:
    return translator(lang)(RATING_QUESTION, title=title)


# -- the clock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Where the response stands on the build's day (in the committee's time zone)."""

    today: date
    status: str
    due: date | None
    answered: date | None

    @property
    def overdue(self) -> bool:
        return self.status == AWAITING and self.due is not None and self.today > self.due

    def text(self, lang: str) -> str:
        t = translator(lang)
        if self.status == WITHDRAWN:
            return t("withdrawn")
        if self.status != AWAITING:
            if self.answered is None:
                return t("answered")
            return t("answered on {date}", date=format_date(self.answered, "d MMMM y", locale=lang))
        if self.due is None:
            return t("no response deadline published")
        days = (self.due - self.today).days
        if days == 0:
            return t("response due today")
        if days > 0:
            return (
                t("response due in 1 day")
                if days == 1
                else t("response due in {days} days", days=days)
            )
        late = -days
        return (
            t("response overdue by 1 day")
            if late == 1
            else t("response overdue by {days} days", days=late)
        )


def sentence(text: str) -> str:
    """The text with its first letter a capital (Jinja's `capitalize` lowers the others)."""
    return text[:1].upper() + text[1:]


def zone(site: Site, entry: Entry) -> ZoneInfo:
    return ZoneInfo(site.catalog.committee_of(entry).timezone)


def clock(site: Site, entry: Entry) -> Clock:
    m = entry.model
    today = site.now.astimezone(zone(site, entry)).date()
    return Clock(today, m.status, m.response_due, m.response.date if m.response else None)


def adopted_in(catalog: Catalog, entry: Entry) -> Entry | None:
    """The session the recommendation was adopted at, if it exists."""
    return catalog.docs.get(session.TYPE.place.path(entry.committee, entry.model.adopted_at))


def adopted_on(catalog: Catalog, entry: Entry) -> date | None:
    """The day of the session it was adopted at; None when that is not known."""
    held = adopted_in(catalog, entry)
    if held is None:
        return None
    if held.model.starts is not None:
        return held.model.starts.astimezone(ZoneInfo(catalog.committee_of(entry).timezone)).date()
    return held.model.date  # a day without a published time, or None


def history(site: Site, entry: Entry) -> list[tuple[datetime, str]]:
    """When the status took each value, from git; a change not committed yet (or a file outside
    git) counts from the file's last change, as its revision does."""
    changes: list[tuple[datetime, str]] = []
    for when, status in site.statuses.get(entry.path, []):
        if not changes or changes[-1][1] != status:
            changes.append((when, status))
    if not changes or changes[-1][1] != entry.model.status:
        changes.append((site.revision(entry).updated, entry.model.status))
    return changes


# -- what pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One recommendation as trackers and summaries list it."""

    entry: Entry
    m: Any  # the model in the page's language
    clock: Clock
    said: str  # the clock in words

    @property
    def status(self) -> str:
        return self.entry.model.status


def rows(site: Site, lang: str, committee: str | None = None) -> list[Row]:
    """The recommendations (of one committee, or of all), by committee and file name."""
    found = []
    for entry in site.catalog.of(TYPE.name):
        if committee is None or entry.committee == committee:
            c = clock(site, entry)
            found.append(Row(entry, entry.localized(lang), c, c.text(lang)))
    return found


def trackers(catalog: Catalog) -> tuple[dict[str, Entry], Entry | None]:
    """The tracker pages: each committee's (`recommendations/index.md`) and the site's (a
    `list: recommendations` listing elsewhere), if there are."""
    pages = {c: d for c in catalog.committees if (d := catalog.docs.get(TRACKER.format(c)))}
    site = next(
        (
            d
            for d in catalog.of("listing")
            if d.model.list == "recommendations" and not d.path.startswith("committees/")
        ),
        None,
    )
    return pages, site


def _names(site: Site, lang: str) -> dict[str, Any]:
    def tracker(committee: str | None = None) -> dict[str, Any]:
        """What a tracker or a summary shows: the rows, grouped by status, with counts."""
        listed = rows(site, lang, committee)
        groups = [(s, [r for r in listed if r.status == s]) for s in STATUSES]
        today = max((r.clock.today for r in listed), default=site.now.date())
        pages, whole = trackers(site.catalog)
        return {
            "rows": listed,
            # the anchor, Markdown of ours: `{ #status-accepted }` after the heading
            "groups": [(s, Markdown(f"{{ #status-{s} }}"), found) for s, found in groups if found],
            "overdue": sum(r.clock.overdue for r in listed),
            "computed": format_date(today, "d MMMM y", locale=lang),
            "pages": pages,
            "site": whole,
            "committees": [site.catalog.committees[c] for c in sorted(pages)],
        }

    return {"recommendations": tracker}


def _timeline(page: PageInput) -> list[tuple[date, str, str | None]]:
    """What happened, oldest first: (day, what, link)."""
    site, entry, lang = page.site, page.entry, page.lang
    t, m, tz = translator(lang), entry.model, zone(page.site, page.entry)
    events: list[tuple[date, str, str | None]] = []
    held = adopted_in(site.catalog, entry)
    if held is not None and adopted_on(site.catalog, entry) is not None:
        title = held.localized(lang).title
        events.append(
            (adopted_on(site.catalog, entry), t("Adopted at: {session}", session=title), None)
        )
    for when, status in history(site, entry):
        events.append(
            (when.astimezone(tz).date(), t("Status on this site: {status}", status=t(status)), None)
        )
    for milestone in m.milestones:
        events.append((milestone.date, milestone.what, milestone.evidence))
    if m.response is not None:
        events.append((m.response.date, t("Response published"), m.response.url))
    if m.response_due is not None:
        events.append((m.response_due, t("Response due"), None))
    return sorted(events, key=lambda e: e[0])


def _context(page: PageInput) -> dict[str, Any]:
    site, entry, lang = page.site, page.entry, page.lang
    t = translator(lang)
    c = clock(site, entry)
    votes = entry.model.votes
    return {
        "committee": site.catalog.committees[entry.committee].localized(lang),
        "session": adopted_in(site.catalog, entry),
        "clock": sentence(c.text(lang)),
        "overdue": c.overdue,
        "computed": format_date(c.today, "d MMMM y", locale=lang),
        "day": lambda d: format_date(d, "d MMMM y", locale=lang),
        "timeline": _timeline(page),
        "votes": [
            (t(label), getattr(votes, group))
            for group, label in (("citizen", "citizen members"), ("politician", "politicians"))
            if votes and getattr(votes, group)
        ],
        "question": rating_question(entry.localized(lang).title, lang),
        # the rating's results page, once editors have merged it
        "rated": entry.model.rating and site.catalog.results_of(entry.model.rating.id),
        "follow": follow.offer(site.bot, follow.committee(entry.committee), lang),
    }


def overdue_since(site: Site, entry: Entry) -> datetime | None:
    """The moment the response became overdue (the day after it was due began), if it is."""
    if not clock(site, entry).overdue:
        return None
    return datetime.combine(entry.model.response_due + timedelta(days=1), time(), zone(site, entry))


def _feed(page: PageInput) -> FeedEntry:
    site, entry, lang = page.site, page.entry, page.lang
    t = translator(lang)
    committee = site.catalog.committees[entry.committee].localized(lang)
    return FeedEntry(
        t("{name}: {title}", name=committee.title, title=entry.localized(lang).title),
        f"{t('Status')}: {t(entry.model.status)}; {clock(site, entry).text(lang)}",
        sample=entry.model.sample or site.catalog.committee_of(entry).sample,
        updated=overdue_since(site, entry),
    )


def _events(site: Site, entry: Entry) -> Iterator[Event]:
    """The response's deadline, as an all-day event of the committee's calendar."""
    m = entry.model
    if m.response_due is None:
        return
    url = clean_line(site.absolute(entry.url))
    revision = site.revision(entry)
    event = Event()
    event.add("uid", str(uuid5(NAMESPACE_URL, f"civicloop:recommendation:{entry.id}:due")))
    event.add("summary", clean_line(f"Response due: {m.title}"))
    event.add("dtstart", m.response_due)
    event.add("dtend", m.response_due + timedelta(days=1))
    event.add("dtstamp", revision.updated)
    event.add("last-modified", revision.updated)
    event.add("sequence", max(revision.count - 1, 0))
    event.add("transp", "TRANSPARENT")
    # the same text every day (no clock): an app updates an event when its SEQUENCE grows
    t = translator(DEFAULT)
    event.add("description", clean(f"{m.owed_by} · {t('Status')}: {t(m.status)}\n\n{url}"))
    event.add("url", url)
    yield event


# -- checks across files ---------------------------------------------------------------------


def _checks(catalog: Catalog) -> Iterator[Problem]:
    polls = {p.id: s.path for s in catalog.of(session.TYPE.name) for p in s.model.polls}
    trackers_missing: set[str] = set()
    for entry in catalog.of(TYPE.name):
        m = entry.model
        if entry.committee not in catalog.committees:
            yield Problem(
                entry.path,
                1,
                f"recommendation of committee '{entry.committee}', but "
                f"committees/{entry.committee}/index.md is missing or invalid",
            )
            continue
        if TRACKER.format(entry.committee) not in catalog.docs:
            trackers_missing.add(entry.committee)
        held = adopted_in(catalog, entry)
        line = field_line(catalog, entry, "adopted_at:")
        if held is None:
            known = [s.slug for s in catalog.sessions_of(entry.committee)]
            yield Problem(
                entry.path,
                line,
                f"'adopted_at' is '{m.adopted_at}', which is no session of this committee; "
                f"known: {', '.join(known) or 'none'}",
            )
        elif held.model.status != "held":
            yield Problem(
                entry.path,
                line,
                f"'adopted_at' is '{m.adopted_at}', a session whose status is "
                f"'{held.model.status}'; a recommendation is adopted at a session held",
            )
        elif (adopted := adopted_on(catalog, entry)) is not None:
            yield from _after_adoption(catalog, entry, adopted)
        yield from _response(catalog, entry)
        yield from _seats(catalog, entry)
        if m.rating is not None:
            if m.rating.id in polls:
                yield Problem(
                    entry.path,
                    field_line(catalog, entry, f"id: {m.rating.id}"),
                    f"duplicate poll id '{m.rating.id}' (also in {polls[m.rating.id]}); "
                    "poll ids must be unique across the site",
                )
            else:
                polls[m.rating.id] = entry.path
    for slug in sorted(trackers_missing):
        yield Problem(
            f"committees/{slug}/index.md",
            1,
            f"the committee has recommendations but no tracker: add "
            f"{TRACKER.format(slug)} with 'type: listing', 'list: recommendations' and a title "
            "(`civicloop new recommendation` writes it)",
        )


def _response(catalog: Catalog, entry: Entry) -> Iterator[Problem]:
    """The status and the response agree; a rating rates a response already published."""
    m = entry.model
    line = field_line(catalog, entry, "status:")
    if m.status == AWAITING and m.response is not None:
        yield Problem(
            entry.path,
            line,
            f"'status' is '{AWAITING}', but a 'response' is given; set the status it gives "
            f"({', '.join(ANSWERED)})",
        )
    if m.status in ANSWERED and m.response is None:
        yield Problem(
            entry.path,
            line,
            f"'status' is '{m.status}', which needs the authority's 'response' (date, url, "
            f"summary); keep 'status: {AWAITING}' until it is published",
        )
    if m.rating is None:
        return
    line = field_line(catalog, entry, "rating:")
    if m.response is None:
        yield Problem(
            entry.path, line, "'rating' rates the response, but there is no 'response' yet"
        )
    elif m.rating.opens.date() < m.response.date:
        yield Problem(
            entry.path,
            line,
            f"'rating' opens on {m.rating.opens.date()}, before the response "
            f"({m.response.date}); open it once the response is published",
        )


def _after_adoption(catalog: Catalog, entry: Entry, adopted: date) -> Iterator[Problem]:
    """What follows the adoption cannot come before it."""
    m = entry.model
    dated = [("response_due", m.response_due, "response_due:")]
    if m.response is not None:
        dated.append(("response.date", m.response.date, "date:"))
    dated += [(f"milestones[{i}].date", x.date, str(x.date)) for i, x in enumerate(m.milestones)]
    for name, value, needle in dated:
        if value is not None and value < adopted:
            yield Problem(
                entry.path,
                field_line(catalog, entry, needle),
                f"'{name}' is {value}, before the recommendation was adopted ({adopted}, at "
                f"'{m.adopted_at}'); check the date",
            )


def _seats(catalog: Catalog, entry: Entry) -> Iterator[Problem]:
    """No group casts more votes than it has seats."""
    votes = entry.model.votes
    if votes is None:
        return
    members = catalog.committee_of(entry).members
    for group in ("citizen", "politician"):
        vote = getattr(votes, group)
        seats = sum(x.count for x in members if x.role == group)
        if vote is not None and vote.total > seats:
            yield Problem(
                entry.path,
                field_line(catalog, entry, f"{group}:"),
                f"'votes.{group}' counts {vote.total} votes (for, against, abstained), but the "
                f"committee has {seats} {group} seats; check the figures",
            )


# -- civicloop new recommendation ------------------------------------------------------------


def _make(content: Path, args: argparse.Namespace) -> tuple[Path, dict[str, Any], str]:
    folder = content / "committees" / args.committee
    if not (folder / "index.md").is_file():
        known = sorted(p.parent.name for p in (content / "committees").glob("*/index.md"))
        raise ValueError(f"no committee '{args.committee}'; known: {', '.join(known) or 'none'}")
    if not (folder / "sessions" / f"{args.session}.md").is_file():
        known = sorted(p.stem for p in (folder / "sessions").glob("*.md") if "." not in p.stem)
        raise ValueError(f"no session '{args.session}'; known: {', '.join(known) or 'none'}")
    numbers = [
        int(x[1])
        for p in (folder / "recommendations").glob("*.md")
        if (x := re.match(r"(\d+)-", p.name))
    ]
    number = max(numbers, default=0) + 1
    title = args.title or f"Recommendation {number}"
    tracker = content / TRACKER.format(args.committee)
    if not tracker.exists():
        tracker.parent.mkdir(parents=True, exist_ok=True)
        tracker.write_text(
            "---\ntype: listing\nlist: recommendations\ntitle: Recommendations\n---\n\n"
            "What the committee recommended, and what became of it.\n",
            encoding="utf-8",
        )
    meta = {
        "type": "recommendation",
        "title": title,
        "summary": TODO,
        "wording": NOT_KNOWN,
        "language": DEFAULT,
        "adopted_at": args.session,
        "owed_by": TODO,
        "status": AWAITING,
    }
    path = content / TYPE.place.path(args.committee, f"{number:02d}-{slugify(title)}")
    return path, meta, "Context: where the recommendation comes from, what it changes.\n"


TYPE = ContentType(
    name="recommendation",
    model=Recommendation,
    position=8,
    translatable=frozenset({"title", "area", "summary"}),
    place=Place(
        re.compile(r"^committees/[^/]+/recommendations/(?!index\.md$)[^/]+\.md$"),
        "committees/<slug>/recommendations/<id>.md",
    ),
    counted=("recommendation", "recommendations"),
    order=lambda e: (e.committee, e.path),
    in_committee=True,
    ident=lambda e: f"{e.committee}/{e.slug}",
    context=_context,
    feed=_feed,
    names=_names,
    events=_events,
    skeleton=Skeleton(
        (
            Argument(("--committee",), {"required": True}),
            Argument(
                ("--session",),
                {"required": True, "help": "where it was adopted: the session's file name"},
            ),
            Argument(("--title",)),
        ),
        _make,
    ),
    checks=_checks,
    links=lambda e: [
        *([e.model.response.url] if e.model.response and e.model.response.url else []),
        *(x.evidence for x in e.model.milestones if x.evidence),
    ],
)
