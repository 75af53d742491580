"""Bad content, class by class: whatever the bytes, `civicloop validate` answers with
`path:line: message` and exit status 1, never a traceback; and the site build stops on the same
lines. Each case is one file changed in the small valid content of conftest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import CASE_STUDY, COMMITTEE, SESSION, WEBINAR, build_site, write

from civicloop.cli import main
from civicloop.yamlsubset import parse

CIVICLOOP = Path(sys.executable).parent / "civicloop"
S = "committees/test/sessions/01-first.md"
C = "committees/test/index.md"
W = "webinars/a-webinar.md"
K = "case-studies/a-case.md"
STARTS = "starts: 2026-12-08T18:30:00+01:00"
OPTIONS = "options: [Monday, Tuesday]"
URL = "url: https://example.org/briefing.pdf"


def session(old: str, new: str) -> str:
    assert old in SESSION
    return SESSION.replace(old, new)


def validate(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--content", str(content), "validate"])
    out = capsys.readouterr().out
    return status, [line.removeprefix(f"{content.as_posix()}/") for line in out.splitlines()]


def check(content: Path, capsys, rel: str, text: str | bytes, expected: str) -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    status, lines = validate(content, capsys)
    assert status == 1, lines
    assert f"{rel}:{expected}" in lines, lines


DATES = [
    pytest.param(
        S,
        session(STARTS, "starts: 2026-02-30T18:30:00+01:00"),
        "5: 'starts' is '2026-02-30T18:30:00+01:00': Input should be a valid datetime or date, "
        "day value is outside expected range; write it like 2026-12-01T18:00:00+01:00",
        id="impossible-unquoted",
    ),
    pytest.param(
        S,
        session(STARTS, "starts: '2026-02-30T18:30:00+01:00'"),
        "5: 'starts' is '2026-02-30T18:30:00+01:00': Input should be a valid datetime or date, "
        "day value is outside expected range; write it like 2026-12-01T18:00:00+01:00",
        id="impossible-quoted",
    ),
    pytest.param(
        S,
        session(STARTS, "starts: 2026-12-08T25:30:00+01:00"),
        "5: 'starts' is '2026-12-08T25:30:00+01:00': Input should be a valid datetime or date, "
        "unexpected extra characters at the end of the input; write it like "
        "2026-12-01T18:00:00+01:00",
        id="impossible-hour",
    ),
    pytest.param(
        S,
        session("ends: 2026-12-08T21:00:00+01:00", "ends: 9999-12-31T23:00:00-05:00"),
        "6: 'ends' is '9999-12-31T23:00:00-05:00': is outside the years 1970 to 9998; "
        "check the year",
        id="overflows-to-utc",
    ),
    pytest.param(
        S,
        session(STARTS, "starts: 0001-01-01T00:00+01:00"),
        "5: 'starts' is '0001-01-01T00:00+01:00': is outside the years 1970 to 9998; "
        "check the year",
        id="underflows-to-utc",
    ),
    pytest.param(
        S,
        session("opens: 2026-12-01T09:00:00+01:00", "opens: 9998-12-31T23:30:00-14:00").replace(
            "closes: 2026-12-20T20:00:00+01:00", "closes: 9998-12-31T23:45:00-14:00"
        ),
        "22: 'polls[0].opens' is '9998-12-31T23:30:00-14:00': is outside the years 1970 to "
        "9998; check the year",
        id="poll-date-overflows-in-a-zone",
    ),
    pytest.param(
        S,
        session(STARTS, "starts: 1700000000"),
        "5: 'starts' is 1700000000: write a date and time like 2026-12-01T18:00:00+01:00",
        id="seconds-not-a-date",
    ),
    pytest.param(
        S,
        session(STARTS, "starts: 2026-12-08"),
        "5: 'starts' is '2026-12-08' without a UTC offset; write it like 2026-12-01T18:00:00+01:00",
        id="date-without-time",
    ),
    pytest.param(
        W,
        WEBINAR.replace("date: 2024-03-14T14:00:00+01:00", "date: 20240-03-14T14:00:00+01:00"),
        "5: 'date' is '20240-03-14T14:00:00+01:00': Input should be a valid datetime or date, "
        "invalid date separator, expected `-`; write it like 2026-12-01T18:00:00+01:00",
        id="five-digit-year",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), DATES)
def test_dates(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


TYPES = [
    pytest.param(
        S,
        session("type: session", "type: listing"),
        "1: not a listing; this file's place (committees/<slug>/sessions/<file>.md) "
        "is for a session",
        id="listing-in-sessions",
    ),
    pytest.param(
        "committees/test/results/test-poll.md",
        session("type: session", "type: committee"),
        "1: a committee belongs in committees/<slug>/index.md; this file's place "
        "(committees/<slug>/results/<poll-id>.md) is for a results",
        id="committee-in-results",
    ),
    pytest.param(
        S,
        session("number: 1", "number: true"),
        "4: 'number' is True: Input should be a valid integer; write a whole number such as 3, "
        "no quotes",
        id="boolean-for-number",
    ),
    pytest.param(
        S,
        session("number: 1", "number: 1.0"),
        "4: 'number' is 1.0: Input should be a valid integer; write a whole number such as 3, "
        "no quotes",
        id="float-for-number",
    ),
    pytest.param(
        S,
        session("number: 1", "number: '1'"),
        "4: 'number' is '1': Input should be a valid integer; write a whole number such as 3, "
        "no quotes",
        id="text-for-number",
    ),
    pytest.param(
        C,
        COMMITTEE.replace("count: 30", "count: true"),
        "10: 'members[0].count' is True: Input should be a valid integer; write a whole number "
        "such as 3, no quotes",
        id="boolean-for-count",
    ),
    pytest.param(
        C,
        COMMITTEE.replace("timezone: Europe/Brussels", "timezone: Europe/Brussels\nsample: 'yes'"),
        "16: 'sample' is 'yes': Input should be a valid boolean; write true or false, no quotes",
        id="text-for-boolean",
    ),
    pytest.param(
        S,
        session("    duration: 15", "    duration: 100000000000"),
        "12: 'agenda[0].duration' is 100000000000: Input should be less than or equal to 1440",
        id="duration-overflows",
    ),
    pytest.param(
        S,
        session(OPTIONS, "options: [Yes, No]"),
        "21: 'polls[0].options[0]' is True: Input should be a valid string; put text in quotes "
        "when YAML could read it as a number or yes/no",
        id="yes-read-as-boolean",
    ),
    pytest.param(
        "about.md",
        "---\ntitle: About\nhide: 3\n---\nText.\n",
        "3: 'hide' is 3: Input should be a valid list",
        id="page-setting-of-another-shape",
    ),
    pytest.param(
        "about.md",
        "---\ntemplate: nothing.html\n---\nText.\n",
        "2: unknown field 'template'; valid fields here: title, description, tags, hide",
        id="page-setting-unknown",
    ),
    pytest.param(
        "about.md",
        "Template: nothing.html\n\nText.\n",
        "1: the first line looks like 'key: value', which MkDocs takes for page settings; "
        "start with front matter between '---' lines, or with other text",
        id="multimarkdown-settings",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), TYPES)
def test_types(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


ANCHORS = "2: anchors and aliases ('&name', '*name') are not allowed; write each value out"
STRUCTURE = [
    pytest.param(
        S,
        session("title: First session", "title: &t First session\nplace2: *t"),
        "3: anchors and aliases ('&name', '*name') are not allowed; write each value out",
        id="anchor",
    ),
    pytest.param(
        S,
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n---\n",
        ANCHORS,
        id="alias-bomb",
    ),
    pytest.param(
        S,
        session("title: First session", "title: First session\ntitle: Again"),
        "4: the key 'title' is given twice in the same place; keep one",
        id="duplicate-key",
    ),
    pytest.param(
        S,
        session("    presenter: The facilitator", "    presenter: A\n    'presenter': B"),
        "12: the key 'presenter' is given twice in the same place; keep one",
        id="duplicate-key-nested-quoted",
    ),
    pytest.param(
        S,
        session("place: Town hall", "<<: {place: Town hall}"),
        "8: merge keys ('<<') are not allowed; write each key",
        id="merge-key",
    ),
    pytest.param(
        S,
        session("title: First session", "title: !!binary aGVsbG8="),
        "3: the tag '!!binary' is not allowed; write plain values",
        id="binary-tag",
    ),
    pytest.param(
        S,
        session("title: First session", "title: !!python/object:os.system ls"),
        "3: the tag '!!python/object:os.system' is not allowed; write plain values",
        id="python-tag",
    ),
    pytest.param(
        S,
        session("place: Town hall", "place: " + "[" * 100_000),
        "8: lists and maps nested more than 12 deep",
        id="deep-flow",
    ),
    pytest.param(
        S,
        session("place: Town hall", "place:\n" + "".join("  " * n + "- \n" for n in range(1, 40))),
        "20: lists and maps nested more than 12 deep",
        id="deep-block",
    ),
    pytest.param(
        S,
        session("title: First session", "? [a, b]\n: x\ntitle: First session"),
        "3: a key must be a plain name, not a list or map",
        id="list-as-key",
    ),
    pytest.param(
        S,
        session("title: First session", "title: First session\n1: x"),
        "4: '1' is not a field name (keys are names such as 'title')",
        id="number-as-key",
    ),
    pytest.param(
        S,
        "---\ntype: session\n---\n---\n",
        "1: missing required field 'title'",
        id="empty-session",
    ),
    pytest.param(
        S,
        "---\ntitle: a\n---\nx\n--- \n",
        "1: missing required field 'type' ('session')",
        id="no-type",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), STRUCTURE)
def test_yaml_structure(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


TEXT = [
    pytest.param(
        S,
        session("title: First session", "title: '   '"),
        "3: 'title' is '   ': is empty or only spaces; write the text, or remove the line",
        id="spaces",
    ),
    pytest.param(
        S,
        session("title: First session", 'title: "\\u200b\\u3164\\u2800\\t"'),
        "3: 'title' is '\\u200bㅤ⠀\\t': is empty or only spaces; write the text, or remove the line",
        id="invisible-characters",
    ),
    pytest.param(
        S,
        session("title: First session", "title:"),
        "3: 'title' is empty; write the text, or remove the line",
        id="empty",
    ),
    pytest.param(
        S,
        session("place: Town hall", "place: ' '"),
        "8: 'place' is ' ': is empty or only spaces; write the text, or remove the line",
        id="optional-spaces",
    ),
    pytest.param(
        S,
        session("title: First session", 'title: "a\\0b"'),
        "3: the text contains the control character U+0000; remove it",
        id="escaped-nul",
    ),
    pytest.param(
        S,
        session("title: First session", 'title: "a\\fb"'),
        "3: the text contains the control character U+000C; remove it",
        id="escaped-form-feed",
    ),
    pytest.param(
        S,
        session("title: First session", 'title: "a\\eb"'),
        "3: the text contains the control character U+001B; remove it",
        id="escaped-escape",
    ),
    pytest.param(
        S,
        session("title: First session", "title: a\x0cb"),
        "3: contains the control character U+000C; remove it (feeds and calendars cannot carry it)",
        id="raw-form-feed",
    ),
    pytest.param(
        S,
        session("title: First session", "title: a\x7fb"),
        "3: contains the control character U+007F; remove it (feeds and calendars cannot carry it)",
        id="raw-delete",
    ),
    pytest.param(
        S,
        session("title: First session", "title: a\u0085b"),
        "3: contains the control character U+0085; remove it (feeds and calendars cannot carry it)",
        id="raw-next-line",
    ),
    pytest.param(
        S,
        SESSION + "\nA body with \x00 in it.\n",
        "27: contains the control character U+0000; remove it (feeds and calendars cannot "
        "carry it)",
        id="nul-in-body",
    ),
    pytest.param(
        S,
        session("title: First session", "title: |\n  two\n  lines"),
        "3: 'title' is 'two\\nlines\\n': must be one line",
        id="title-of-two-lines",
    ),
    pytest.param(
        S,
        session("title: First session", 'title: "a\\u2028b"'),
        "3: 'title' is 'a\\u2028b': must be one line",
        id="line-separator",
    ),
    pytest.param(
        S,
        SESSION.encode().replace(b"First session", b"First \xe9 session"),
        "3: not UTF-8 text (invalid continuation byte); save it as UTF-8",
        id="latin-1",
    ),
    pytest.param(
        S,
        "\ufeff".encode("utf-16-le") + SESSION.encode("utf-16-le"),
        "1: not UTF-8 text (invalid start byte); save it as UTF-8",
        id="utf-16",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), TEXT)
def test_text(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


def zone(name: str) -> str:
    return COMMITTEE.replace("Europe/Brussels", name)


UNKNOWN_ZONE = "15: 'timezone' is {0!r}: unknown time zone {0!r}; use an IANA name such as "
ZONES = [
    pytest.param(C, zone(name), UNKNOWN_ZONE.format(name) + "'Europe/Brussels'", id=name)
    for name in [
        "localtime",
        "UTC0",
        "Factory",
        "posixrules",
        "europe/brussels",
        "../../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "EST5EDT,M3.2.0,M11.1.0",
        "Mars/Olympus",
    ]
]


@pytest.mark.parametrize(("rel", "text", "expected"), ZONES)
def test_zones(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


def link(target: str) -> Callable[[Path], None]:
    return lambda root: (root / "link.md").symlink_to(target)


PLACES = [
    pytest.param(
        link("link.md"),
        "link.md:1: is a symbolic link that loops back on itself "
        "(link.md); put the file itself here",
        id="symlink-loop",
    ),
    pytest.param(
        link("nowhere.md"),
        "link.md:1: is a symbolic link that points to nothing "
        "(nowhere.md); put the file itself here",
        id="symlink-dangling",
    ),
    pytest.param(
        lambda root: (root.parent / "secret.md").write_text("x") and link("../secret.md")(root),
        "link.md:1: is a symbolic link out of the content folder (../secret.md); copy it here",
        id="symlink-outside",
    ),
    pytest.param(
        link("../../x.md"),
        "link.md:1: is a symbolic link that points to nothing "
        "(../../x.md); put the file itself here",
        id="symlink-outside-dangling",
    ),
    pytest.param(
        lambda root: (root / "up").symlink_to(".."),
        "up:1: is a symbolic link out of the content folder (..); copy it here",
        id="symlink-to-parent",
    ),
    pytest.param(
        lambda root: (root / "w").symlink_to("webinars"),
        "w:1: is a symbolic link to a folder (webinars); move the folder here instead",
        id="symlink-to-folder",
    ),
    pytest.param(
        lambda root: (root / "x.md").mkdir(),
        "x.md:1: is a folder named like a page; remove '.md' from its name",
        id="folder-named-md",
    ),
    pytest.param(
        lambda root: os.mkfifo(root / "pipe.md"),
        "pipe.md:1: is not a regular file (a pipe, socket or device); remove it",
        id="pipe",
    ),
    pytest.param(
        lambda root: (root / os.fsdecode(b"caf\xe9.md")).write_text("Hi."),
        "caf\\xe9.md:1: the name is not UTF-8 text; rename it",
        id="latin-1-name",
    ),
    pytest.param(
        lambda root: (root / os.fsdecode(b"logo\xff.png")).write_bytes(b"png"),
        "logo\\xff.png:1: the name is not UTF-8 text; rename it",
        id="non-page-name",
    ),
    pytest.param(
        lambda root: (root / "a\nb.md").write_text("Hi."),
        "a\\nb.md:1: the name contains the invisible character U+000A; rename it",
        id="newline-in-name",
    ),
    pytest.param(
        lambda root: write(root, "webinars/x.de.md", "---\ntitle: X\n---\n"),
        "webinars/x.de.md:1: 'de' is not a language of this site (it has en, fr); "
        "name the original x.md and its translations x.fr.md",
        id="language-suffix",
    ),
    pytest.param(
        lambda root: write(root, "webinars/a-webinar.en.md", "---\ntitle: X\n---\n"),
        "webinars/a-webinar.en.md:1: pages in en (the site's first language) have no "
        "suffix: name it a-webinar.md",
        id="default-language-suffix",
    ),
]


@pytest.mark.parametrize(("setup", "expected"), PLACES)
def test_places_and_paths(content, setup, expected):
    """Names and links on disk, through the installed command: its output must stay one line
    per problem whatever the bytes of a name."""
    setup(content)
    result = subprocess.run(
        [str(CIVICLOOP), "--content", str(content), "validate"], capture_output=True, timeout=60
    )
    lines = result.stdout.decode("utf-8").splitlines()
    assert result.returncode == 1, (lines, result.stderr)
    assert f"{content.as_posix()}/{expected}" in lines, lines
    assert b"Traceback" not in result.stderr


def poll(old: str, new: str) -> str:
    return session(old, new)


POLLS = [
    pytest.param(
        session(OPTIONS, "options: [" + ", ".join(f"o{n}" for n in range(13)) + "]"),
        "21: 'polls[0].options' is ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9', "
        "'o10', 'o11', 'o...: a single poll needs 2 to 12 options (Telegram's limit); it has 13",
        id="13-options",
    ),
    pytest.param(
        session(OPTIONS, "options: [Monday]").replace("kind: single", "kind: multiple"),
        "21: 'polls[0].options' is ['Monday']: a multiple poll needs 2 to 12 options "
        "(Telegram's limit); it has 1",
        id="1-option",
    ),
    pytest.param(
        session(OPTIONS, "options: [Monday, ' monday ']"),
        "21: 'polls[0].options' is ['Monday', ' monday ']: two options say the same; "
        "each option must differ",
        id="same-after-case-and-spaces",
    ),
    pytest.param(
        session(OPTIONS, "options: [Straße, STRASSE]"),
        "21: 'polls[0].options' is ['Straße', 'STRASSE']: two options say the same; "
        "each option must differ",
        id="same-after-casefold",
    ),
    pytest.param(
        session(OPTIONS, "options: [Monday, " + "x" * 101 + "]"),
        "21: 'polls[0].options[1]' is '" + "x" * 76 + "...: is 101 characters long; "
        "Telegram allows at most 100",
        id="option-101",
    ),
    pytest.param(
        session(OPTIONS, "options: [Monday, " + "😀" * 51 + "]"),
        "21: 'polls[0].options[1]' is '" + "😀" * 51 + "': is 102 characters long; "
        "Telegram allows at most 100",
        id="option-of-emoji",
    ),
    pytest.param(
        session(OPTIONS, "options: [Monday, '  ']"),
        "21: 'polls[0].options[1]' is '  ': is empty or only spaces; write the text, "
        "or remove the line",
        id="blank-option",
    ),
    pytest.param(
        session("question: Which day suits you?", "question: " + "q" * 301),
        "19: 'polls[0].question' is '" + "q" * 76 + "...: is 301 characters long; "
        "Telegram allows at most 300",
        id="question-301",
    ),
    pytest.param(
        session("kind: single", "kind: rating").replace(OPTIONS, "options: [a, b, c]"),
        "21: 'polls[0].options' is ['a', 'b', 'c']: a rating poll has 5 option labels "
        "(for 1 to 5) or none",
        id="rating-with-3-labels",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POLLS)
def test_poll_limits(content, capsys, text, expected):
    check(content, capsys, S, text, expected)


REFUSED = "; only https:, http:, mailto: and relative links are allowed"
DOCUMENT = "16: 'agenda[1].documents[0].url' is {!r}: "
LINKS = [
    pytest.param(
        S, session(URL, f"url: {json.dumps(url)}"), DOCUMENT.format(url) + reason + REFUSED, id=name
    )
    for name, url, reason in [
        ("javascript", "javascript:alert(1)", "uses the scheme 'javascript:'"),
        ("mixed-case", "JaVaScRiPt:alert(1)", "uses the scheme 'javascript:'"),
        ("spaces-before", "  javascript:alert(1)", "uses the scheme 'javascript:'"),
        ("decimal-entity", "&#106;avascript:alert(1)", "uses the scheme 'javascript:'"),
        ("hex-entity", "&#x6A;avascript:alert(1)", "uses the scheme 'javascript:'"),
        ("named-entity-colon", "javascript&colon;alert(1)", "uses the scheme 'javascript:'"),
        ("entity-of-entity", "&amp;#106;avascript:alert(1)", "uses the scheme 'javascript:'"),
        ("zero-width", "java\u200bscript:alert(1)", "uses the scheme 'javascript:'"),
        ("data", "data:text/html;base64,PHNjcmlwdD4=", "uses the scheme 'data:'"),
        ("vbscript", "vbscript:msgbox(1)", "uses the scheme 'vbscript:'"),
        ("file", "file:///etc/passwd", "uses the scheme 'file:'"),
        (
            "hidden-https",
            "h&#116;tps://example.org",
            "hides its scheme 'https:' behind entities, spaces or control characters",
        ),
        ("colon-first", "x:y", "uses the scheme 'x:'"),
    ]
] + [
    pytest.param(
        S,
        session(URL, 'url: "java\\tscript:alert(1)"'),
        DOCUMENT.format("java\tscript:alert(1)") + "uses the scheme 'javascript:'" + REFUSED,
        id="tab-inside",
    ),
    pytest.param(
        S,
        session(URL, 'url: "java\\nscript:alert(1)"'),
        "16: 'agenda[1].documents[0].url' is 'java\\nscript:alert(1)': must be one line",
        id="newline-inside",
    ),
    pytest.param(
        S,
        SESSION + "\n[x](javascript:alert(1))\n",
        "27: link 'javascript:alert(1' uses the scheme 'javascript:'" + REFUSED,
        id="body-link",
    ),
    pytest.param(
        S,
        SESSION + "\n![x](JAVASCRIPT:alert(1))\n",
        "27: link 'JAVASCRIPT:alert(1' uses the scheme 'javascript:'" + REFUSED,
        id="body-image",
    ),
    pytest.param(
        S,
        SESSION + "\n[x][y]\n\n[y]: data:text/html,hi\n",
        "29: link 'data:text/html,hi' uses the scheme 'data:'" + REFUSED,
        id="body-reference",
    ),
    pytest.param(
        S,
        session(URL, "url: ../../../nothing.pdf"),
        "16: broken link '../../../nothing.pdf': no file content/nothing.pdf; link to an "
        "existing .md file relative to this one",
        id="relative-still-checked",
    ),
    pytest.param(
        S,
        SESSION + "\n[the committee](../)\n",
        "27: link '../' points to a folder, which the site build does not take; link to the "
        "page file, e.g. '../index.md'",
        id="folder",
    ),
    pytest.param(
        "index.md",
        "---\ntype: listing\nlist: home\ntitle: Home\n---\n[w](webinars#top)\n",
        "6: link 'webinars#top' points to a folder, which the site build does not take; link to "
        "the page file, e.g. 'webinars/index.md'",
        id="folder-with-fragment",
    ),
    pytest.param(
        W,
        WEBINAR.replace("https://www.youtube.com/watch?v=abcdefghijk", "javascript:alert(1)"),
        "6: 'replay' is 'javascript:alert(1)': URL scheme should be 'http' or 'https'",
        id="replay",
    ),
    pytest.param(
        K,
        CASE_STUDY.replace("https://example.org/source", "data:text/html,x"),
        "12: 'sources[0].url' is 'data:text/html,x': URL scheme should be 'http' or 'https'",
        id="source",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), LINKS)
def test_links(content, capsys, rel, text, expected):
    check(content, capsys, rel, text, expected)


def bounded(content: Path, seconds: int = 20) -> subprocess.CompletedProcess[bytes]:
    """`civicloop validate` with 1 GB of memory at most."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
    run = "import sys; from civicloop.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", limit + run, "--content", str(content), "validate"],
        capture_output=True,
        timeout=seconds,
    )


