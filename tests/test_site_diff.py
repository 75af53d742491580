"""scripts/site_diff.py: what counts as the same built file, the report, and a real comparison
of this branch's site with the one of CIVICLOOP_DIFF_BASE."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("site_diff", ROOT / "scripts/site_diff.py")
site_diff = importlib.util.module_from_spec(_spec)
sys.modules["site_diff"] = site_diff  # dataclasses look their module up there
_spec.loader.exec_module(site_diff)

PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n  <body class="a b" id="top">\n    <p>Hello <b>you</b></p>'
)
PAGE_REORDERED = '<!DOCTYPE html><html lang="en"><body id="top" class="a b"><p>Hello <b>you</b></p>'
CAL = "BEGIN:VCALENDAR\r\nSUMMARY:Town hall\r\nEND:VCALENDAR\r\n"
INDEX = {"config": {"lang": ["en"]}, "docs": [{"location": "a/", "text": "A"}, {"location": "b/"}]}


def gz(text: str, mtime: int) -> bytes:
    return gzip.compress(text.encode(), mtime=mtime)


# (path in the site, base's bytes, new's bytes): the same once normalised
SAME = {
    "attribute order": ("page.html", PAGE, PAGE_REORDERED),
    "whitespace between tags": ("page.html", "<ul>\n  <li>a</li>\n</ul>", "<ul><li>a</li>\n </ul>"),
    "runs of whitespace in text": ("page.html", "<p>a  b\n c</p>", "<p>a b c</p>"),
    "JSON key order": ("data/v1/sessions.json", '{"a": 1, "b": [1]}', '{\n "b": [1],\n "a": 1\n}'),
    "search entries' order": (
        "search/search_index.json",
        json.dumps(INDEX),
        json.dumps({**INDEX, "docs": INDEX["docs"][::-1]}),
    ),
    "gzip time stamp": ("sitemap.xml.gz", gz("<urlset/>", 1), gz("<urlset/>", 2)),
}
# ... and different
DIFFERENT = {
    "one byte in a calendar": ("calendar.ics", CAL, CAL.replace("hall", "hell")),
    "line ends in a calendar": ("calendar.ics", CAL, CAL.replace("\r\n", "\n")),
    "whitespace in XML": (
        "feed.xml",
        "<feed><title>a</title></feed>",
        "<feed> <title>a</title></feed>",
    ),
    "sitemap byte": ("sitemap.xml", "<urlset/>", "<urlset />"),
    "sitemap.gz content": ("sitemap.xml.gz", gz("<urlset/>", 1), gz("<urlset />", 1)),
    "attribute value": ("page.html", PAGE, PAGE.replace('id="top"', 'id="tops"')),
    "space before an element": ("page.html", PAGE, PAGE.replace("Hello <b>", "Hello<b>")),
    "space in <pre>": (
        "page.html",
        "<pre><span>a</span> <span>b</span></pre>",
        "<pre><span>a</span><span>b</span></pre>",
    ),
    "HTML comment": ("page.html", "<p>a</p><!-- x -->", "<p>a</p><!-- y -->"),
    "JSON list order": ("data/v1/sessions.json", '{"a": [1, 2]}', '{"a": [2, 1]}'),
    "JSON number": ("data/v1/sessions.json", '{"a": 1}', '{"a": 1.5}'),
    "search entry text": (
        "search/search_index.json",
        json.dumps(INDEX),
        json.dumps(INDEX).replace('"A"', '"a"'),
    ),
    "a repeated search entry": (
        "search/search_index.json",
        json.dumps(INDEX),
        json.dumps({**INDEX, "docs": INDEX["docs"] * 2}),
    ),
    "binary byte": ("assets/logo.png", b"\x89PNG\x00\x01", b"\x89PNG\x00\x02"),
}


def site(folder: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


@pytest.mark.parametrize(("rel", "old", "new"), SAME.values(), ids=SAME)
def test_equivalent_files_are_identical(tmp_path: Path, rel: str, old, new) -> None:
    report, status = site_diff.compare(
        site(tmp_path / "base", {rel: old}), site(tmp_path / "new", {rel: new}), []
    )
    assert (report, status) == (["identical: 1 files"], 0)


@pytest.mark.parametrize(("rel", "old", "new"), DIFFERENT.values(), ids=DIFFERENT)
def test_different_files_are_reported(tmp_path: Path, rel: str, old, new) -> None:
    report, status = site_diff.compare(
        site(tmp_path / "base", {rel: old}), site(tmp_path / "new", {rel: new}), []
    )
    assert status == 1
    assert report[0] == f"differs: {rel}"
    assert report[1:3] == [f"    --- base/{rel}", f"    +++ new/{rel}"]
    assert report[-1] == "0 of 1 files identical"


def test_report(tmp_path: Path) -> None:
    base = site(
        tmp_path / "base",
        {
            "calendar.ics": CAL,
            "index.html": PAGE,
            "data/v1/committees.json": '{"version": 1, "committees": []}',
            "fr/index.html": "<p>Bonjour</p>",
            "old/index.html": "<p>Old</p>",
        },
    )
    new = site(
        tmp_path / "new",
        {
            "calendar.ics": CAL.replace("hall", "hell"),
            "index.html": PAGE_REORDERED,
            "data/v1/committees.json": '{"committees": [], "version": 1}',
            "fr/index.html": "<p>Salut</p>",
            "new/index.html": "<p>New</p>",
        },
    )
    allowed_file = tmp_path / "allowed.txt"
    allowed_file.write_text(
        "# intended\n\nfr/*.html  the French greeting\nnew/*\tthe new page\nnever/*  unused\n"
    )
    allowed = site_diff.read_allowed(allowed_file)
    report, status = site_diff.compare(base, new, allowed)
    assert report == [
        "only in base: old/index.html",
        "only in new (allowed, allowed.txt:4: the new page): new/index.html",
        "differs: calendar.ics",
        "    --- base/calendar.ics",
        "    +++ new/calendar.ics",
        "    @@ -1,3 +1,3 @@",
        "     'BEGIN:VCALENDAR\\r\\n'",
        "    -'SUMMARY:Town hall\\r\\n'",
        "    +'SUMMARY:Town hell\\r\\n'",
        "     'END:VCALENDAR\\r\\n'",
        "differs (allowed, allowed.txt:3: the French greeting): fr/index.html",
        "    --- base/fr/index.html",
        "    +++ new/fr/index.html",
        "    @@ -1,3 +1,3 @@",
        "     <p>",
        "    -  'Bonjour'",
        "    +  'Salut'",
        "     </p>",
        "unused allowance (allowed.txt:5): never/*",
        "2 of 6 files identical",
    ]
    assert status == 1
    (new / "calendar.ics").write_text(CAL)
    (base / "old/index.html").unlink()
    assert site_diff.compare(base, new, allowed)[1] == 0


def test_a_long_difference_shows_its_first_lines(tmp_path: Path) -> None:
    old = "".join(f"line {i}\n" for i in range(100))
    report, _ = site_diff.compare(
        site(tmp_path / "base", {"a.txt": old}),
        site(tmp_path / "new", {"a.txt": old.replace("line", "LINE")}),
        [],
    )
    assert len(report) == 1 + site_diff.SHOWN + 1


@pytest.mark.parametrize("line", ["fr/*", "fr/*   ", "  fr/*"])
def test_an_allowance_without_reason_is_refused(tmp_path: Path, line: str, capsys) -> None:
    path = tmp_path / "allowed.txt"
    path.write_text(f"# comment\n{line}\n")
    with pytest.raises(SystemExit) as stop:
        site_diff.read_allowed(path)
    assert stop.value.code == 2
    assert capsys.readouterr().err == f"{path}:2: 'fr/*' has no reason; write it after the glob\n"


PROBE = """\
from civicloop.site_diff_probe import MARK
from mkdocs.plugins import BasePlugin


