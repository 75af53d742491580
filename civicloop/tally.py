"""Counting poll answers: per option, with shares of respondents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    share: float  # of respondents, 0..1; for multiple-choice polls shares may sum above 1


@dataclass(frozen=True)
class Tally:
    options: list[OptionCount]
    respondents: int


def tally(labels: list[str], answers: list[list[int]]) -> Tally:
    """Each answer is the option indexes one respondent chose; out-of-range indexes are ignored."""
    counts = [0] * len(labels)
    respondents = 0
    for chosen in answers:
        valid = {i for i in chosen if 0 <= i < len(labels)}
        if valid:
            respondents += 1
        for i in valid:
            counts[i] += 1
    return Tally(
        options=[
            OptionCount(label, n, round(n / respondents, 4) if respondents else 0.0)
            for label, n in zip(labels, counts, strict=True)
        ],
        respondents=respondents,
    )


# Figures about fewer people than this are not published: a poll's totals, and each group's.
MIN_GROUP = 5

# The groups results count apart: the public (no member role), citizen members, politicians,
# and members of any other role (substitutes, experts, facilitators).
GROUPS = ("public", "citizen", "politician", "other")
# Their names on pages and in the bot's messages (labels in civicloop/labels.py)
GROUP_NAMES = {
    "public": "The public",
    "citizen": "Citizen members",
    "politician": "Politicians",
    "other": "Other members",
}


def group_of(role: str | None) -> str:
    """The group a respondent with member `role` (None: none) is counted in."""
    if role is None:
        return "public"
    return role if role in ("citizen", "politician") else "other"


@dataclass(frozen=True)
class GroupTally:
    tally: Tally
    suppressed: bool  # its figures are not published


def publishable(respondents: int, counts: list[int], named: bool, minimum: int = MIN_GROUP) -> bool:
    """Whether figures about a group can be published: nobody, or at least `minimum` people
    with no option chosen by 1 to `minimum - 1` of them (4 against 1 tells how the 1 answered);
    of people who are `named` (members: their names are on the committee's page), not all
    choosing the same option either (5 against 0 tells how each of them answered)."""
    if respondents == 0:
        return True
    return (
        respondents >= minimum
        and all(n == 0 or n >= minimum for n in counts)
        and not (named and respondents in counts)
    )


def totals_publishable(t: Tally, members: bool, minimum: int = MIN_GROUP) -> bool:
    """Whether a poll's totals can be published: at least `minimum` respondents and, when
    members answered, not all of them choosing one option. Then every group is withheld (the
    members' would be unanimous), and the totals alone would tell how each member who answered
    did, as a group of members shown unanimous would."""
    return t.respondents >= minimum and not (members and t.respondents in counts_of(t))


def named(groups: Iterable[str]) -> bool:
    """Whether any of `groups` is of members, whose names are public."""
    return any(name != "public" for name in groups)


def by_group(
    labels: list[str], answers: list[tuple[str | None, list[int]]], minimum: int
) -> dict[str, GroupTally]:
    """Each group's tally of `answers` (member role, options chosen), every group in GROUPS.

    A group is withheld unless its figures are `publishable`. As the totals are published,
    the groups withheld, taken together, are the totals minus the groups shown: so while they
    are not publishable together, the smallest group shown is withheld too; when no group
    with respondents is left to withhold, every group is, those nobody is in too (a 0 shown
    beside them would tell that the totals are theirs)."""
    tallies = {
        name: tally(labels, [chosen for role, chosen in answers if group_of(role) == name])
        for name in GROUPS
    }

    def fit(names: set[str]) -> bool:
        counts = [sum(c) for c in zip(*(counts_of(tallies[n]) for n in names), strict=True)]
        people = sum(tallies[n].respondents for n in names)
        return publishable(people, counts, named(names), minimum)

    withheld = {name for name in GROUPS if not fit({name})}
    while withheld and not fit(withheld):
        shown = [n for n in GROUPS if n not in withheld and tallies[n].respondents]
        if not shown:
            withheld = set(GROUPS)
            break
        withheld.add(min(shown, key=lambda n: tallies[n].respondents))
    return {name: GroupTally(tallies[name], name in withheld) for name in GROUPS}


def counts_of(t: Tally) -> list[int]:
    return [o.count for o in t.options]