def test_alias_bomb_and_deep_nesting_answer_at_once(content):
    levels = [f"a0: &a0 [{', '.join(['x'] * 10)}]"] + [
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 12)
    ]
    write(content, S, "---\n" + "\n".join(levels) + "\n---\n")
    write(content, "committees/test/sessions/02-deep.md", "---\nx: " + "[" * 2_000_000 + "\n---\n")
    result = bounded(content)
    lines = result.stdout.decode().splitlines()
    assert result.returncode == 1, result.stderr
    assert f"{content}/{S}:{ANCHORS}" in lines
    assert (
        f"{content}/committees/test/sessions/02-deep.md:2: lists and maps nested more than "
        "12 deep" in lines
    )


VALID_EDGES = {
    S: session(OPTIONS, "options: [" + ", ".join(f"'{n} {'é' * 97}'" for n in range(12)) + "]")
    .replace("question: Which day suits you?", f"question: '{'Q' * 299}?'")
    .replace(URL, "url: mailto:someone@example.org")
    .replace(STARTS, "starts: 9998-12-30T18:30:00+01:00")
    .replace("ends: 2026-12-08T21:00:00+01:00", "ends: 9998-12-30T22:00:00+01:00")
    .replace("closes: 2026-12-20T20:00:00+01:00", "closes: 9998-12-20T20:00:00+01:00")
    .replace("title: First session", 'title: "Ünïcødé 😀 <b> & \'x\' \\" \\\\ --- ..."'),
    "committees/test/sessions/02-early.md": "\ufeff"
    + session("number: 1", "number: 2")
    .replace("test-poll", "early-poll")
    .replace(STARTS, "starts: 1970-01-01T01:00:00+01:00")
    .replace("ends: 2026-12-08T21:00:00+01:00", "ends: 1970-01-01T02:00:00+01:00")
    .replace("opens: 2026-12-01T09:00:00+01:00", "opens: 1970-01-01T01:00:00+01:00")
    .replace("\n", "\r\n"),
    "about.md": "---\ntitle: About\ntags: [a, b]\nhide: [toc]\n---\n"
    "[mail](mailto:a@example.org), [home](index.md), [ref], [web](https://example.org)\n\n"
    "[ref]: index.md\n",
}


