"""A closed poll's results as a content file: front matter with the figures, a body with a chart,
a table and (for polls that collect them) citizens' comments for editors to review.

No user identifier goes in. Figures about fewer than MIN_GROUP people are not published: the
totals, and each group by role (the public, citizen members, politicians, other members); a
group is withheld too when 1 to MIN_GROUP - 1 of its people chose an option, and so are others
until the groups withheld, taken together, reveal nothing either (`civicloop.tally.by_group`);
the totals are withheld too when members answered and everyone chose the same option.
The table by role is shown only when members answered.
Citizens' text is escaped so that Markdown, HTML and MkDocs show it as written (line breaks
kept) and run nothing; only bidirectional controls and invisible control characters are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import yaml

from civicloop import __version__
from civicloop.escaping import html_text, markdown_text
from civicloop.publisher.base import DIGEST_FIELD, Change, digest
from civicloop.tally import (
    GROUP_NAMES,
    MIN_GROUP,
    GroupTally,
    Tally,
    by_group,
    tally,
    totals_publishable,
)
from civicloop.types.results import TYPE as RESULTS


@dataclass(frozen=True)
class PollInfo:
    id: str
    committee: str
    session: str  # <committee>/<session-file>
    question: str
    kind: str
    options: list[str]
    comments: bool = False


@dataclass(frozen=True)
class Answer:
    options: list[int]
    group: str  # the respondent's language
    comment: str | None = None
    role: str | None = None  # the member role they held in the committee; None: the public


@dataclass(frozen=True)
class PollOutcome:
    poll: PollInfo
    tally: Tally
    groups: dict[str, Tally] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    roles: dict[str, GroupTally] = field(default_factory=dict)

    @property
    def members_answered(self) -> bool:
        """Whether any respondent held a member role (results made before roles have none)."""
        return any(g.tally.respondents for name, g in self.roles.items() if name != "public")

    def role_withheld(self, name: str) -> bool:
        return self.suppressed or self.roles[name].suppressed

    @property
    def suppressed(self) -> bool:
        return not totals_publishable(self.tally, self.members_answered)

    @property
    def breakdown_shown(self) -> bool:
        """Only when every group and every cell is large enough: a partial breakdown could be
        subtracted from the totals to reveal the cells it hides."""
        return len(self.groups) > 1 and all(
            g.respondents >= MIN_GROUP
            and all(o.count >= MIN_GROUP or o.count == 0 for o in g.options)
            for g in self.groups.values()
        )


def results_of(poll: PollInfo, answers: list[Answer]) -> PollOutcome:
    groups: dict[str, list[list[int]]] = {}
    for answer in answers:
        if answer.options:
            groups.setdefault(answer.group, []).append(answer.options)
    comments = sorted({a.comment.strip() for a in answers if a.comment and a.comment.strip()})
    return PollOutcome(
        poll=poll,
        tally=tally(poll.options, [a.options for a in answers]),
        groups={name: tally(poll.options, chosen) for name, chosen in sorted(groups.items())},
        comments=comments if poll.comments else [],
        roles=by_group(
            poll.options, [(a.role, a.options) for a in answers if a.options], MIN_GROUP
        ),
    )


def results_path(poll: PollInfo) -> str:
    return f"content/{RESULTS.place.path(poll.committee, poll.id)}"


def change_for(results: PollOutcome, opened: datetime | None, closed: datetime) -> Change:
    """The reviewable change that brings these results into the content."""
    poll = results.poll
    if results.suppressed:
        summary = f"{withheld_because(results.tally.respondents)}: figures withheld."
    else:
        rows = "\n".join(
            f"| {markdown_text(o.label)} | {o.count} | {o.share:.0%} |"
            for o in results.tally.options
        )
        summary = f"| Option | Answers | Share |\n|---|--:|--:|\n{rows}"
        if results.members_answered:
            groups = ", ".join(
                f"{GROUP_NAMES[name].lower()} "
                + ("withheld" if results.role_withheld(name) else str(g.tally.respondents))
                for name, g in results.roles.items()
            )
            summary += f"\n\nBy role: {groups}."
    description = (
        f"Results of the poll **{markdown_text(poll.question)}** (`{poll.id}`, session "
        f"`{poll.session}`), closed {closed.isoformat()}.\n\n{summary}\n\n"
        f"{results.tally.respondents} respondents"
        + (f", {len(results.comments)} comments to review" if results.comments else "")
        + ".\n\nReview the file (remove any comment that should not be published), then "
        "merge: the site will show these results. Written by civicloop; no user identifier "
        "is included."
    )
    return Change(
        poll_id=poll.id,
        path=results_path(poll),
        content=render(results, opened, closed).encode(),
        title=f"Results of poll {poll.id}",
        description=description,
    )


def render(results: PollOutcome, opened: datetime | None, closed: datetime) -> str:
    poll = results.poll
    options = [
        {
            "label": o.label,
            "count": None if results.suppressed else o.count,
            "share": None if results.suppressed else o.share,
        }
        for o in results.tally.options
    ]
    meta = {
        "type": "results",
        "title": f"Results: {poll.question}",
        "poll": poll.id,
        "session": poll.session,
        "question": poll.question,
        "kind": poll.kind,
        "respondents": results.tally.respondents,
        "suppressed": results.suppressed,
        "options": options,
        "breakdown": (
            {
                "by": "language",
                "groups": [
                    {
                        "group": name,
                        "respondents": g.respondents,
                        "counts": [o.count for o in g.options],
                    }
                    for name, g in results.groups.items()
                ],
            }
            if results.breakdown_shown and not results.suppressed
            else None
        ),
        "by_role": {
            name: {
                "respondents": None if results.role_withheld(name) else g.tally.respondents,
                "suppressed": results.role_withheld(name),
                "options": [
                    {
                        "label": o.label,
                        "count": None if results.role_withheld(name) else o.count,
                        "share": None if results.role_withheld(name) else o.share,
                    }
                    for o in g.tally.options
                ],
            }
            for name, g in results.roles.items()
        },
        "opened": opened.isoformat() if opened else None,
        "closed": closed.isoformat(),
        "generator": f"civicloop {__version__}",
        DIGEST_FIELD: answers_digest(results),
    }
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{head}---\n\n{body(results)}"


def answers_digest(results: PollOutcome) -> str:
    """What the results were made from, as far as the file shows it (withheld figures stay out,
    comments are only counted), so that it reveals nothing the file does not: equal digests, same
    results (see civicloop.publisher.base)."""
    counts, groups = None, None
    if not results.suppressed:
        counts = [o.count for o in results.tally.options]
        if results.breakdown_shown:
            groups = {name: [o.count for o in g.options] for name, g in results.groups.items()}
    made_of: list[object] = [results.tally.respondents, counts, groups, len(results.comments)]
    if results.members_answered:  # so that results made before roles keep their digest
        made_of.append(
            {
                name: None if results.role_withheld(name) else [o.count for o in g.tally.options]
                for name, g in results.roles.items()
            }
        )
    return digest(made_of)


def withheld_because(respondents: int) -> str:
    """Why a poll's totals are withheld, from the one figure a results file still shows."""
    if respondents < MIN_GROUP:
        return f"Fewer than {MIN_GROUP} people answered"
    return "Everyone who answered, committee members among them, chose the same option"