class Probe(BasePlugin):
    def on_post_page(self, output, page, config):
        return output.replace("</head>", f'<meta name="probe" content="{MARK}"></head>', 1)
"""


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout


def test_the_base_is_built_by_its_own_code(tmp_path: Path) -> None:
    """A base with a plugin this venv has not installed (its own entry point, mkdocs.yml and
    site/ module) using a civicloop module only the base has: each of its pages shows it."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--shared", str(ROOT), str(repo)], check=True)
    (repo / "site/site_diff_probe.py").write_text(PROBE)
    (repo / "civicloop/site_diff_probe.py").write_text('MARK = "built by the base"\n')
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("\nplugins:\n", "\nplugins:\n  - probe\n", 1))
    pyproject = repo / "pyproject.toml"
    table, point = '[project.entry-points."mkdocs.plugins"]\n', 'probe = "site_diff_probe:Probe"\n'
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace(table, table + point) if table in text else text + table + point
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "HEAD~1")
    shutil.copy(ROOT / "scripts/site_diff.py", repo / "scripts/site_diff.py")  # this one, as edited
    result = subprocess.run(
        [sys.executable, str(repo / "scripts/site_diff.py"), base, "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    differing = [line for line in result.stdout.splitlines() if line.startswith("differs: ")]
    assert "differs: index.html" in differing
    assert all(line.endswith(".html") for line in differing)
    assert "    -    <meta content='built by the base' name='probe'>" in result.stdout
    page = (tmp_path / "base/fr/index.html").read_text()
    assert '<meta name="probe" content="built by the base">' in page


def test_the_site_is_the_same_as_the_base_refs() -> None:
    """This branch's site against the base's (CI: origin/main), on the sample content: every
    difference must be listed in tests/site_diff_allowed.txt."""
    base = os.environ.get("CIVICLOOP_DIFF_BASE")
    if not base:
        pytest.skip("CIVICLOOP_DIFF_BASE is unset: name the git ref to compare with (origin/main)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/site_diff.py"), base],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_allowed_list_reads() -> None:
    assert all(a.reason for a in site_diff.read_allowed(site_diff.ALLOWED))
