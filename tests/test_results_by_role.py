"""Results split by role: the public, citizen members, politicians and other members, each
withheld under 5 or when 1 to 4 of them chose an option (or all members of it the same), and
never so few withheld that the totals give them away; in the results file, its type's checks,
the built page and the open data (old data still reads)."""

from __future__ import annotations

import itertools
import json

import pytest
import yaml
from conftest import build_site, write
from test_results import CLOSED, OPENED, POLL, front_matter

from bot.messages import figures
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
            results_of(POLL, ballots(public=(15, 5), citizen=(5, 6), politician=(7, 5))),
            OPENED,
            CLOSED,
        )
    )
    assert meta["respondents"] == 43
    assert meta["by_role"]["public"] == {
        "respondents": 20,
        "suppressed": False,
        "options": [
            {"label": "Monday", "count": 15, "share": 0.75},
            {"label": "Tuesday", "count": 5, "share": 0.25},
        ],
    }
    assert [o["count"] for o in meta["by_role"]["citizen"]["options"]] == [5, 6]
    assert [o["count"] for o in meta["by_role"]["politician"]["options"]] == [7, 5]
    assert meta["by_role"]["other"]["respondents"] == 0


@pytest.mark.parametrize(
    "politicians",
    [(4, 1), (1, 4), (5, 0), (0, 9)],
    ids=["4 against 1", "1 against 4", "5 against 0", "0 against 9"],
)
def test_a_group_in_which_few_or_all_chose_an_option_is_withheld(politicians):
    """Members' names are on the committee's page: 4 politicians for, 1 against tells how the
    one named politician who disagreed voted; all of them for, how each one did. The citizens
    are withheld with them, so that the totals do not give them away."""
    results = results_of(POLL, ballots(public=(15, 5), citizen=(5, 6), politician=politicians))
    groups = front_matter(render(results, OPENED, CLOSED))["by_role"]
    assert groups["politician"]["suppressed"] and groups["politician"]["respondents"] is None
    assert groups["citizen"]["suppressed"]  # the smallest group shown, withheld with them
    assert [o["count"] for o in groups["public"]["options"]] == [15, 5]
    body = render(results, OPENED, CLOSED).split("---\n", 2)[2]
    assert "Politicians (withheld)" in body and "| Monday | 15 | – | – | 0 |" in body


def test_the_public_may_be_unanimous():
    """Nobody in the public is named: all of them choosing the same option tells of no one."""
    results = results_of(POLL, ballots(public=(12, 0), citizen=(5, 6)))
    groups = front_matter(render(results, OPENED, CLOSED))["by_role"]
    assert [o["count"] for o in groups["public"]["options"]] == [12, 0]
    assert [o["count"] for o in groups["citizen"]["options"]] == [5, 6]


def test_a_small_group_is_withheld_and_so_is_the_next_smallest():
    """3 politicians withheld alone would be the totals minus the others: the 6 citizens are
    withheld with them, and together (11: 6 and 5) they reveal no one."""
    results = results_of(POLL, ballots(public=(8, 5), citizen=(3, 3), politician=(3, 2)))
    meta = front_matter(render(results, OPENED, CLOSED))
    assert meta["respondents"] == 24 and meta["options"][0]["count"] == 14
    groups = meta["by_role"]
    assert groups["public"]["respondents"] == 13 and not groups["public"]["suppressed"]
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
    assert "By role: the public 13, citizen members withheld, politicians withheld" in review


@pytest.mark.parametrize(
    "split",
    [{"citizen": (6, 0)}, {"politician": (0, 5)}, {"public": (9, 0), "citizen": (5, 0)}],
)
def test_unanimous_totals_with_members_among_them_are_withheld(split):
    """Every group of members is withheld when its people all chose one option; if everyone
    did, the totals alone would say how each member who answered did, so they go too."""
    results = results_of(POLL, ballots(**split))
    meta = front_matter(render(results, OPENED, CLOSED))
    assert meta["suppressed"] is True and meta["respondents"] == sum(map(sum, split.values()))
    assert all(o["count"] is None and o["share"] is None for o in meta["options"])
    assert all(g["suppressed"] and g["respondents"] is None for g in meta["by_role"].values())
    body = render(results, OPENED, CLOSED).split("---\n", 2)[2]
    assert "Everyone who answered, committee members among them, chose the same option" in body
    assert "Fewer than" not in body
    assert (
        "chose the same option: figures withheld" in change_for(results, OPENED, CLOSED).description
    )


