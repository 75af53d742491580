"""The open data (`data/v1/`): what the bot and anyone else read instead of parsing Markdown.

The records are pydantic models, so the JSON Schemas published beside the data are derived from
the very classes that write it and cannot drift from it. Their text is cleaned as on the pages
(no control or bidirectional-override character; unpaired surrogates, which UTF-8 cannot carry,
as U+FFFD), and `<`, `>`, `&` are written as escapes (`\\u003c`): the same JSON, inert in HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model

from civicloop.catalog import Entry, page_url, resolve
from civicloop.content import Appointment, Member
from civicloop.escaping import clean, inert_json
from civicloop.fields import OPTION_LENGTH, OPTIONS, QUESTION_LENGTH, at_most
from civicloop.sitecontext import SiteContext
from civicloop.types import recommendation
from civicloop.types import session as session_dates

VERSION = 1


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Translation(Record):
    title: str
    question: str | None = None


class CommitteeRecord(Record):
    id: str
    title: str
    kind: str
    question: str
    status: str
    sample: bool
    members: list[Member]
    # how the appointed members were chosen (None: no member is appointed; a field None: the
    # sources do not say); a default, so that data published before it still reads
    appointment: Appointment | None = None
    languages: list[str]
    timezone: str
    place: str | None
    url: str
    calendar: str
    sessions: list[str]
    translations: dict[str, Translation]


class AgendaRecord(Record):
    title: str
    presenter: str | None
    duration: int | None
    documents: list[dict[str, str]]


class SessionRecord(Record):
    id: str
    committee: str
    number: int
    title: str
    # defaults for the fields added since the first data, so that data published before still reads
    sample: bool = Field(
        default=False, description="sample data: invented for demonstration, not a real session"
    )
    starts: AwareDatetime | None = Field(description="null when the time is not published")
    ends: AwareDatetime | None = Field(description="null when the time is not published")
    date: dt.date | None = Field(
        default=None,
        description="the day in the committee's time zone; null when the date is not known",
    )
    date_between: list[dt.date] | None = Field(
        default=None,
        description="when the date is not known but its sources place it in a window: the first "
        "and last day it may have been on",
        min_length=2,
        max_length=2,
    )
    timezone: str
    status: Literal["scheduled", "held", "postponed", "cancelled"]
    place: str | None
    online: str | None
    agenda: list[AgendaRecord]
    replay: str | None
    outcomes: str | None
    polls: list[str]
    url: str
    calendar: str | None = Field(description="null when the date is not known: no event")
    translations: dict[str, Translation]
    hash: str  # sha256 of the record without this field: it changes when the session does

    # when it is, as its content says it (civicloop.types.session), in its committee's zone
    def days(self) -> tuple[dt.date, dt.date] | None:
        return session_dates.days_of(self)

    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        return session_dates.span_of(self, ZoneInfo(self.timezone))

    def to_come(self, now: dt.datetime) -> bool:
        return session_dates.to_come(self, now, ZoneInfo(self.timezone))


class OptionResult(Record):
    label: str
    count: int | None
    share: float | None


class RoleResults(Record):
    respondents: int | None  # None with its counts when withheld
    suppressed: bool
    options: list[OptionResult]


class PollResults(Record):
    respondents: int
    suppressed: bool
    options: list[OptionResult]
    # the public, citizen members, politicians and other members apart; None for results
    # written before roles (a default, so that data published before it still reads)
    by_role: dict[str, RoleResults] | None = None
    closed: AwareDatetime
    url: str


class PollRecord(Record):
    id: str
    committee: str
    session: str
    # Telegram's limits, so that data from any site cannot make the bot cut a poll or send
    # one that fails for every citizen: the reading is refused, and the old data kept
    question: Annotated[str, at_most(QUESTION_LENGTH)]
    kind: Literal["single", "multiple", "rating"]
    options: Annotated[
        list[Annotated[str, at_most(OPTION_LENGTH)]],
        Field(min_length=OPTIONS[0], max_length=OPTIONS[1]),
    ]
    opens: AwareDatetime
    closes: AwareDatetime
    comments: bool
    url: str
    results: PollResults | None  # once editors have merged them
    recommendation: str | None = None  # a rating poll: the id of the recommendation it rates
    sample: bool = Field(
        default=False, description="sample data: a poll of a committee invented for demonstration"
    )


class VoteRecord(Record):
    for_: int = Field(alias="for", serialization_alias="for")
    against: int
    abstained: int

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ResponseRecord(Record):
    date: date
    url: str | None  # the official document; None: not known
    summary: str


class MilestoneRecord(Record):
    date: date
    what: str
    evidence: str | None


class StatusChange(Record):
    date: AwareDatetime  # of the reviewed commit that set it (or of the build, if uncommitted)
    status: str


class RecommendationRecord(Record):
    id: str
    committee: str
    number: str | None
    area: str | None
    title: str
    summary: str
    wording: str = Field(title="Text as adopted")  # or "not known"
    language: str
    adopted_at: str  # the session's id
    adopted: date | None
    votes: dict[Literal["citizen", "politician"], VoteRecord] | None  # None: not known
    owed_by: str
    status: recommendation.Status  # the content type's own list
    response_due: date | None
    response_overdue: bool  # as computed at build time
    computed: date  # the day the clock was computed on, in the committee's time zone
    response: ResponseRecord | None
    milestones: list[MilestoneRecord]
    history: list[StatusChange]
    rating: str | None  # the id of its rating poll, in polls.json
    url: str
    sample: bool
    translations: dict[str, Translation]
    hash: str  # sha256 of the record without this field: it changes when the record does


def _file(key: str, record: type[Record]) -> type[BaseModel]:
    """The model of one data file: a version and a list of records."""
    return create_model(
        f"{key.title()}File", version=(Literal[1], ...), **{key: (list[record], ...)}
    )


FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "committees.json": ("committees", _file("committees", CommitteeRecord)),
    "sessions.json": ("sessions", _file("sessions", SessionRecord)),
    "polls.json": ("polls", _file("polls", PollRecord)),
    "recommendations.json": ("recommendations", _file("recommendations", RecommendationRecord)),
}


def _translations(doc: Entry, *fields: str) -> dict[str, Translation]:
    return {
        lang: Translation(**{f: getattr(other.model, f) for f in ("title", *fields)})
        for lang, other in sorted(doc.translations.items())
    }


def committees(site: SiteContext) -> list[CommitteeRecord]:
    records = []
    for slug, doc in sorted(site.catalog.committees.items()):
        m = doc.model
        records.append(
            CommitteeRecord(
                id=slug,
                title=m.title,
                kind=m.kind,
                question=m.question,
                status=m.status,
                sample=m.sample,
                members=m.members,
                appointment=m.appointment_record(),
                languages=m.languages,
                timezone=m.timezone,
                place=m.place,
                url=site.absolute(doc.url),
                calendar=site.absolute(site.calendar_url(slug)),
                sessions=[s.id for s in site.catalog.sessions_of(slug)],
                translations=_translations(doc, "question"),
            )
        )
    return records


def sessions(site: SiteContext) -> list[SessionRecord]:
    records = []
    for doc in site.catalog.sessions:
        m = doc.model
        committee = site.catalog.committee_of(doc)
        zone = ZoneInfo(committee.timezone)
        fields = {
            "id": doc.id,
            "committee": doc.committee,
            "number": m.number,
            "title": m.title,
            "sample": committee.sample,
            "starts": m.starts,
            "ends": m.ends,
            "date": m.starts.astimezone(zone).date() if m.starts else m.date,
            "date_between": m.date_between,
            "timezone": committee.timezone,
            "status": m.status,
            "place": m.place,
            "online": str(m.online) if m.online else None,
            "agenda": [
                AgendaRecord(
                    title=i.title,
                    presenter=i.presenter,
                    duration=i.duration,
                    documents=[
                        {"title": d.title, "url": _document_url(site, doc, d.url)}
                        for d in i.documents
                    ],
                )
                for i in m.agenda
            ],
            "replay": str(m.replay) if m.replay else None,
            "outcomes": m.outcomes,
            "polls": [p.id for p in m.polls],
            "url": site.absolute(doc.url),
            "calendar": site.absolute(site.session_calendar_url(doc)) if m.date_known else None,
            "translations": _translations(doc),
        }
        record = SessionRecord.model_construct(**fields, hash="")
        digest = hashlib.sha256(
            json.dumps(record.model_dump(mode="json", exclude={"hash"}), sort_keys=True).encode()
        ).hexdigest()
        records.append(SessionRecord(**fields, hash=digest))
    return records


def _results(site: SiteContext, poll_id: str) -> PollResults | None:
    doc = site.catalog.results_of(poll_id)
    if doc is None:
        return None
    m = doc.model
    return PollResults(
        respondents=m.respondents,
        suppressed=m.suppressed,
        options=[OptionResult(**o.model_dump()) for o in m.options],
        by_role=(
            {name: RoleResults(**g.model_dump()) for name, g in m.by_role.items()}
            if m.by_role
            else None
        ),
        closed=m.closed,
        url=site.absolute(doc.url),
    )


def polls(site: SiteContext) -> list[PollRecord]:
    return _session_polls(site) + _rating_polls(site)


def _session_polls(site: SiteContext) -> list[PollRecord]:
    return [
        PollRecord(
            id=p.id,
            committee=doc.committee,
            session=doc.id,
            question=p.question,
            kind=p.kind,
            options=p.labels,
            opens=p.opens,
            closes=p.closes,
            comments=p.comments,
            url=site.absolute(doc.url),
            results=_results(site, p.id),
            sample=site.catalog.committee_of(doc).sample,
        )
        for doc in site.catalog.sessions
        for p in doc.model.polls
    ]


def _rating_polls(site: SiteContext) -> list[PollRecord]:
    """A recommendation's rating of the response: 1 to 5, asked of those who took part."""
    records = []
    for doc in site.catalog.of(recommendation.TYPE.name):
        rating = doc.model.rating
        if rating is None:
            continue
        records.append(
            PollRecord(
                id=rating.id,
                committee=doc.committee,
                session=f"{doc.committee}/{doc.model.adopted_at}",
                question=recommendation.rating_question(doc.model.title),
                kind="rating",
                options=["1", "2", "3", "4", "5"],
                opens=rating.opens,
                closes=rating.closes,
                comments=False,
                url=site.absolute(doc.url),
                results=_results(site, rating.id),
                recommendation=doc.id,
                sample=doc.model.sample or site.catalog.committee_of(doc).sample,
            )
        )
    return records