def body(results: PollOutcome) -> str:
    parts = []
    if results.suppressed:
        parts.append(
            f"{withheld_because(results.tally.respondents)}, so the figures are not published "
            "(they could identify who answered what)."
        )
    else:
        parts.append(chart(results.tally))
        rows = "\n".join(
            f"| {markdown_text(o.label)} | {o.count} | {o.share:.0%} |"
            for o in results.tally.options
        )
        parts.append(f"| Option | Answers | Share of respondents |\n|---|--:|--:|\n{rows}")
        note = f"{results.tally.respondents} people answered."
        if results.poll.kind == "multiple":
            note += " Each could choose several options, so shares add up to more than 100%."
        parts.append(note)
        if results.members_answered:
            parts.append(by_role(results))
        if results.breakdown_shown:
            parts.append(breakdown(results))
        elif len(results.groups) > 1:
            parts.append(
                f"The breakdown by language is not shown: some groups have fewer than "
                f"{MIN_GROUP} people."
            )
    if results.comments:
        listed = "\n".join(f"- {markdown_text(c, breaks=True)}" for c in results.comments)
        parts.append(
            "## Comments\n\nCitizens' comments, as written. Editors: remove any that should "
            f"not be published before merging.\n\n{listed}"
        )
    return "\n\n".join(parts) + "\n"


def by_role(results: PollOutcome) -> str:
    """The public, citizen members, politicians and other members side by side; a group of
    fewer than MIN_GROUP (or withheld so that it cannot be worked out) shows no figure."""
    names = list(results.roles)

    def head(name: str) -> str:
        g = results.roles[name]
        shown = "withheld" if results.role_withheld(name) else str(g.tally.respondents)
        return f"{GROUP_NAMES[name]} ({shown})"

    rows = "\n".join(
        f"| {markdown_text(option.label)} | "
        + " | ".join(
            "–" if results.role_withheld(n) else str(results.roles[n].tally.options[i].count)
            for n in names
        )
        + " |"
        for i, option in enumerate(results.tally.options)
    )
    note = (
        f"A group of fewer than {MIN_GROUP} people shows no figures (–), nor does a group in "
        f"which 1 to {MIN_GROUP - 1} people chose an option, nor a group whose figures could "
        "be worked out from the others'."
    )
    return (
        f"## By role\n\n| Option | {' | '.join(head(n) for n in names)} |\n"
        f"|---|{'--:|' * len(names)}\n{rows}\n\n{note}"
    )


def breakdown(results: PollOutcome) -> str:
    names = list(results.groups)
    head = " | ".join(f"{n} ({results.groups[n].respondents})" for n in names)
    rows = "\n".join(
        f"| {markdown_text(option.label)} | "
        + " | ".join(str(results.groups[n].options[i].count) for n in names)
        + " |"
        for i, option in enumerate(results.tally.options)
    )
    return (
        f"## By language of the respondents\n\n| Option | {head} |\n"
        f"|---|{'--:|' * len(names)}\n{rows}"
    )


def chart(result: Tally) -> str:
    """An inline SVG bar chart; the table after it is its text alternative."""
    width, bar, gap, label_width = 640, 22, 12, 220
    height = len(result.options) * (bar + gap) + gap
    top = max((o.count for o in result.options), default=0) or 1
    rows = []
    for i, option in enumerate(result.options):
        y = gap + i * (bar + gap)
        length = round((width - label_width - 70) * option.count / top)
        label = html_text(option.label if len(option.label) <= 32 else option.label[:31] + "…")
        rows.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.72:.0f}" text-anchor="end">{label}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" rx="2"></rect>'
            f'<text x="{label_width + length + 6}" y="{y + bar * 0.72:.0f}">{option.count}</text>'
        )
    return (
        f'<figure class="civicloop-chart"><svg role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="Bar chart of the answers; the table below gives the same figures">'
        + "".join(rows)
        + "</svg></figure>"
    )
