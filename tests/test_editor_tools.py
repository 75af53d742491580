"""Editors' tools: skeletons that validate as written, and the front-matter schemas."""

from __future__ import annotations

import json

import frontmatter
import jsonschema
import pytest
from conftest import ROOT

from civicloop.cli import main
from civicloop.loading import load


@pytest.mark.parametrize(
    "argv",
    [
        [
            "session",
            "--committee",
            "test",
            "--starts",
            "2027-01-12T18:00+01:00",
            "--title",
            "Budget",
        ],
        ["committee", "new-one", "--title", "New one", "--timezone", "Europe/Copenhagen"],
        [
            "case-study",
            "elsewhere",
            "--title",
            "Elsewhere",
            "--country",
            "Chile",
            "--years",
            "2020",
        ],
        [
            "webinar",
            "talk",
            "--title",
            "Talk",
            "--date",
            "2027-02-01T14:00+01:00",
            "--replay",
            "https://vimeo.com/123",
        ],
    ],
    ids=["session", "committee", "case-study", "webinar"],
)
def test_new_writes_a_valid_skeleton(content, capsys, argv):
    assert main(["--content", str(content), "new", *argv]) == 0
    written = capsys.readouterr().out.split()[1].rstrip(";")
    assert load(content).problems == []
    assert frontmatter.load(written)["title"]


def test_new_session_numbers_follow_the_committee(content, capsys):
    main(
        [
            "--content",
            str(content),
            "new",
            "session",
            "--committee",
            "test",
            "--starts",
            "2027-01-12T18:00+01:00",
        ]
    )
    path = content / "committees/test/sessions/02-session-2.md"
    assert frontmatter.load(path)["number"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["session", "--committee", "nope", "--starts", "2027-01-12T18:00+01:00"],
            "no committee 'nope'; known: test",
        ),
        (["committee", "test", "--title", "Again"], "exists already"),
        (["committee", "Bad Slug", "--title", "x"], "is not a slug"),
    ],
)
def test_new_refuses_clearly(content, capsys, argv, message):
    assert main(["--content", str(content), "new", *argv]) == 2
    assert message in capsys.readouterr().err


def test_new_session_needs_an_offset(content, capsys):
    with pytest.raises(SystemExit):
        main(
            [
                "--content",
                str(content),
                "new",
                "session",
                "--committee",
                "test",
                "--starts",
                "2027-01-12T18:00",
            ]
        )
    assert "needs a UTC offset" in capsys.readouterr().err


def test_schemas_accept_the_sample_content(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    catalog = load(ROOT / "content")
    checked = 0
    for doc in catalog.docs.values():
        if doc.kind is None:
            continue
        schema = json.loads((tmp_path / f"{doc.kind}.json").read_text())
        meta = frontmatter.load(ROOT / "content" / doc.path).metadata
        jsonschema.validate(json.loads(json.dumps(meta, default=str)), schema)
        checked += 1
    assert checked > 20


def test_schema_rejects_an_unknown_field(tmp_path):
    main(["schema", "--out", str(tmp_path)])
    schema = json.loads((tmp_path / "case-study.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"type": "case-study", "colour": "red"}, schema)
