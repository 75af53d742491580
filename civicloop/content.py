"""The content model: one typed class per kind of page editors write in `content/`.

Front matter is validated against these classes; unknown keys are errors so that a typo
(`start:` for `starts:`) is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    HttpUrl,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civicloop.draw import Draw
from civicloop.fields import (
    OPTION_LENGTH,
    OPTIONS,
    QUESTION_LENGTH,
    Moment,
    NonNegativeInt,
    Paragraphs,
    PositiveInt,
    SafeLink,
    Slug,
    Strict,
    Text,
    TimeZone,
    after,
    at_most,
)

ProcessKind = Literal[
    "political-task-committee", "deliberative-committee", "citizens-assembly", "other"
]


class Link(Strict):
    title: Text
    url: HttpUrl


class Member(Strict):
    """One seat, or `count` alike seats (30 citizens drawn by lot need not be 30 entries)."""

    role: Literal["citizen", "politician", "expert", "facilitator", "substitute"]
    selection: Literal["appointed", "drawn-by-lot", "elected", "ex-officio"]
    name: Text | None = None
    affiliation: Text | None = None
    count: PositiveInt = 1


class Committee(Strict):
    type: Literal["committee"]
    title: Text
    kind: ProcessKind
    question: Paragraphs
    status: Literal["planned", "active", "concluded"]
    members: list[Member] = Field(min_length=1)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(min_length=1)
    timezone: TimeZone
    place: Text | None = None
    sample: StrictBool = False
    sources: list[Link] = []


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


class Session(Strict):
    type: Literal["session"]
    title: Text
    number: PositiveInt
    starts: Moment
    ends: Moment
    status: Literal["scheduled", "held", "postponed", "cancelled"]
    place: Text | None = None
    online: HttpUrl | None = None
    agenda: list[AgendaItem] = []
    replay: HttpUrl | None = None
    outcomes: Paragraphs | None = None
    polls: list[Poll] = []

    _ends = field_validator("ends")(lambda cls, v, info: after(v, info, "starts"))

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
    summary: Paragraphs
    place: Text
    country: Text
    years: Annotated[str, AfterValidator(_years)]
    process: ProcessKind
    tags: list[Slug] = []
    outcomes: list[Text] = []
    sources: list[Link] = Field(min_length=1)


class Speaker(Strict):
    name: Text
    affiliation: Text | None = None


class Webinar(Strict):
    type: Literal["webinar"]
    title: Text
    summary: Paragraphs
    date: Moment
    speakers: list[Speaker] = []
    goals: list[Text] = []
    replay: HttpUrl
    related: list[Slug] = Field(default=[], description="slugs of related case studies")
    transcript: Paragraphs | None = None


class ResultOption(Strict):
    label: Text
    count: NonNegativeInt | None  # None when too few answered to publish figures
    share: Annotated[float, Field(strict=True, ge=0, le=1, allow_inf_nan=False)] | None


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
    suppressed: StrictBool
    options: list[ResultOption] = Field(min_length=2)
    breakdown: Breakdown | None = None
    opened: Moment | None = None
    closed: Moment
    generator: Text
    answers_digest: str | None = None  # what it was made from, so it is published only once

    @field_validator("options")
    @classmethod
    def _counts(cls, options: list[ResultOption], info: ValidationInfo) -> list[ResultOption]:
        respondents = info.data.get("respondents")
        if respondents is not None and any((o.count or 0) > respondents for o in options):
            raise ValueError(f"an option counts more answers than the {respondents} respondents")
        return options


class Page(Strict):
    """A page without a type: MkDocs and Material read its front matter themselves, and stop
    (some with a traceback) on values of other shapes."""

    title: Text | None = None
    description: Text | None = None
    tags: list[Text] = []
    hide: list[Literal["navigation", "toc", "footer", "feedback", "path", "tags"]] = []


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
