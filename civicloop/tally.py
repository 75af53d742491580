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
