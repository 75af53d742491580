"""Results split by role: the public, citizen members, politicians and other members, each
withheld under 5, and never so few withheld that the totals give them away; in the results
file, its type's checks, the built page and the open data (old data still reads)."""

from __future__ import annotations

import itertools
import json

import pytest
import yaml
from conftest import build_site, write
from test_results import CLOSED, OPENED, POLL, front_matter

from civicloop.opendata import PollRecord, PollResults
from civicloop.publisher.base import digest
from civicloop.results import (
    MIN_GROUP,
    Answer,
    PollInfo,
    answers_digest,
    change_for,
    render,
    results_of,
)
from civicloop.sitecontext import SiteContext
from civicloop.tally import GROUPS, by_group

ROLES = {"public": None, "citizen": "citizen", "politician": "politician", "other": "substitute"}


def ballots(**counts: tuple[int, int]) -> list[Answer]:
    """`group=(monday, tuesday)` answers for each group named."""
    made = []
    for group, (monday, tuesday) in counts.items():
        role = ROLES[group]
        made += [Answer([0], "en", role=role)] * monday + [Answer([1], "en", role=role)] * tuesday
    return made


def test_each_group_is_counted_apart():
    meta = front_matter(
        render(
            results_of(POLL, ballots(public=(7, 3), citizen=(4, 2), politician=(1, 4))),
            OPENED,
            CLOSED,
        )
    )
    assert meta["respondents"] == 21
    assert meta["by_role"]["public"] == {
        "respondents": 10,
        "suppressed": False,
        "options": [
            {"label": "Monday", "count": 7, "share": 0.7},
            {"label": "Tuesday", "count": 3, "share": 0.3},
        ],
    }
    assert [o["count"] for o in meta["by_role"]["citizen"]["options"]] == [4, 2]
    assert [o["count"] for o in meta["by_role"]["politician"]["options"]] == [1, 4]
    assert meta["by_role"]["other"]["respondents"] == 0


def test_a_small_group_is_withheld_and_so_is_the_next_smallest():
    """3 politicians withheld alone would be the totals minus the others: the 6 citizens are
    withheld with them, and together (9) they reveal no one."""
    results = results_of(POLL, ballots(public=(8, 4), citizen=(3, 3), politician=(2, 1)))
    meta = front_matter(render(results, OPENED, CLOSED))
    assert meta["respondents"] == 21 and meta["options"][0]["count"] == 13
    groups = meta["by_role"]
    assert groups["public"]["respondents"] == 12 and not groups["public"]["suppressed"]
    for name in ("citizen", "politician"):
        assert groups[name] == {
            "respondents": None,
            "suppressed": True,
            "options": [
                {"label": "Monday", "count": None, "share": None},
                {"label": "Tuesday", "count": None, "share": None},
            ],
        }
    body = render(results, OPENED, CLOSED).split("---\n", 2)[2]
    assert "## By role" in body
    assert "| Monday | 8 | – | – | 0 |" in body
    assert "Citizen members (withheld)" in body and "Politicians (withheld)" in body
    review = change_for(results, OPENED, CLOSED).description  # what editors review
    assert "By role: the public 12, citizen members withheld, politicians withheld" in review


def test_fewer_than_five_in_all_withholds_every_group():
    meta = front_matter(
        render(results_of(POLL, ballots(public=(1, 1), citizen=(1, 0))), OPENED, CLOSED)
    )
    assert meta["suppressed"] is True
    assert all(g["suppressed"] and g["respondents"] is None for g in meta["by_role"].values())


def test_no_figure_about_fewer_than_five_can_be_worked_out():
    """Every split of up to 9 people per group: a group shown has 0 or at least 5 people, and
    the groups withheld together (the totals minus those shown) too."""
    for sizes in itertools.product(range(10), repeat=len(GROUPS)):
        answers = [
            (ROLES[name], [0])
            for name, size in zip(GROUPS, sizes, strict=True)
            for _ in range(size)
        ]
        split = by_group(["a", "b"], answers, MIN_GROUP)
        shown = [g.tally.respondents for g in split.values() if not g.suppressed]
        withheld = sum(g.tally.respondents for g in split.values() if g.suppressed)
        assert all(n == 0 or n >= MIN_GROUP for n in shown), sizes
        assert withheld == 0 or withheld >= MIN_GROUP or sum(sizes) < MIN_GROUP, sizes