def test_valid_edges_pass_and_build(content, capsys, tmp_path):
    """Limits reached but not crossed: a byte-order mark, CRLF, 12 options of 100 characters,
    a question of 300, the first and last dates, mailto and relative links, a symlink to a page
    inside the content folder. The site builds from them."""
    for rel, text in VALID_EDGES.items():
        (content / rel).write_bytes(text.encode())
    (content / "webinars/same-webinar.md").symlink_to("a-webinar.md")
    status, lines = validate(content, capsys)
    assert status == 0, lines
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/webinars/same-webinar/index.html").is_file()


BUILD_SAMPLE = [DATES[0], DATES[3], TYPES[0], TYPES[2], TYPES[9], TYPES[11], STRUCTURE[2]]
BUILD_SAMPLE += [TEXT[0], TEXT[4], TEXT[10], ZONES[0], POLLS[0], LINKS[0], LINKS[15]]


def test_the_build_stops_on_the_same_lines(content, capsys, tmp_path):
    """A sample of each class, one case per file: `validate` and `mkdocs build --strict` report
    the same `path:line: message` lines, and neither shows a traceback."""
    for n, case in enumerate(BUILD_SAMPLE):
        rel, text = case.values[-3:-1] if len(case.values) == 3 else (S, case.values[0])
        if rel == S:
            rel = f"committees/test/sessions/{n + 10:02d}-case.md"
            text = text.replace("number: 1", f"number: {n + 10}")
            text = text.replace("test-poll", f"poll-{n}")
        if rel == "about.md":
            rel = f"about-{n}.md"
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    os.mkfifo(content / "pipe.md")
    (content / "loop.md").symlink_to("loop.md")
    status, lines = validate(content, capsys)
    assert status == 1
    problems = [line for line in lines if ":" in line and "problem(s)" not in line]
    assert len(problems) >= len(BUILD_SAMPLE) + 2, problems
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    reported = [
        line.removeprefix("content/")
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith("content/")
    ]
    assert reported == problems