def _hashed(record_type: type[Record], fields: dict) -> Record:
    """The record with `hash`: sha256 of its JSON without it, so it changes when it does."""
    record = record_type.model_construct(**fields, hash="")
    digest = hashlib.sha256(
        json.dumps(
            record.model_dump(mode="json", by_alias=True, exclude={"hash"}), sort_keys=True
        ).encode()
    ).hexdigest()
    return record_type(**fields, hash=digest)


def recommendations(site: SiteContext) -> list[RecommendationRecord]:
    records = []
    for doc in site.catalog.of(recommendation.TYPE.name):
        m = doc.model
        clock = recommendation.clock(site, doc)
        votes = None
        if m.votes is not None:
            votes = {
                group: VoteRecord(
                    **{"for": v.in_favour, "against": v.against, "abstained": v.abstained}
                )
                for group in ("citizen", "politician")
                if (v := getattr(m.votes, group)) is not None
            }
        response = m.response
        fields = {
            "id": doc.id,
            "committee": doc.committee,
            "number": m.number,
            "area": m.area,
            "title": m.title,
            "summary": m.summary,
            "wording": m.wording,
            "language": m.language,
            "adopted_at": f"{doc.committee}/{m.adopted_at}",
            "adopted": recommendation.adopted_on(site.catalog, doc),
            "votes": votes,
            "owed_by": m.owed_by,
            "status": m.status,
            "response_due": m.response_due,
            "response_overdue": clock.overdue,
            "computed": clock.today,
            "response": response
            and ResponseRecord(
                date=response.date,
                url=_document_url(site, doc, response.url) if response.url else None,
                summary=response.summary,
            ),
            "milestones": [
                MilestoneRecord(
                    date=x.date,
                    what=x.what,
                    evidence=_document_url(site, doc, x.evidence) if x.evidence else None,
                )
                for x in m.milestones
            ],
            "history": [
                StatusChange(date=when, status=status)
                for when, status in recommendation.history(site, doc)
            ],
            "rating": m.rating.id if m.rating else None,
            "url": site.absolute(doc.url),
            "sample": m.sample or site.catalog.committee_of(doc).sample,
            "translations": _translations(doc),
        }
        records.append(_hashed(RecommendationRecord, fields))
    return records


def _document_url(site: SiteContext, doc: Entry, url: str) -> str:
    """Documents may be site-relative Markdown links; readers of the data need absolute URLs."""
    if "://" in url:
        return url
    target = resolve(doc.path, url) or url
    return site.absolute(page_url(target) if target.endswith(".md") else target)


def data_files(site: SiteContext) -> dict[str, bytes]:
    """Every file of `data/v1/`, by name: the data and, under `schema/`, its JSON Schemas."""
    builders = {
        "committees.json": committees,
        "sessions.json": sessions,
        "polls.json": polls,
        "recommendations.json": recommendations,
    }
    files = {}
    for name, (key, model) in FILES.items():
        records = [r.model_dump(mode="json", by_alias=True) for r in builders[name](site)]
        files[name] = _dump({"version": VERSION, key: records})
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = site.absolute(f"data/v1/schema/{name}")
        files[f"schema/{name}"] = _dump(schema)
    return files


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _dump(value: object) -> bytes:
    text = json.dumps(_cleaned(value), ensure_ascii=False, indent=1, sort_keys=False)
    return inert_json(text).encode() + b"\n"