def test_unanimous_totals_of_the_public_alone_are_shown():
    meta = front_matter(render(results_of(POLL, ballots(public=(7, 0))), OPENED, CLOSED))
    assert meta["suppressed"] is False and meta["options"][0]["count"] == 7


def test_fewer_than_five_in_all_withholds_every_group():
    meta = front_matter(
        render(results_of(POLL, ballots(public=(1, 1), citizen=(1, 0))), OPENED, CLOSED)
    )
    assert meta["suppressed"] is True
    assert all(g["suppressed"] and g["respondents"] is None for g in meta["by_role"].values())


def tells_no_one(people: int, counts: list[int], members: bool) -> bool:
    """The rule, said again: nobody, or 5 people or more, no option chosen by 1 to 4 of them
    and, of members, not by all of them."""
    small = any(0 < n < MIN_GROUP for n in counts)
    return people == 0 or (people >= MIN_GROUP and not small and not (members and people in counts))


def splits(groups: tuple[str, ...], most: int) -> list[list[tuple[str, tuple[int, int]]]]:
    """Every split of up to `most` people in each of `groups`, with every distribution of
    their answers between two options."""
    each = [(a, n - a) for n in range(most + 1) for a in range(n + 1)]
    return [
        list(zip(groups, chosen, strict=True))
        for chosen in itertools.product(each, repeat=len(groups))
    ]


CORPUS = [
    split for pair in itertools.combinations(GROUPS, 2) for split in splits(pair, 9)
] + splits(("public", "citizen", "politician"), 6)


def test_no_figure_about_fewer_than_five_can_be_worked_out():
    """Every split of up to 9 people in each of two groups (any two), and of up to 6 in each of
    three, times every distribution of their answers: a group shown tells no one's answer, nor
    do the groups withheld taken together (the totals minus those shown), unless all are."""
    for split in CORPUS:
        answers = [
            (ROLES[name], [option])
            for name, (first, second) in split
            for option in [0] * first + [1] * second
        ]
        groups = by_group(["a", "b"], answers, MIN_GROUP)
        for name, group in groups.items():
            counts = [o.count for o in group.tally.options]
            assert group.suppressed or tells_no_one(
                group.tally.respondents, counts, name != "public"
            ), split
        withheld = [n for n, g in groups.items() if g.suppressed]
        if len(withheld) < len(GROUPS):
            counts = [sum(groups[n].tally.options[i].count for n in withheld) for i in range(2)]
            people = sum(groups[n].tally.respondents for n in withheld)
            members = any(n != "public" for n in withheld)
            assert tells_no_one(people, counts, members), split
    assert len(CORPUS) > 35_000


def test_no_totals_tell_how_the_members_who_answered_did():
    """The same corpus through the results: totals shown while members answered never have
    everyone on one option (and every group is withheld whenever they would)."""
    for split in CORPUS:
        answers = [
            Answer([option], "en", role=ROLES[name])
            for name, (first, second) in split
            for option in [0] * first + [1] * second
        ]
        results = results_of(POLL, answers)
        people = results.tally.respondents
        counts = [o.count for o in results.tally.options]
        if results.suppressed:
            assert all(results.role_withheld(name) for name in GROUPS), split
        else:
            assert people >= MIN_GROUP and not (results.members_answered and people in counts)