HOME = "---\ntype: listing\nlist: home\ntitle: Home\n---\n"
ANCHOR_LINKS = [
    pytest.param(
        "index.md",
        HOME + "See [x](webinars/a-webinar.md#nope).\n",
        "6: link 'webinars/a-webinar.md#nope': webinars/a-webinar.md has no heading or anchor "
        "'#nope' (in en); its anchors: related-case-studies, replay",
        id="other-page",
    ),
    pytest.param(
        "index.md",
        HOME + "See [below](#nope).\n",
        "6: link '#nope': index.md has no heading or anchor '#nope' (in en); its anchors: "
        "committees, how-to-take-part, latest-webinars, next-sessions, test-committee",
        id="same-page",
    ),
    pytest.param(
        "index.md",
        HOME + "See [the agenda](committees/test/sessions/01-first.md#agenda).\n",
        "6: link 'committees/test/sessions/01-first.md#agenda': committees/test/sessions/"
        "01-first.md has no heading or anchor '#agenda' (in fr); its anchors: ordre-du-jour, "
        "sabonner-a-lagenda, sondages, which-day-suits-you",
        id="generated-heading-in-french",
    ),
    pytest.param(
        "about.fr.md",
        "---\ntitle: À propos\n---\n# Une partie\n\n[here](#une-partie), [there](#some-part)\n",
        "6: link '#some-part': about.md has no heading or anchor '#some-part' (in fr); "
        "its anchors: une-partie",
        id="translation",
    ),
]


