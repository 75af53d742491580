"""Each validation rule on a bad file: the message names file, line and fix; exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SESSION, WEBINAR, write

from civicloop.cli import main


def validate(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--content", str(content), "validate"])
    out = capsys.readouterr().out
    return status, [line.removeprefix(f"{content.as_posix()}/") for line in out.splitlines()]


def test_valid_content_passes_with_a_summary(content, capsys):
    status, lines = validate(content, capsys)
    assert status == 0
    assert lines == [
        "ok: 5 pages (1 committee, 1 session, 1 case study, 1 webinar, 0 recommendations), "
        "no problems"
    ]


SESSION_FILE = "committees/test/sessions/01-first.md"
BAD = [
    pytest.param(
        SESSION_FILE,
        SESSION.replace("title: First session\n", "title: [unclosed\n"),
        "4: front matter is not valid YAML",
        id="unreadable-yaml",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("number: 1\n", ""),
        "1: missing required field 'number'",  # no line of its own: the opening line
        id="missing-field",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("place: Town hall\n", "place: Town hall\nroom: 12\n"),
        "9: unknown field 'room'; valid fields here: type, title, number",
        id="unknown-field",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("number: 1\n", "number: first\n"),
        "4: 'number' is 'first': Input should be a valid integer",
        id="bad-type",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("    duration: 15", "    duration: -5"),
        "12: 'agenda[0].duration' is -5: Input should be greater than 0",
        id="bad-nested-value",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("status: scheduled", "status: maybe"),
        "7: 'status' is 'maybe': Input should be 'scheduled', 'held', 'postponed' or 'cancelled'",
        id="bad-choice",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("ends: 2026-12-08T21:00:00+01:00", "ends: 2026-12-08T17:00:00+01:00"),
        "6: 'ends' is '2026-12-08T17:00:00+01:00': must be after 'starts'",
        id="ends-before-starts",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("starts: 2026-12-08T18:30:00+01:00", "starts: 2026-12-08 18:30"),
        "5: 'starts' is '2026-12-08 18:30' without a UTC offset; write it like",
        id="missing-offset",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("options: [Monday, Tuesday]", "options: [Monday]"),
        "21: 'polls[0].options' is ['Monday']: a single poll needs 2 to 12 options",
        id="poll-with-one-option",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("place: Town hall\n", ""),
        "a scheduled session needs a 'place', an 'online' link, or both",
        id="nowhere",
    ),
    pytest.param(
        "webinars/a-webinar.md",
        WEBINAR.replace("related: [a-case]", "related: [no-such-case]"),
        "7: 'related' names case study 'no-such-case', which does not exist; known: a-case",
        id="unknown-reference",
    ),
    pytest.param(
        "committees/test/index.md",
        None,
        "timezone' is 'Mars/Olympus': unknown time zone",
        id="unknown-time-zone",
    ),
    pytest.param(
        SESSION_FILE,
        SESSION.replace("See", "See") + "\nRead [the report](../../../reports/missing.md).\n",
        "27: broken link '../../../reports/missing.md': no file content/reports/missing.md",
        id="broken-internal-link",
    ),
    pytest.param(
        "case-studies/session.md",
        SESSION,
        "1: a session belongs in committees/<slug>/sessions/<file>.md",
        id="type-in-wrong-place",
    ),
    pytest.param(
        "notes.md",
        "---\ntype: meeting\ntitle: A meeting\n---\n",
        "2: unknown type 'meeting'; valid types: committee, session, case-study, webinar, "
        "results, listing, draw",
        id="unknown-type",
    ),
    pytest.param(
        "webinars/draw.md",
        "---\ntype: draw\ntitle: A draw\n---\n",
        "1: a draw belongs in committees/<slug>/draw.md; this file's place "
        "(webinars/<slug>.md) is for a webinar",
        id="type-in-another-types-place",
    ),
    pytest.param(
        "committees/test/sessions/02-listed.md",
        "---\ntype: listing\ntitle: All\nlist: home\n---\n",
        "1: not a listing; this file's place (committees/<slug>/sessions/<file>.md) "
        "is for a session",
        id="placeless-type-in-a-place",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), BAD)
def test_bad_file_is_reported_with_line_and_fix(content, capsys, rel, text, expected):
    if text is None:
        text = (content / rel).read_text().replace("Europe/Brussels", "Mars/Olympus")
    write(content, rel, text)
    status, lines = validate(content, capsys)
    assert status == 1
    assert any(line.startswith(f"{rel}:") and expected in line for line in lines), lines


def test_duplicate_poll_ids_across_sessions(content, capsys):
    second = SESSION.replace("number: 1", "number: 2").replace("First session", "Second")
    write(content, "committees/test/sessions/02-second.md", second)
    status, lines = validate(content, capsys)
    assert status == 1
    assert any(
        line.startswith("committees/test/sessions/02-second.md:18: duplicate poll id 'test-poll'")
        for line in lines
    ), lines


def test_duplicate_slugs_and_session_numbers(content, capsys):
    write(content, "case-studies/A-Case.md", (content / "case-studies/a-case.md").read_text())
    write(content, "committees/test/sessions/02-again.md", SESSION.replace("test-poll", "other"))
    status, lines = validate(content, capsys)
    assert status == 1
    assert any("duplicate slug:" in x and "has the same address" in x for x in lines), lines
    assert any(
        x.startswith("committees/test/sessions/02-again.md:4: 'number' is 1, already used by")
        for x in lines
    ), lines


def test_translation_may_only_translate(content, capsys):
    write(content, "committees/test/index.fr.md", "---\ntitle: Comité\nstatus: planned\n---\n")
    status, lines = validate(content, capsys)
    assert status == 1
    assert any(
        line.startswith("committees/test/index.fr.md:3: 'status' is not translated")
        for line in lines
    ), lines


@pytest.mark.parametrize(
    "text",
    [
        b"---\n- a\n- b\n---\n",
        b"---\ntype: session\n",
        b"\xff\xfe\x00binary",
        b"---\n---\n",
        b"---\ntype: 12\n---\n",
        b"---\ntype: [session]\n---\n",
        b"---\ntype: session\ntitle: a\ntitle: b\n: x\n---\n",
        b"---\ntype: session\nagenda: 4\nstarts: {a: b}\npolls: [[1]]\n---\n",
        b"---\n\t\x00: :\n---\n",
    ],
    ids=[
        "list",
        "unclosed",
        "binary",
        "empty",
        "numeric-type",
        "list-type",
        "odd-keys",
        "wrong-shapes",
        "control-chars",
    ],
)
def test_garbage_never_gives_a_traceback(content, capsys, text):
    path = content / SESSION_FILE
    path.write_bytes(text)
    status, lines = validate(content, capsys)
    assert status == 1
    assert any(line.startswith(f"{SESSION_FILE}:") for line in lines), lines


def test_missing_content_folder_is_a_problem(tmp_path, capsys):
    status = main(["--content", str(tmp_path / "nowhere"), "validate"])
    assert status == 1
    assert capsys.readouterr().out == (
        f"civicloop: no content folder at {tmp_path / 'nowhere'}; give one with --content\n"
    )
