"""Who sits on a committee: seats by role with names where the file gives them, how each was
chosen and since when; the seats a draw filled, by pseudonym, kept from its published result;
how appointed members were chosen, "not published" where the sources do not say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import COMMITTEE, write

from civicloop.cli import main
from civicloop.loading import load
from civicloop.pages import render
from civicloop.sitecontext import SiteContext, current_time

SAMPLE = "committees/sample-neighbourhood-committee"
GENTOFTE = "committees/gentofte-political-task-committee"

DRAW = """\
---
type: draw
title: How the citizens were drawn
date: 2026-09-01
seats: 10
substitutes: 5
random: dice rolled at the public meeting
pool: {id: ref}
criteria:
  - name: gender
    column: gender
    categories:
      - {value: woman, min: 4, max: 6}
      - {value: man, min: 4, max: 6}
---
How we draw.
"""


def committee(members: list[dict], **extra) -> str:
    meta = yaml.safe_load(COMMITTEE.split("---")[1])
    meta.update(members=members, **extra)
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\nText.\n"


DRAWN = {"role": "citizen", "selection": "drawn-by-lot", "count": 10}
SPARE = {"role": "substitute", "selection": "drawn-by-lot", "count": 5}
MPS = {"role": "politician", "selection": "elected", "count": 3}
APPOINTED = {"role": "citizen", "selection": "appointed", "count": 10}
PATH = "committees/test/index.md"

# (members, extra fields, with a draw file, line, message): `content/<PATH>:<line>: <message>`
PROBLEMS = [
    pytest.param(
        [DRAWN, {**MPS, "name": "A Councillor"}],
        {},
        False,
        13,
        "'members[1].count' is 3: a name is one person's; give each named member an entry of "
        "its own (count 1), and the unnamed seats another",
        id="name-on-several-seats",
    ),
    pytest.param(
        [DRAWN, {"role": "politician", "selection": "elected", "affiliation": "A party"}],
        {},
        False,
        13,
        "'members[1].affiliation' is 'A party': is a named member's affiliation; give the "
        "'name' too",
        id="affiliation-without-name",
    ),
    pytest.param(
        [DRAWN, MPS],
        {"appointment": {"decided_by": "the council"}},
        False,
        17,
        "'appointment' is {'decided_by': 'the council'}: says how members were appointed, but "
        "no member's 'selection' is 'appointed'",
        id="appointment-without-appointed-seats",
    ),
    pytest.param(
        [APPOINTED],
        {"appointment": {"decided": "spring 2025"}},
        False,
        15,
        "'appointment.decided' is 'spring 2025': is neither a date nor 'not known'; write a "
        "date like 2025-03-12, or 'not known' when the sources do not say",
        id="decided-not-a-date",
    ),
    pytest.param(
        [APPOINTED],
        {"appointment": {"decided": "2025-02-30"}},
        False,
        15,
        "'appointment.decided' is '2025-02-30': is neither a date nor 'not known'; write a "
        "date like 2025-03-12, or 'not known' when the sources do not say",
        id="decided-impossible-date",
    ),
    pytest.param(
        [APPOINTED],
        {"appointment": {"applied": -1}},
        False,
        15,
        "'appointment.applied' is -1: Input should be greater than or equal to 0",
        id="applied-negative",
    ),
    pytest.param(
        [{**APPOINTED, "since": "last year"}],
        {},
        False,
        11,
        "'members[0].since' is 'last year': Input should be a valid date or datetime, input is "
        "too short",
        id="since-not-a-date",
    ),
    pytest.param(
        [{**DRAWN, "count": 8}, SPARE, MPS],
        {},
        True,
        8,
        "'members' has 8 seats (other than substitutes) drawn by lot, but "
        "committees/test/draw.md draws 10 members; make the counts agree",
        id="drawn-seats-disagree",
    ),
    pytest.param(
        [DRAWN, MPS],
        {},
        True,
        7,
        "'members' has 0 substitutes drawn by lot, but committees/test/draw.md draws 5 "
        "substitutes; make the counts agree",
        id="substitutes-missing",
    ),
    pytest.param(
        [MPS, DRAWN, {**SPARE, "count": 6}],
        {},
        True,
        14,
        "'members' has 6 substitutes drawn by lot, but committees/test/draw.md draws 5 "
        "substitutes; make the counts agree",
        id="substitutes-disagree",
    ),
    pytest.param(
        [{**DRAWN, "count": 9}, {**DRAWN, "count": 1, "name": "A Volunteer"}, SPARE],
        {},
        True,
        14,
        "'members[1]' names a seat that committees/test/draw.md fills; a draw publishes its "
        "members by pseudonym only: remove 'name' (and 'affiliation')",
        id="drawn-seat-named",
    ),
]


@pytest.mark.parametrize(("members", "extra", "drawn", "line", "message"), PROBLEMS)
def test_member_problems_name_file_line_and_fix(
    tmp_path: Path, capsys, members, extra, drawn, line, message
):
    content = tmp_path / "content"
    write(content, PATH, committee(members, **extra))
    if drawn:
        write(content, "committees/test/draw.md", DRAW)
    assert main(["--content", str(content), "validate"]) == 1
    out = capsys.readouterr().out
    found = [x.split(PATH + ":", 1)[1] for x in out.splitlines() if PATH + ":" in x]
    assert found == [f"{line}: {message}"], out


@pytest.mark.parametrize(
    "members",
    [
        pytest.param([DRAWN, SPARE, MPS], id="counts-agree"),
        pytest.param([{**DRAWN, "count": 6}, SPARE, {**DRAWN, "count": 4}], id="split-entries"),
    ],
)
def test_seats_that_agree_with_the_draw_are_valid(tmp_path: Path, members):
    content = tmp_path / "content"
    write(content, PATH, committee(members))
    write(content, "committees/test/draw.md", DRAW)
    assert load(content).problems == []
    assert main(["--content", str(content), "validate"]) == 0


MARKUP = "<b>Q&A</b> *x* [link](https://example.org) `code` | pipe"


def test_names_and_the_appointment_are_text_in_both_languages(tmp_path: Path):
    content = tmp_path / "content"
    members = [
        {"role": "politician", "selection": "elected", "name": MARKUP, "since": "2025-01-07"},
        {**APPOINTED, "count": 2},
    ]
    appointment = {"applied": 12, "decided_by": MARKUP, "decided": "not known"}
    write(content, PATH, committee(members, appointment=appointment, languages=["en", "fr"]))
    catalog = load(content)
    assert catalog.problems == []
    site = SiteContext(catalog, "http://127.0.0.1:8000/", current_time())
    doc = catalog.docs[PATH]
    english, french = (render(site, doc, lang, doc.body) for lang in ("en", "fr"))
    for page in (english, french):
        assert "<b>" not in page and "](https://example.org)" not in page
        assert "Q&amp;A" in page or "Q\\&A" in page
    assert "| elected | 7 January 2025 |" in english
    assert "- How many applied: 12\n- Who decided: " in english
    assert "- When it was decided: not known" in english
    assert "| élu·e | 7 janvier 2025 |" in french
    assert "- Nombre de candidatures : 12\n- Qui a décidé : " in french
    assert "- Date de la décision : non connu" in french


def test_the_sample_committee_lists_its_drawn_seats_from_the_draw(sample_site: Path):
    english = (sample_site / SAMPLE / "index.html").read_text()
    french = (sample_site / "fr" / SAMPLE / "index.html").read_text()
    result = json.loads((sample_site / SAMPLE / "draw-result.json").read_text())
    (change,) = result["replacements"]
    new, old = (f"<code>{change[k]}</code>" for k in ("substitute", "member"))
    assert f"On 1 October 2026, {new} stepped in for {old}." in english
    assert f"Le 1 octobre 2026, {new} a remplacé {old}." in french
    for page in (english, french):
        for pseudonym in [*result["members"], *result["substitutes"]]:
            assert f"<code>{pseudonym}</code>" in page
    assert "Members drawn by lot are published by pseudonym only." in english
    assert "Les membres tirés au sort ne sont publiés que sous un pseudonyme." in french
    assert "Sample Councillor (chair of the committee)" in english
    assert "3 September 2026" in english and "3 septembre 2026" in french  # the pick
    assert "How the appointed members were chosen" in english
    assert "How many applied: 4" in english and "20 August 2026" in english
    assert "Comment les membres nommés ont été choisis" in french
    draw = (sample_site / "fr" / SAMPLE / "draw/index.html").read_text()
    assert "Algorithme : maximin (Flanigan et al., 2021), qui rend" in draw


def test_an_appointment_the_sources_do_not_date_says_not_published(sample_site: Path):
    page = (sample_site / GENTOFTE / "index.html").read_text()
    assert "Who decided: the municipal council" in page
    assert "How many applied: not published" in page
    assert "When it was decided: not published" in page
    wallonia = (sample_site / "committees/wallonia-deliberative-committee/index.html").read_text()
    assert "How the appointed members were chosen" not in wallonia
    assert "Members drawn by lot are published" not in wallonia  # drawn, but not by civicloop


def test_open_data_carries_the_appointment_with_its_schema(sample_site: Path):
    import jsonschema

    data = json.loads((sample_site / "data/v1/committees.json").read_text())
    schema = json.loads((sample_site / "data/v1/schema/committees.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    records = {c["id"]: c for c in data["committees"]}
    assert records["gentofte-political-task-committee"]["appointment"] == {
        "applied": None,
        "decided_by": "the municipal council",
        "decided": None,
    }
    sample = records["sample-neighbourhood-committee"]
    assert sample["appointment"] == {
        "applied": 4,
        "decided_by": "the council's mobility committee",
        "decided": "2026-08-20",
    }
    assert records["wallonia-deliberative-committee"]["appointment"] is None
    named = [m for m in sample["members"] if m["name"]]
    assert [(m["name"], m["since"]) for m in named] == [
        ("Sample Councillor", "2026-09-10"),
        ("Sample Facilitator", "2026-08-20"),
    ]
    bad = json.loads(json.dumps(data))
    bad["committees"][0]["appointment"] = {"applied": "many"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
