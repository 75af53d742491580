"""A closed poll's results: written by the publisher (`civicloop.results`) as a reviewable
change, checked against the session's poll, listed newest first, announced in the feed with
its figures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from babel.numbers import format_percent
from pydantic import Field, StrictBool, ValidationInfo, field_validator

from civicloop import follow
from civicloop.catalog import Catalog
from civicloop.fields import Moment, NonNegativeInt, PositiveInt, Slug, Strict, Text
from civicloop.labels import translator
from civicloop.problems import Problem
from civicloop.tally import GROUPS, MIN_GROUP, named, publishable
from civicloop.types import session
from civicloop.types.base import ContentType, FeedEntry, PageInput, Place, field_line


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


class RoleResult(Strict):
    """One group's figures (the public, citizen members, politicians, other members); all
    None when withheld (figures that would tell how someone answered: `civicloop.tally`)."""

    respondents: NonNegativeInt | None
    suppressed: StrictBool
    options: list[ResultOption] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _counts(cls, options: list[ResultOption], info: ValidationInfo) -> list[ResultOption]:
        respondents, suppressed = info.data.get("respondents"), info.data.get("suppressed")
        if suppressed and any(o.count is not None for o in options):
            raise ValueError("a group withheld ('suppressed: true') shows no count")
        if suppressed is False and (respondents is None or any(o.count is None for o in options)):
            raise ValueError(
                "a group shown ('suppressed: false') gives its 'respondents' and each option's "
                "'count'; set 'suppressed: true' and null figures to withhold it"
            )
        if respondents is not None and any((o.count or 0) > respondents for o in options):
            raise ValueError(f"an option counts more answers than the group's {respondents}")
        return options


Group = Literal["public", "citizen", "politician", "other"]


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
    by_role: dict[Group, RoleResult] | None = None  # results written before roles have none
    opened: Moment | None = None
    closed: Moment
    generator: Text
    answers_digest: str | None = None  # what it was made from, so it is published only once

    @property
    def few(self) -> bool:
        """Too few respondents to publish figures (the other reason to withhold the totals:
        members among them, everyone chose one option)."""
        return self.respondents < MIN_GROUP

    @field_validator("suppressed")
    @classmethod
    def _few(cls, suppressed: bool, info: ValidationInfo) -> bool:
        respondents = info.data.get("respondents")
        if not suppressed and respondents is not None and 0 < respondents < MIN_GROUP:
            raise ValueError(
                f"{respondents} respondents: fewer than {MIN_GROUP}, the figures are withheld "
                "('suppressed: true', null counts and shares)"
            )
        return suppressed

    @field_validator("options")
    @classmethod
    def _counts(cls, options: list[ResultOption], info: ValidationInfo) -> list[ResultOption]:
        respondents = info.data.get("respondents")
        if info.data.get("suppressed") and any(o.count is not None for o in options):
            raise ValueError("results withheld ('suppressed: true') show no count")
        if respondents is not None and any((o.count or 0) > respondents for o in options):
            raise ValueError(f"an option counts more answers than the {respondents} respondents")
        return options

    @field_validator("by_role")
    @classmethod
    def _groups(
        cls, groups: dict[str, RoleResult] | None, info: ValidationInfo
    ) -> dict[str, RoleResult] | None:
        respondents, options = info.data.get("respondents"), info.data.get("options")
        if not groups or respondents is None:
            return groups
        if sum(g.respondents or 0 for g in groups.values()) > respondents:
            raise ValueError(f"the groups count more people than the {respondents} respondents")
        labels = [o.label for o in options or []]
        for name, group in groups.items():
            if [o.label for o in group.options] != labels:
                raise ValueError(f"the options of group '{name}' differ from the poll's")
        shown = {n: g for n, g in groups.items() if not g.suppressed}
        if shown and info.data.get("suppressed"):
            raise ValueError(
                f"fewer than {MIN_GROUP} respondents: every group is withheld "
                "('suppressed: true'), as the totals are"
            )
        for name, group in shown.items():
            if not publishable(group.respondents or 0, counts(group.options), name != "public"):
                raise ValueError(f"the figures of group '{name}' {TELL}")
        unanimous = respondents in counts(options or []) and not info.data.get("suppressed")
        if unanimous and named(n for n, g in groups.items() if g.suppressed):
            raise ValueError(UNANIMOUS)  # members answered (a group of nobody is shown)
        withheld = [n for n in GROUPS if n not in shown]
        if shown and withheld and options:  # the totals minus the groups shown: those withheld
            left = [
                (o.count or 0) - sum(counts(g.options)[i] for g in shown.values())
                for i, o in enumerate(options)
            ]
            people = respondents - sum(g.respondents or 0 for g in shown.values())
            if not publishable(people, left, named(withheld)):
                raise ValueError(
                    f"the groups withheld, worked out from the totals and the groups shown, {TELL}"
                )
        return groups


TELL = (
    f"would tell how someone answered: fewer than {MIN_GROUP} people, an option chosen by 1 to "
    f"{MIN_GROUP - 1} of them, or by all of a group of members; withhold it "
    "('suppressed: true', null figures) or regenerate the file"
)


UNANIMOUS = (
    "everyone who answered chose the same option, and a group of members among them is "
    "withheld: the totals would tell how each member answered; withhold them too "
    "('suppressed: true', null figures) or regenerate the file"
)


def counts(options: list[ResultOption]) -> list[int]:
    return [o.count or 0 for o in options]


def _context(page: PageInput) -> dict[str, Any]:
    committee, _, stem = page.entry.model.session.partition("/")
    where = session.TYPE.place.path(committee, stem)
    return {
        "session": page.site.catalog.docs.get(where),
        "follow": follow.offer(page.site.bot, follow.committee(committee), page.lang),
    }


RATING = ["1", "2", "3", "4", "5"]


def _polls(catalog: Catalog) -> dict[str, tuple[str, str, list[str]]]:
    """Every poll the content defines, by id: the committee, the session it belongs to and its
    options: the polls of sessions, and the ratings of recommendations' responses (the
    `rating` block of a `recommendation`, whose session is the one it was adopted at)."""
    polls = {
        p.id: (s.committee, s.id, p.labels)
        for s in catalog.of(session.TYPE.name)
        for p in s.model.polls
    }
    for entry in catalog.of("recommendation"):
        rating = entry.model.rating
        if rating is not None:
            adopted = f"{entry.committee}/{entry.model.adopted_at}"
            polls[rating.id] = (entry.committee, adopted, RATING)
    return polls


def _summary(page: PageInput) -> str:
    """The question and its figures in words: "... 12 people answered. Option A: 50%; ..."."""
    model, t = page.entry.model, translator(page.lang)
    if model.suppressed:
        return (
            f"{model.question} {t('Fewer than 5 people answered: the figures are not published.')}"
        )
    shares = "; ".join(
        f"{o.label}: {format_percent(o.share, locale=page.lang)}"
        for o in model.options
        if o.share is not None
    )
    return f"{model.question} {t('{count} people answered.', count=model.respondents)} {shares}."


def _feed(page: PageInput) -> FeedEntry:
    sample = page.site.catalog.committee_of(page.entry).sample
    return FeedEntry(page.entry.localized(page.lang).title, _summary(page), sample)


def _checks(catalog: Catalog) -> Iterator[Problem]:
    polls = _polls(catalog)
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
                f"'poll' is '{model.poll}', which no session defines",
            )
            continue
        committee, held, labels = found
        if held != model.session or committee != entry.committee:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "session:"),
                f"'session' is '{model.session}', but poll '{model.poll}' belongs to '{held}'",
            )
        if [o.label for o in model.options] != labels:
            yield Problem(
                entry.path,
                field_line(catalog, entry, "options:"),
                f"the options differ from poll '{model.poll}': {', '.join(labels)}",
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
    feed=_feed,
    describe=_summary,
    checks=_checks,
)
