"""A closed poll's results: written by the publisher (`civicloop.results`) as a reviewable
change, checked against the session's poll, listed newest first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator

from civicloop import follow
from civicloop.catalog import Catalog
from civicloop.fields import Moment, NonNegativeInt, PositiveInt, Slug, Strict, Text
from civicloop.problems import Problem
from civicloop.types import session
from civicloop.types.base import ContentType, PageInput, Place, field_line
from civicloop.types.recommendation import rating_polls


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


def _context(page: PageInput) -> dict[str, Any]:
    committee, _, stem = page.entry.model.session.partition("/")
    where = session.TYPE.place.path(committee, stem)
    return {
        "session": page.site.catalog.docs.get(where),
        "follow": follow.offer(page.site.bot, follow.committee(committee), page.lang),
    }


def _checks(catalog: Catalog) -> Iterator[Problem]:
    polls = {
        p.id: (s.id, s.committee, p) for s in catalog.of(session.TYPE.name) for p in s.model.polls
    }
    polls.update(rating_polls(catalog))
    for entry in catalog.of(TYPE.name):
        model = entry.model
        if entry.slug != model.poll:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "poll:"),
                f"results of poll '{model.poll}' must be in {model.poll}.md",
            )
        found = polls.get(model.poll)
        if found is None:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "poll:"),
                f"'poll' is '{model.poll}', which no session or recommendation defines",
            )
            continue
        held, committee, poll = found
        if held != model.session or committee != entry.committee:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "session:"),
                f"'session' is '{model.session}', but poll '{poll.id}' belongs to '{held}'",
            )
        if [o.label for o in model.options] != poll.labels:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "options:"),
                f"the options differ from poll '{poll.id}': {', '.join(poll.labels)}",
            )


TYPE = ContentType(
    name="results",
    model=Results,
    position=5,
    translatable=frozenset({"title"}),
    place=Place(
        re.compile(r"^committees/[^/]+/results/[^/]+\.md$"),
        "committees/<slug>/results/<poll-id>.md",
    ),
    listed_as="results",
    order=lambda e: e.model.closed,
    newest_first=True,
    in_committee=True,
    context=_context,
    checks=_checks,
)
