"""The selection record on a draw's page: the method in plain words, the quotas against what the
panel achieved, the pool per category (small groups hidden), the spread of the chances of
selection, how to check the draw, and who sits now. Made from the published files only.

Its words, with their French, are in `civicloop.labels` with the site's other words.
"""

from __future__ import annotations

import html
import re
import statistics
from collections.abc import Callable
from datetime import date
from pathlib import Path

from civicloop.draw import Draw, files
from civicloop.draw_files import published, seats, waiting
from civicloop.escaping import markdown_text
from civicloop.labels import translator

BANDS = 10  # bars of the chart


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def record(draw_file: Path, draw: Draw, lang: str) -> str:
    """The record as Markdown in `lang`, or a line saying the draw is not made yet."""
    t = translator(lang)
    commitment, result = published(draw_file)
    parts = [f"## {t('How the members were drawn')}"]
    if commitment is None:
        return "\n\n".join([*parts, t("Not drawn yet: the commitment is published before the "
                                      "public random value exists.")])  # fmt: skip
    pool = commitment["pool"]
    parts.append(
        t(
            "{seats} members and {spare} substitutes drawn by lot among {pool} volunteers.",
            seats=draw.seats,
            spare=draw.substitutes,
            pool=pool["size"],
        )
        + " "
        + t(draw.algorithm)
    )
    parts += [f"### {t('Quotas and what the panel achieved')}", _quotas(t, draw, pool, result)]
    chances = sorted(commitment["probabilities"].values())
    parts += [
        f"### {t('Chances of selection')}",
        t(
            "Lowest {low}, median {median}, highest {high}.",
            low=_percent(chances[0]),
            median=_percent(statistics.median(chances)),
            high=_percent(chances[-1]),
        ),
        *_spread(t, chances),
    ]
    parts += [f"### {t('Check the draw')}", *_check(t, draw, commitment, result, draw_file)]
    if result:
        parts += [f"### {t('Who sits')}", *_members(t, result)]
    return "\n\n".join(parts)


def _quotas(t, draw: Draw, pool: dict, result: dict | None) -> str:
    head = [t("Criterion"), t("Category"), t("Volunteers"), t("Quota")]
    if result:
        head += [t("Members"), t("Substitutes")]
    rows = [f"| {' | '.join(head)} |", "|---|---|--:|--:|" + ("--:|--:|" if result else "")]
    for criterion in draw.criteria:
        for category in criterion.categories:
            volunteers = pool["per_category"][criterion.name][category.value]
            cells = [
                markdown_text(criterion.name),
                markdown_text(category.value),
                t("fewer than 5") if volunteers is None else str(volunteers),
                f"{category.min}–{category.max}",
            ]
            if result:
                cells += [
                    str(result["achieved"][criterion.name][category.value]),
                    str(result["substitutes_achieved"][criterion.name][category.value]),
                ]
            rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(rows)


def _spread(t, chances: list[float]) -> list[str]:
    """A bar chart of volunteers per band of chance, and its table (the text alternative)."""
    low, high = chances[0], chances[-1]
    step = (high - low) / BANDS or 1.0
    counts = [0] * BANDS
    for chance in chances:
        counts[min(int((chance - low) / step), BANDS - 1)] += 1
    bands = [
        (f"{_percent(low + i * step)} – {_percent(low + (i + 1) * step)}", n)
        for i, n in enumerate(counts)
        if n
    ]
    if high == low:
        bands = [(_percent(low), len(chances))]
    width, bar, gap, label = 640, 22, 12, 200
    top = max(n for _, n in bands)
    shapes = []
    for i, (text, n) in enumerate(bands):
        y = gap + i * (bar + gap)
        length = round((width - label - 70) * n / top)
        shapes.append(
            f'<text x="{label - 8}" y="{y + bar * 0.72:.0f}" text-anchor="end">{text}</text>'
            f'<rect x="{label}" y="{y}" width="{length}" height="{bar}" rx="2"></rect>'
            f'<text x="{label + length + 6}" y="{y + bar * 0.72:.0f}">{n}</text>'
        )
    name = html.escape(
        t("Bar chart of the volunteers by chance of selection; the table gives the same figures")
    )
    height = len(bands) * (bar + gap) + gap
    chart = (
        f'<figure class="civicloop-chart"><svg role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{name}">' + "".join(shapes) + "</svg></figure>"
    )
    table = [f"| {t('Chance')} | {t('Volunteers')} |", "|---|--:|"]
    table += [f"| {text} | {n} |" for text, n in bands]
    return [chart, "\n".join(table)]


def _check(t, draw: Draw, commitment: dict, result: dict | None, draw_file: Path) -> list[str]:
    lines = [
        f"**{t('Commitment')}**: "
        + t(
            "{panels} possible panels on {tickets} tickets; panels' hash {hash}; pool's hash "
            "{pool}.",
            panels=len(commitment["panels"]),
            tickets=commitment["tickets"],
            hash=f"`{commitment['panels_hash']}`",
            pool=f"`{commitment['pool']['hash']}`",
        ),
        f"**{t('Announced source')}**: {markdown_text(draw.random)}",
    ]
    if result:
        random = result["random"]
        lines.append(
            f"**{t('Public random value')}**: "
            + t(
                "{value} (canonical form {canonical}), drawn on {date}: ticket {ticket}.",
                value=markdown_text(random["value"]),
                canonical=f"`{random['canonical']}`",
                date=result["picked"],
                ticket=random["ticket"],
            )
        )
    names = [p.name for p in files(draw_file) if p.exists()]
    links = ", ".join(f"[{n}]({n})" for n in names)
    committee = draw_file.parent.name
    lines.append(
        f"{t('Anyone can check the draw from these files:')} {links}.\n\n"
        f"    civicloop draw verify {committee}"
    )
    return lines


def _pseudonym(value: str | None) -> str:
    """A published pseudonym as code; anything else a file may hold, as escaped text."""
    if not value:
        return ""
    return f"`{value}`" if re.fullmatch(r"[0-9a-f]{1,64}", value) else markdown_text(value)


def _members(t, result: dict, day: Callable[[str], str] = str) -> list[str]:
    rows = [f"| {t('Pseudonym')} | {t('Since')} | {t('Left')} | {t('Replaced by')} |"]
    rows.append("|---|---|---|---|")
    for seat in seats(result):
        left = day(seat.left) if seat.left else ""
        rows.append(
            f"| {_pseudonym(seat.id)} | {day(seat.since)} | {left} | "
            f"{_pseudonym(seat.replaced_by)} |"
        )
    queue = ", ".join(_pseudonym(s) for s in waiting(result))
    return ["\n".join(rows), f"**{t('Substitutes, in their order')}**: {queue}"]


def drawn_seats(t, result: dict, day: Callable[[date], str]) -> str:
    """The seats a draw filled, by pseudonym only, with who stepped in for whom and when: the
    committee page's list of its drawn members, kept from the draw's published result."""

    def when(text: str) -> str:
        return markdown_text(day(date.fromisoformat(text)))

    table, queue = _members(t, result, when)
    changes = [
        t(
            "On {date}, {substitute} stepped in for {member}.",
            date=when(change["date"]),
            substitute=_pseudonym(change["substitute"]),
            member=_pseudonym(change["member"]),
        )
        for change in result["replacements"]
    ]
    return "\n\n".join(
        [t("Members drawn by lot are published by pseudonym only."), table, *changes, queue]
    )