def test_no_choice_of_a_multiple_choice_poll_can_be_worked_out():
    """Each person choosing the first option, the second or both: every split of up to 5 people
    in each of two groups (any two), the same rule."""
    each = [
        [[0]] * first + [[1]] * second + [[0, 1]] * (n - first - second)
        for n in range(6)
        for first in range(n + 1)
        for second in range(n - first + 1)
    ]
    for pair in itertools.combinations(GROUPS, 2):
        for chosen in itertools.product(each, repeat=2):
            answers = [
                (ROLES[name], options)
                for name, made in zip(pair, chosen, strict=True)
                for options in made
            ]
            groups = by_group(["a", "b"], answers, MIN_GROUP)
            withheld = [n for n, g in groups.items() if g.suppressed]
            for name, group in groups.items():
                counts = [o.count for o in group.tally.options]
                people = group.tally.respondents
                assert group.suppressed or tells_no_one(people, counts, name != "public")
            if len(withheld) < len(GROUPS):
                counts = [sum(groups[n].tally.options[i].count for n in withheld) for i in range(2)]
                people = sum(groups[n].tally.respondents for n in withheld)
                members = any(n != "public" for n in withheld)
                assert tells_no_one(people, counts, members), (pair, chosen)


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
        (lambda g: g["public"].update(respondents=40), "more people than the 24"),
        (lambda g: g["public"]["options"][0].update(label="Sunday"), "differ from the poll's"),
        (lambda g: g.update(mayors=json.loads(json.dumps(g["other"]))), "by_role"),
        # figures that tell how someone answered, written by hand
        (lambda g: g.update(politician=shown(2, 1, 1)), "group 'politician' would tell"),
        (lambda g: g.update(politician=shown(5, 5, 0)), "group 'politician' would tell"),
        (lambda g: g.update(public=shown(13, 9, 4)), "group 'public' would tell"),
        (lambda g: g["politician"].update(suppressed=False), "gives its 'respondents'"),
        (lambda g: g.update(citizen=shown(10, 5, 5)), "the groups withheld, worked out"),
    ],
)
def test_a_results_file_with_impossible_groups_is_refused_with_its_line(content, change, says):
    """The file is the publisher's, reviewed and merged by hand: an edit that publishes what
    the publisher withholds is refused, at its line."""
    meta = front_matter(
        render(
            results_of(POLL, ballots(public=(8, 5), citizen=(3, 3), politician=(3, 2))),
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


def test_unanimous_totals_shown_by_hand_while_the_members_are_withheld_are_refused(content):
    """Everyone chose Monday, members among them: the publisher withholds the totals and every
    group. Totals put back by hand would tell how each member answered, though no group of
    members is shown: refused at the line of the groups."""
    results = results_of(POLL, ballots(public=(8, 0), citizen=(3, 0)))
    meta = front_matter(render(results, OPENED, CLOSED))
    assert meta["suppressed"] and all(g["suppressed"] for g in meta["by_role"].values())
    meta.update(suppressed=False)
    for option, n in zip(meta["options"], (11, 0), strict=True):
        option.update(count=n, share=round(n / 11, 4))
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\nBody.\n"
    write(content, "committees/test/results/test-poll.md", text)
    problems = SiteContext.open(content, "http://x/").catalog.problems
    says = "the totals would tell how each member answered"
    assert [p.message for p in problems if says in p.message], [p.message for p in problems]
    assert all(p.line > 1 for p in problems)
    meta["by_role"] = {"public": shown(11, 11, 0)}  # the public alone answered: shown
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\nBody.\n"
    write(content, "committees/test/results/test-poll.md", text)
    problems = SiteContext.open(content, "http://x/").catalog.problems
    assert not [p.message for p in problems if says in p.message]


def shown(respondents: int, *counts: int) -> dict:
    """A group's figures as a results file shows them."""
    return {
        "respondents": respondents,
        "suppressed": False,
        "options": [
            {"label": label, "count": n, "share": round(n / respondents, 4)}
            for label, n in zip(["Monday", "Tuesday"], counts, strict=True)
        ],
    }


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda m: m.update(suppressed=False), "3 respondents: fewer than 5"),
        (lambda m: m["options"][0].update(count=2), "results withheld ('suppressed: true')"),
        (lambda m: m["by_role"].update(public=shown(3, 2, 1)), "every group is withheld"),
    ],
)
def test_results_of_fewer_than_five_cannot_show_figures(content, change, says):
    meta = front_matter(render(results_of(POLL, ballots(public=(2, 1))), OPENED, CLOSED))
    change(meta)
    text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\nBody.\n"
    write(content, "committees/test/results/test-poll.md", text)
    problems = SiteContext.open(content, "http://x/").catalog.problems
    assert any(says in p.message and p.line > 1 for p in problems), [p.message for p in problems]


