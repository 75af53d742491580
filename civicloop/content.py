"""The content model: one typed class per kind of page editors write in `content/`.

Front matter is validated against these classes; unknown keys are errors so that a typo
(`start:` for `starts:`) is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    NonNegativeInt,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civicloop.draw import Draw

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG)]
Text = Annotated[str, Field(min_length=1)]
ProcessKind = Literal[
    "political-task-committee", "deliberative-committee", "citizens-assembly", "other"
]


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Brussels'"
        ) from None
    return name


TimeZone = Annotated[str, AfterValidator(_timezone)]


def _after(value: datetime, info: ValidationInfo, earlier: str) -> datetime:
    start = info.data.get(earlier)
    if start is not None and value <= start:
        raise ValueError(f"must be after {earlier!r} ({start.isoformat()})")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(Strict):
    title: Text
    url: HttpUrl


class Member(Strict):
    """One seat, or `count` alike seats (30 citizens drawn by lot need not be 30 entries)."""

    role: Literal["citizen", "politician", "expert", "facilitator", "substitute"]
    selection: Literal["appointed", "drawn-by-lot", "elected", "ex-officio"]
    name: str | None = None
    affiliation: str | None = None
    count: PositiveInt = 1


class Committee(Strict):
    type: Literal["committee"]
    title: Text
    kind: ProcessKind
    question: Text
    status: Literal["planned", "active", "concluded"]
    members: list[Member] = Field(min_length=1)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(min_length=1)
    timezone: TimeZone
    place: str | None = None
    sample: bool = False
    sources: list[Link] = []


class Document(Strict):
    title: Text
    url: Text


class AgendaItem(Strict):
    title: Text
    presenter: str | None = None
    duration: PositiveInt | None = Field(default=None, description="minutes")
    documents: list[Document] = []


class Poll(Strict):
    id: Slug
    question: Text
    kind: Literal["single", "multiple", "rating"]
    options: list[Text] = []
    opens: AwareDatetime
    closes: AwareDatetime
    comments: bool = Field(default=False, description="ask respondents for a free-text comment")

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("kind")
        if kind == "rating":
            if options and len(options) != 5:
                raise ValueError("a rating poll has 5 option labels (for 1 to 5) or none")
        elif len(options) < 2:
            raise ValueError(f"a {kind or 'choice'} poll needs at least 2 options")
        if len(set(options)) != len(options):
            raise ValueError("two options say the same; each option must differ")
        return options

    _closes = field_validator("closes")(lambda cls, v, info: _after(v, info, "opens"))

    @property
    def labels(self) -> list[str]:
        return self.options or ["1", "2", "3", "4", "5"]


class Session(Strict):
    type: Literal["session"]
    title: Text
    number: PositiveInt
    starts: AwareDatetime
    ends: AwareDatetime
    status: Literal["scheduled", "held", "postponed", "cancelled"]
    place: str | None = None
    online: HttpUrl | None = None
    agenda: list[AgendaItem] = []
    replay: HttpUrl | None = None
    outcomes: str | None = None
    polls: list[Poll] = []

    _ends = field_validator("ends")(lambda cls, v, info: _after(v, info, "starts"))

    @model_validator(mode="after")
    def _somewhere(self) -> Session:
        if not self.place and not self.online:
            raise ValueError("a session needs a 'place', an 'online' link, or both")
        return self


YEARS = re.compile(r"^(\d{4})(?:-(\d{4})?)?$")


def _years(value: str | int) -> str:
    text = str(value)
    match = YEARS.match(text)
    if not match or (match[2] and match[2] < match[1]):
        raise ValueError("write years as '2015', '2015-' (ongoing) or '2023-2024'")
    return text


class CaseStudy(Strict):
    type: Literal["case-study"]
    title: Text
    summary: Text
    place: Text
    country: Text
    years: Annotated[str, AfterValidator(_years)]
    process: ProcessKind
    tags: list[Slug] = []
    outcomes: list[Text] = []
    sources: list[Link] = Field(min_length=1)


class Speaker(Strict):
    name: Text
    affiliation: str | None = None


class Webinar(Strict):
    type: Literal["webinar"]
    title: Text
    summary: Text
    date: AwareDatetime
    speakers: list[Speaker] = []
    goals: list[Text] = []
    replay: HttpUrl
    related: list[Slug] = Field(default=[], description="slugs of related case studies")
    transcript: str | None = None


class ResultOption(Strict):
    label: Text
    count: NonNegativeInt | None  # None when too few answered to publish figures
    share: Annotated[float, Field(ge=0, le=1)] | None


class BreakdownGroup(Strict):
    group: Text
    respondents: PositiveInt
    counts: list[NonNegativeInt]


class Breakdown(Strict):
    by: Literal["language"]
    groups: list[BreakdownGroup] = Field(min_length=2)


class Results(Strict):
    """A closed poll's figures, written by the publisher and merged after editors' review."""

    type: Literal["results"]
    title: Text
    poll: Slug
    session: Text
    question: Text
    kind: Literal["single", "multiple", "rating"]
    respondents: NonNegativeInt
    suppressed: bool
    options: list[ResultOption] = Field(min_length=2)
    breakdown: Breakdown | None = None
    opened: AwareDatetime | None = None
    closed: AwareDatetime
    generator: Text

    @field_validator("options")
    @classmethod
    def _counts(cls, options: list[ResultOption], info: ValidationInfo) -> list[ResultOption]:
        respondents = info.data.get("respondents")
        if respondents is not None and any((o.count or 0) > respondents for o in options):
            raise ValueError(f"an option counts more answers than the {respondents} respondents")
        return options


class Listing(Strict):
    """A page whose body is followed by a list the build makes (home, indexes, calendar)."""

    type: Literal["listing"]
    title: Text
    list: Literal["home", "committees", "case-studies", "webinars", "calendar", "results"]


Model = Committee | Session | CaseStudy | Webinar | Results | Listing | Draw
MODELS: dict[str, type[Model]] = {
    "committee": Committee,
    "session": Session,
    "case-study": CaseStudy,
    "webinar": Webinar,
    "results": Results,
    "listing": Listing,
    "draw": Draw,
}

# What a translation file (`*.fr.md`) may say; everything else comes from the original.
TRANSLATABLE: dict[str, set[str]] = {
    "committee": {"title", "question", "place"},
    "session": {"title", "place", "outcomes"},
    "case-study": {"title", "summary", "place", "country", "outcomes"},
    "webinar": {"title", "summary", "goals", "transcript"},
    "results": {"title"},
    "listing": {"title"},
    "draw": {"title"},
}


def json_schemas() -> dict[str, dict]:
    """JSON Schemas of the front matter, for editors' YAML tooling and the published site."""
    schemas = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schemas[name] = schema
    return schemas