@pytest.mark.parametrize(("rel", "text", "expected"), ANCHOR_LINKS)
def test_anchor_links(content, capsys, rel, text, expected):
    """The strict build stops on a link to a heading a page does not have, in any language."""
    write(content, "about.md", "---\ntitle: About\n---\n# Some part\n\n[here](#some-part)\n")
    check(content, capsys, rel, text, expected)


def test_anchor_links_that_exist_pass_and_build(content, capsys, tmp_path):
    write(content, "about.md", "---\ntitle: About\n---\n# Some part {#part}\n\n[a](#part)\n")
    write(content, "about.fr.md", "---\ntitle: À propos\n---\n# Une partie {#part}\n\n[a](#part)\n")
    write(
        content,
        "index.md",
        HOME
        + "[a](about.md#part), [b](committees/test/sessions/01-first.md#which-day-suits-you)\n",
    )
    status, lines = validate(content, capsys)
    assert status == 0, lines
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_anchors_are_made_with_the_sites_markdown_extensions():
    import yaml

    from civicloop.markup import EXTENSIONS

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((Path(__file__).parent.parent / "mkdocs.yml").read_text(), Loader)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert names == EXTENSIONS


ELEMENT = "8: the HTML element <{}> is not allowed in a page (it can run script or show another "
ELEMENT += "site); write Markdown instead"
ATTRIBUTE = "8: the attribute '{}' on <{}> is not allowed in a page (it can run script or load "
ATTRIBUTE += "other content); remove it"
STYLE = "8: the style '{}' on <{}> loads or runs something (url(), expression(), @import, "
STYLE += "escapes); remove it"
LINK = "8: link '{}' uses the scheme '{}:'" + REFUSED
MARKUP = [
    ("<script>alert(1)</script>", ELEMENT.format("script")),
    ("<svg><script>alert(1)</script></svg>", ELEMENT.format("script")),
    ("<<script>alert(1);//<</script>", ELEMENT.format("script")),
    ("<scr<script>ipt>alert(1)</script>", ELEMENT.format("script")),
    ('<iframe src="https://example.org"></iframe>', ELEMENT.format("iframe")),
    ('<object data="x.swf"></object>', ELEMENT.format("object")),
    ("<embed src=x.swf>", ELEMENT.format("embed")),
    ('<form action="https://example.org"><input name=a></form>', ELEMENT.format("form")),
    ('<meta http-equiv="refresh" content="0;url=https://example.org">', ELEMENT.format("meta")),
    ('<base href="https://example.org/">', ELEMENT.format("base")),
    ("<style>body{display:none}</style>", ELEMENT.format("style")),
    ("<img src=x onerror=alert(1)>", ATTRIBUTE.format("onerror", "img")),
    ("<svg onload=alert(1)>", ATTRIBUTE.format("onload", "svg")),
    ("<details open ontoggle=alert(1)>", ATTRIBUTE.format("ontoggle", "details")),
    ("<IMG SRC=x OnError=alert(1)>", ATTRIBUTE.format("onerror", "img")),
    (
        '<div style="background:url(javascript:alert(1))">x</div>',
        STYLE.format("background:url(javascript:alert(1))", "div"),
    ),
    ('<p style="background:u\\72l(x)">x</p>', STYLE.format("background:u\\72l(x)", "p")),
    (
        '<p style="width: expression(alert(1))">x</p>',
        STYLE.format("width: expression(alert(1))", "p"),
    ),
    ("<p style=\"@import 'x.css'\">x</p>", STYLE.format("@import 'x.css'", "p")),
    ('[x](https://example.org){: onclick="alert(1)"}', ATTRIBUTE.format("onclick", "a")),
    ('<a href="javascript:alert(1)">x</a>', LINK.format("javascript:alert(1)", "javascript")),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', LINK.format("JaVaScRiPt:alert(1)", "javascript")),
    (
        "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
        LINK.format("jav\\tascript:alert('XSS');", "javascript"),
    ),
    (
        '<a href=" &#14;  javascript:alert(1)">x</a>',
        LINK.format("   javascript:alert(1)", "javascript"),
    ),
    (
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        LINK.format("data:image/svg+xml;base64,PHN2Zz4=", "data"),
    ),
]