def test_results_no_member_answered_have_no_table_by_role():
    """Results made before roles, or of a poll only the public answered: the table would be one
    column of figures and three of zeros."""
    results = results_of(POLL, ballots(public=(6, 5)))
    body = render(results, OPENED, CLOSED).split("---\n", 2)[2]
    assert "| Monday | 6 | 55% |" in body and "By role" not in body
    assert "By role" not in change_for(results, OPENED, CLOSED).description
    members = results_of(POLL, ballots(public=(6, 5), citizen=(5, 5)))
    assert "## By role" in render(members, OPENED, CLOSED)
    assert "By role: the public 11" in change_for(members, OPENED, CLOSED).description


def test_the_split_reaches_the_page_and_the_open_data(content, tmp_path):
    made = render(
        results_of(POLL, ballots(public=(8, 5), citizen=(3, 3), politician=(3, 2))), OPENED, CLOSED
    )
    write(content, "committees/test/results/test-poll.md", made)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "out/committees/test/results/test-poll/index.html").read_text()
    assert "By role" in page and "Citizen members (withheld)" in page and "The public (13)" in page
    polls = json.loads((tmp_path / "out/data/v1/polls.json").read_text())["polls"]
    split = next(p for p in polls if p["id"] == "test-poll")["results"]["by_role"]
    assert split["public"]["respondents"] == 13
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


def test_unanimous_totals_withheld_reach_the_pages_the_data_and_the_chat(content, tmp_path):
    made = render(results_of(POLL, ballots(public=(9, 0), citizen=(5, 0))), OPENED, CLOSED)
    write(content, "committees/test/results/test-poll.md", made)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out"
    results_page = (out / "committees/test/results/test-poll/index.html").read_text()
    assert "committee members among them, chose the same option" in results_page
    session = next(out.glob("committees/test/sessions/*/index.html")).read_text()
    assert "the figures are not published, as they would tell how each member" in session
    assert "Fewer than 5" not in session
    french = next(out.glob("fr/committees/test/sessions/*/index.html")).read_text()
    assert "ont choisi la même option" in french
    polls = json.loads((out / "data/v1/polls.json").read_text())["polls"]
    record = PollRecord.model_validate(next(p for p in polls if p["id"] == "test-poll"))
    assert record.results is not None and record.results.suppressed
    assert record.results.respondents == 14
    assert all(o.count is None for o in record.results.options)
    english, french_chat = (figures(record.results, lang) for lang in ("en", "fr"))
    assert english == [
        "Everyone who answered, members among them, chose the same option, so the figures are "
        "not published: they would tell how each member answered."
    ]
    assert "ont choisi la même option" in french_chat[0]


def test_results_of_few_say_so_on_the_session_page(content, tmp_path):
    """The other reason to withhold the totals, told apart on the page: fewer than 5."""
    made = render(results_of(POLL, ballots(citizen=(2, 1))), OPENED, CLOSED)
    write(content, "committees/test/results/test-poll.md", made)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    session = next((tmp_path / "out").glob("committees/test/sessions/*/index.html")).read_text()
    assert "Fewer than 5 people answered: the figures are not published." in session
    assert "chose the same option" not in session


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
    answers += [Answer([3], "en", role="politician")] * 5
    meta = front_matter(render(results_of(poll, answers), OPENED, CLOSED))
    assert [o["count"] for o in meta["by_role"]["politician"]["options"]] == [0, 0, 0, 5, 5]
    assert [o["count"] for o in meta["by_role"]["public"]["options"]] == [5, 0, 0, 0, 0]