def test_results_without_members_keep_the_digest_they_had():
    """Results made before roles (every answer the public's) are the same results: published
    once, they are not taken for results of other answers."""
    results = results_of(POLL, ballots(public=(6, 2)))
    assert answers_digest(results) == digest([8, [6, 2], None, 0])
    with_members = results_of(POLL, ballots(public=(6, 2), citizen=(5, 0)))
    assert answers_digest(with_members) != digest([13, [11, 2], None, 0])


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda g: g["public"]["options"][0].update(count=99), "more answers than the group's"),
        (lambda g: g["politician"]["options"][0].update(count=1), "withheld"),
        (lambda g: g["public"].update(respondents=40), "more people than the 21"),
        (lambda g: g["public"]["options"][0].update(label="Sunday"), "differ from the poll's"),
        (lambda g: g.update(mayors=json.loads(json.dumps(g["other"]))), "by_role"),
    ],
)
def test_a_results_file_with_impossible_groups_is_refused_with_its_line(content, change, says):
    meta = front_matter(
        render(
            results_of(POLL, ballots(public=(8, 4), citizen=(3, 3), politician=(2, 1))),
            OPENED,
            CLOSED,
        )
    )
    change(meta["by_role"])
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\nBody.\n"
    write(content, "committees/test/results/test-poll.md", text)
    problems = SiteContext.open(content, "http://x/").catalog.problems
    assert problems, "the file was accepted"
    assert all("results/test-poll.md" in str(p.path) and p.line > 1 for p in problems)
    assert any(says in p.message for p in problems), [p.message for p in problems]


def test_the_split_reaches_the_page_and_the_open_data(content, tmp_path):
    made = render(
        results_of(POLL, ballots(public=(8, 4), citizen=(3, 3), politician=(2, 1))), OPENED, CLOSED
    )
    write(content, "committees/test/results/test-poll.md", made)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "out/committees/test/results/test-poll/index.html").read_text()
    assert "By role" in page and "Citizen members (withheld)" in page and "The public (12)" in page
    polls = json.loads((tmp_path / "out/data/v1/polls.json").read_text())["polls"]
    split = next(p for p in polls if p["id"] == "test-poll")["results"]["by_role"]
    assert split["public"]["respondents"] == 12
    assert split["citizen"] == {
        "respondents": None,
        "suppressed": True,
        "options": [
            {"label": "Monday", "count": None, "share": None},
            {"label": "Tuesday", "count": None, "share": None},
        ],
    }
    schema = json.loads((tmp_path / "out/data/v1/schema/polls.json").read_text())
    assert "by_role" in json.dumps(schema)


def test_open_data_written_before_roles_still_reads():
    old = {
        "respondents": 8,
        "suppressed": False,
        "options": [{"label": "Monday", "count": 6, "share": 0.75}],
        "closed": CLOSED.isoformat(),
        "url": "http://x/results/",
    }
    assert PollResults.model_validate(old).by_role is None
    record = {
        "id": "p",
        "committee": "test",
        "session": "test/01-first",
        "question": "Q?",
        "kind": "single",
        "options": ["a", "b"],
        "opens": OPENED.isoformat(),
        "closes": CLOSED.isoformat(),
        "comments": False,
        "url": "http://x/",
        "results": old,
    }
    assert PollRecord.model_validate(record).recommendation is None


def test_a_rating_splits_its_answers_too():
    poll = PollInfo("r", "test", "test/01-first", "How?", "rating", ["1", "2", "3", "4", "5"])
    answers = [Answer([4], "en", role="politician")] * 5 + [Answer([0], "en")] * 5
    meta = front_matter(render(results_of(poll, answers), OPENED, CLOSED))
    assert [o["count"] for o in meta["by_role"]["politician"]["options"]] == [0, 0, 0, 0, 5]
    assert [o["count"] for o in meta["by_role"]["public"]["options"]] == [5, 0, 0, 0, 0]