@pytest.mark.parametrize(("html", "expected"), [pytest.param(*m, id=m[0][:40]) for m in MARKUP])
def test_markup_that_runs_script(content, capsys, html, expected):
    """Markdown passes HTML through: what could run script in a visitor's browser is refused
    (payloads in the manner of OWASP's filter evasion cheat sheet)."""
    check(content, capsys, "index.md", HOME + "Hello.\n\n" + html + "\n", expected)


def test_markup_that_cannot_run_script_passes(content, capsys):
    write(
        content,
        "index.md",
        HOME
        + '<span class="x" data-y="1" aria-label="z" tabindex="0" style="color: red">ok</span> '
        '<a href="index.md">a</a>\n\n'
        "| a | b |\n|--:|:-:|\n| 1 | 2 |\n\n<details><summary>More</summary>Text</details>\n\n"
        "`<script>` in code, and &lt;script&gt; as text\n\n```html\n<script>shown</script>\n```\n",
    )
    status, lines = validate(content, capsys)
    assert status == 0, lines


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        pytest.param(
            "about.fr.md",
            "---\ntype: listing\nlist: home\ntitle: Accueil\n---\n",
            "2: a translation has the type of about.md (none); remove 'type'",
            id="type-for-a-page-without",
        ),
        pytest.param(
            "committees/test/sessions/01-first.fr.md",
            "---\ntitle: Première\ntype: webinar\n---\n",
            "3: a translation has the type of committees/test/sessions/01-first.md ('session'); "
            "remove 'type'",
            id="another-type",
        ),
    ],
)
def test_translation_of_another_type(content, capsys, rel, text, expected):
    write(content, "about.md", "---\ntitle: About\n---\nText.\n")
    check(content, capsys, rel, text, expected)


FRONT_MATTER = [
    pytest.param(case.values[1], id=case.id)
    for case in (*DATES, *TYPES, *STRUCTURE, *TEXT, *ZONES, *POLLS)
    if isinstance(case.values[1], str) and case.values[1].startswith("---\n")
]


def _read(head: str) -> tuple[str, object]:
    try:
        return "data", parse(head)[1]
    except yaml.YAMLError as error:
        return "refused", str(error)  # the problem and where it is


@pytest.mark.parametrize("text", FRONT_MATTER)
def test_front_matter_reads_alike_by_both_ways(text):
    """Front matter that cannot hold an anchor, alias or tag is parsed once, without scanning its
    events first: a '!' in a comment sends it the full way, which must read the same data and
    refuse on the same line with the same words."""
    head = text.split("---\n")[1]
    assert _read(head) == _read(head + "# !\n")
