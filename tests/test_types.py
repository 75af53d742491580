"""The registry of content types: what every type must hold together, checked for each one, so
that a new type that misses a piece fails here rather than on an editor's page."""

from __future__ import annotations

import shutil
from importlib.resources import files
from typing import get_args

import pytest
from conftest import ROOT

from civicloop.cli import main
from civicloop.loading import load
from civicloop.types import TYPES, json_schemas, type_at

TEMPLATES = files("civicloop") / "templates"
# `civicloop new <type> ...` for each type with a skeleton, on the sample content
NEW = {
    "committee": ["a-committee", "--title", "A committee", "--timezone", "Europe/Copenhagen"],
    "session": ["--committee", "wallonia-deliberative-committee", "--starts", "2027-01-12T18:00Z"],
    "case-study": ["a-study", "--title", "A study", "--country", "Chile", "--years", "2020-"],
    "webinar": ["a-talk", "--title", "A talk", "--date", "2027-02-01T14:00+01:00"]
    + ["--replay", "https://vimeo.com/123"],
    "recommendation": ["--committee", "gentofte-political-task-committee"]
    + ["--session", "05-final-proposal", "--title", "Ask the council"],
}
KINDS = list(TYPES.values())


def test_the_registry_holds_every_type_once_in_position_order():
    assert list(TYPES) == [
        "committee",
        "session",
        "case-study",
        "webinar",
        "results",
        "listing",
        "draw",
        "recommendation",
    ]
    positions = [t.position for t in KINDS]
    assert positions == sorted(set(positions))


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_the_model_says_its_type(kind):
    assert get_args(kind.model.model_fields["type"].annotation) == (kind.name,)


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_the_schema_builds(kind):
    schema = json_schemas()[kind.name]
    assert schema["properties"]["type"]["const"] == kind.name
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_every_translatable_field_is_a_field_of_the_model(kind):
    assert kind.translatable and kind.translatable <= set(kind.model.model_fields) - {"type"}


@pytest.mark.parametrize("kind", [t for t in KINDS if t.place], ids=lambda t: t.name)
def test_a_path_made_from_the_place_is_of_that_type(kind):
    holes = kind.place.where.count("<")
    path = kind.place.path(*(f"example-{n}" for n in range(holes)))
    assert "<" not in path and path.endswith(".md")
    assert kind.place.pattern.match(path)
    assert type_at(path) is kind  # and of no other type before it


@pytest.mark.parametrize(
    "path",
    [
        "index.md",
        "webinars/index.md",
        "case-studies/index.md",
        "committees/example/recommendations/index.md",  # a committee's tracker
    ],
)
def test_listings_and_plain_pages_have_no_place(path):
    assert type_at(path) is None


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_the_template_exists_for_every_page_of_the_type(kind):
    catalog = load(ROOT / "content")
    entries = catalog.of(kind.name)
    assert entries, f"the sample content has no {kind.name}"
    names = {kind.template_name(e) for e in entries}
    if kind.template is None:
        names.add(f"{kind.name}.md")
    if kind.name == "listing":  # one template for each value `list` may take
        lists = get_args(kind.model.model_fields["list"].annotation)
        names |= {f"listing-{value}.md" for value in lists}
    missing = sorted(n for n in names if not (TEMPLATES / n).is_file())
    assert missing == []


def test_every_type_with_a_skeleton_is_tried_below():
    assert sorted(NEW) == sorted(t.name for t in KINDS if t.skeleton)


@pytest.mark.parametrize("name", NEW)
def test_the_skeleton_loads_with_no_problem(name, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    before = {e.path for e in load(content).of(name)}
    assert main(["--content", str(content), "new", name, *NEW[name]]) == 0
    catalog = load(content)
    assert catalog.problems == []
    (made,) = [e for e in catalog.of(name) if e.path not in before]
    assert type_at(made.path) is TYPES[name]
    assert f"wrote {content / made.path}" in capsys.readouterr().out
