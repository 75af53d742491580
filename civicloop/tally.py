"""Counting poll answers: per option, with shares of respondents."""

from __future__ import annotations

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


# The groups results count apart: the public (no member role), citizen members, politicians,
# and members of any other role (substitutes, experts, facilitators).
GROUPS = ("public", "citizen", "politician", "other")


def group_of(role: str | None) -> str:
    """The group a respondent with member `role` (None: none) is counted in."""
    if role is None:
        return "public"
    return role if role in ("citizen", "politician") else "other"


@dataclass(frozen=True)
class GroupTally:
    tally: Tally
    suppressed: bool  # its figures are not published


def by_group(
    labels: list[str], answers: list[tuple[str | None, list[int]]], minimum: int
) -> dict[str, GroupTally]:
    """Each group's tally of `answers` (member role, options chosen), every group in GROUPS.

    A group of 1 to `minimum - 1` respondents is withheld. As the totals are published, the
    groups withheld, taken together, are the totals minus the groups shown: so while they
    add up to 1 to `minimum - 1` people, the smallest group shown is withheld too."""
    tallies = {
        name: tally(labels, [chosen for role, chosen in answers if group_of(role) == name])
        for name in GROUPS
    }
    withheld = {name for name, t in tallies.items() if 0 < t.respondents < minimum}
    while 0 < sum(tallies[name].respondents for name in withheld) < minimum:
        shown = [n for n in GROUPS if n not in withheld and tallies[n].respondents]
        if not shown:  # everyone is in a withheld group: the totals are withheld too
            break
        withheld.add(min(shown, key=lambda n: tallies[n].respondents))
    return {name: GroupTally(tallies[name], name in withheld) for name in GROUPS}
