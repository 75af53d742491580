"""`civicloop generate`: the site source as a tree, written only where bytes changed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import NOW, ROOT, SESSION, build_site, write

from civicloop.catalog import page_url
from civicloop.cli import main
from civicloop.generate import MARKER

TITLE = "Second look at the budget"  # a session title found nowhere else
SECOND = SESSION.replace("test-poll", "p2").replace("number: 1", "number: 2")


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.setenv("CIVICLOOP_NOW", NOW)


def generate(content: Path, out: Path, capsys) -> str:
    assert main(["--content", str(content), "generate", "--out", str(out)]) == 0
    return capsys.readouterr().out


def tree(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the tree but its marker: its bytes and its mtime (in nanoseconds)."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def test_the_tree_has_every_page_in_each_language_and_the_artefacts(content, tmp_path, capsys):
    out = tmp_path / "source"
    generate(content, out, capsys)
    assert (out / MARKER).is_file()
    files = tree(out)
    pages = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    for lang in ("en", "fr"):
        assert sorted(p[3:] for p in files if p.startswith(f"{lang}/") and p.endswith(".md")) == (
            pages
        )
    for artefact in ("calendar.ics", "feed.xml", "data/v1/sessions.json", "schema/content"):
        assert any(p.startswith(f"en/{artefact}") for p in files), artefact
    # besides its pages, a language has its feed and, in each page's folder, a one-page
    # sitemap (the default language's home has MkDocs' sitemap of all pages)
    urls = {page_url(p) for p in pages}
    assert {p for p in files if p.startswith("fr/") and not p.endswith(".md")} == {
        "fr/feed.xml",
        *(f"fr/{url}sitemap.xml" for url in urls),
    }
    assert {p for p in files if p.endswith("sitemap.xml") and p.startswith("en/")} == {
        f"en/{url}sitemap.xml" for url in urls if url
    }
    assert "en/robots.txt" in files
    session = files["fr/committees/test/sessions/01-first.md"][0].decode()
    assert session.startswith('---\ntype: "session"\ntitle: "First session"\n')
    assert 'content_lang: "en"\n' in session  # shown in French, written in English
    assert "Ordre du jour" in session
    assert "content_lang" not in files["en/committees/test/sessions/01-first.md"][0].decode()


def test_a_second_run_on_the_same_content_writes_nothing(content, tmp_path, capsys):
    out = tmp_path / "source"
    first = generate(content, out, capsys)
    before = tree(out)
    assert f"{len(before)} files written, 0 unchanged, 0 removed" in first
    again = generate(content, out, capsys)
    assert f"0 files written, {len(before)} unchanged, 0 removed" in again
    assert tree(out) == before  # bytes and mtimes


def test_an_edit_rewrites_exactly_the_files_that_show_it(content, tmp_path, capsys):
    """A session's new title: its pages in both languages, the pages and files listing it
    (its committee, the home page, calendars, feed, data) change, and nothing else."""
    out = tmp_path / "source"
    generate(content, out, capsys)
    before = tree(out)
    session = content / "committees/test/sessions/01-first.md"
    session.write_text(session.read_text().replace("title: First session", f"title: {TITLE}"))
    generate(content, out, capsys)
    after = tree(out)
    assert sorted(after) == sorted(before)
    changed = {p for p in after if after[p] != before[p]}
    showing = {p for p, (data, _) in after.items() if TITLE.encode() in data}
    assert changed == showing
    for page in (
        "en/committees/test/sessions/01-first.md",
        "fr/committees/test/sessions/01-first.md",
        "en/committees/test/index.md",
        "fr/committees/test/index.md",
        "en/committees/test/sessions/01-first.ics",
        "en/calendar.ics",
        "en/data/v1/sessions.json",
    ):
        assert page in changed, page
    assert all(after[p][1] == before[p][1] for p in after if p not in changed)


def test_a_deleted_file_leaves_nothing_behind(content, tmp_path, capsys):
    out = tmp_path / "source"
    write(content, "committees/test/sessions/02-second.md", SECOND)
    generate(content, out, capsys)
    assert (out / "fr/committees/test/sessions/02-second.md").is_file()
    assert (out / "en/committees/test/sessions/02-second.ics").is_file()
    (content / "committees/test/sessions/02-second.md").unlink()
    (content / "webinars/a-webinar.md").unlink()
    printed = generate(content, out, capsys)
    files = tree(out)
    for lang in ("en", "fr"):
        assert f"{lang}/committees/test/sessions/02-second.md" not in files
        assert not (out / lang / "webinars").exists()  # and its folder, left empty
    assert "en/committees/test/sessions/02-second.ics" not in files
    assert "en/committees/test/sessions/01-first.ics" in files
    assert ", 9 removed" in printed  # two pages and two sitemaps each, and the calendar


def test_the_editors_other_files_are_copied_as_they_are(content, tmp_path, capsys):
    (content / "committees/test/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (content / "_drafts").mkdir()
    (content / "_drafts/idea.png").write_bytes(b"draft")
    out = tmp_path / "source"
    generate(content, out, capsys)
    assert (out / "en/committees/test/photo.png").read_bytes() == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert not (out / "fr/committees/test/photo.png").exists()  # served from one place
    assert not any("_drafts" in p for p in tree(out))


@pytest.mark.parametrize(
    "title, line",
    [
        ("Budget: <b>who</b> pays & why", 'title: "Budget: &lt;b&gt;who&lt;/b&gt; pays &amp; why"'),
        ('Quotes "stay" as they are', 'title: "Quotes \\"stay\\" as they are"'),
        ("café 🚲 #1", 'title: "café 🚲 #1"'),
    ],
)
def test_a_plain_pages_title_is_written_as_html(content, tmp_path, capsys, title, line):
    """MkDocs takes a page's title for HTML: an editor's plain page gets it escaped, as a
    generated page does, and keeps its other settings."""
    write(content, "about.md", f"---\ntitle: '{title}'\nhide: [toc]\n---\nAbout us.\n")
    out = tmp_path / "source"
    generate(content, out, capsys)
    shared = 'description: "About us."\nshare: {[^\n]*}\n'  # civicloop/sharing.py's
    english = (out / "en/about.md").read_text()
    head = re.escape(f'---\n{line}\nhide: ["toc"]\n')
    assert re.fullmatch(head + shared + "---\n\nAbout us.\n", english), english
    french = (out / "fr/about.md").read_text()
    assert re.fullmatch(head + shared + 'content_lang: "en"\n---\n\nAbout us.\n', french), french


def test_problems_stop_generation_with_their_place(content, tmp_path, capsys):
    write(
        content, "committees/test/sessions/01-first.md", SESSION.replace("number: 1", "number: x")
    )
    code = main(["--content", str(content), "generate", "--out", str(tmp_path / "source")])
    assert code == 1
    printed = capsys.readouterr().out
    assert f"{content.as_posix()}/committees/test/sessions/01-first.md:4: 'number' is 'x'" in (
        printed
    )
    assert not (tmp_path / "source").exists()


@pytest.mark.parametrize(
    "rel",
    [
        "calendar.ics",
        "committees/test/calendar.ics",
        "committees/test/sessions/01-first.ics",  # the session's own calendar
        "feed.xml",
        "robots.txt",
        "data/v1/sessions.json",
        "schema/content/session.json",
        "committees/test/sitemap.xml",  # what Material's language menu reads
    ],
)
def test_an_editors_file_where_the_site_makes_one_is_refused(content, tmp_path, capsys, rel):
    """Else one of the two would silently replace the other in the site; other files beside
    them are the editors' to add."""
    (content / rel).parent.mkdir(parents=True, exist_ok=True)
    (content / rel).write_bytes(b"mine")
    (content / "committees/test/minutes.ics").write_bytes(b"an editor's own calendar")
    out = tmp_path / "source"
    code = main(["--content", str(content), "generate", "--out", str(out)])
    assert code == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{content.as_posix()}/{rel}:1: the site makes a file at this address itself (a"
        " calendar, feed, sitemap or open data file); rename or move this one"
    ]
    assert tree(out) == {}  # no file of the site written
    built = build_site(content, tmp_path / "site")
    assert built.returncode == 1
    said = built.stdout + built.stderr
    assert f"content/{rel}:1: the site makes a file at this address itself" in said


@pytest.mark.parametrize(
    "out, message",
    [
        ("elsewhere", "holds files and was not written by civicloop generate"),
        (".", "must not hold each other"),  # the folder holding content/
        ("content/committees", "must not hold each other"),
    ],
)
def test_generation_never_deletes_files_it_did_not_write(content, tmp_path, capsys, out, message):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/notes.txt").write_text("mine")
    before = tree(tmp_path)
    code = main(["--content", str(content), "generate", "--out", str(tmp_path / out)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert tree(tmp_path) == before


SPAWNING = (
    "import threading, multiprocessing, civicloop_mkdocs.jobs as jobs\n"
    "threading.Thread(target=threading.Event().wait, daemon=True).start()  # as under serve\n"
    "context = multiprocessing.get_context\n"
    "def spy(method):\n"
    "    print('second process:', method, flush=True)\n"
    "    return context(method)\n"
    "jobs.multiprocessing.get_context = spy\n"
    "from mkdocs.__main__ import cli\n"
    "cli()\n"
)


def test_a_spawned_second_process_writes_the_same_tree_as_a_forked_one(content, tmp_path):
    forked = build_site(content, tmp_path / "forked")
    assert forked.returncode == 0, forked.stderr
    spawned = build_site(content, tmp_path / "spawned", runner=("-c", SPAWNING))
    assert spawned.returncode == 0, spawned.stderr
    assert "second process: spawn" in spawned.stdout
    for folder in ("source", "artefacts"):
        one = tree(tmp_path / f"forked-project/build/{folder}")
        other = tree(tmp_path / f"spawned-project/build/{folder}")
        assert len(one) > 5
        assert {p: data for p, (data, _) in one.items()} == {p: d for p, (d, _) in other.items()}
    assert os.listdir(tmp_path / "forked") == os.listdir(tmp_path / "spawned")


def test_the_plugin_hands_mkdocs_the_calendars_feeds_and_data_from_beside_its_tree(
    content, tmp_path, capsys
):
    """They are kept out of the tree MkDocs reads (mkdocs-static-i18n would handle each in
    every language's build), they are those of `civicloop generate`'s tree, and they reach the
    site as they are: the default language's at the site's root, another language's in its
    folder; the pages' links to them are checked by the strict build as any."""
    built = build_site(content, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    generate(content, tmp_path / "generated", capsys)
    generated = tree(tmp_path / "generated")
    build = tmp_path / "site-project/build"
    pages = tree(build / "source")
    artefacts = tree(build / "artefacts")
    apart = {p for p in generated if p not in pages and not p.endswith("sitemap.xml")}
    assert set(artefacts) == apart
    assert {"en/calendar.ics", "en/data/v1/sessions.json", "fr/feed.xml"} <= apart
    assert not any(p.endswith((".ics", ".json", "feed.xml")) for p in pages)
    for path, (data, _) in artefacts.items():
        there = path.removeprefix("en/")
        assert (tmp_path / "site" / there).read_bytes() == data, there


REBUILDING = (
    "import gc, sys\n"
    "from mkdocs.commands.build import build\n"
    "from mkdocs.config import load_config\n"
    "config, site = sys.argv[sys.argv.index('-f') + 1], sys.argv[sys.argv.index('-d') + 1]\n"
    "for _ in range(3):  # as `mkdocs serve` rebuilds: a new config and plugin each time\n"
    "    build(load_config(config, site_dir=site))\n"
    "    print('frozen:', gc.get_freeze_count(), flush=True)\n"
)


def test_the_content_is_left_out_of_collections_and_freed_at_the_next_build(tmp_path):
    """Frozen, the content is not walked by the collector during MkDocs' build; each build
    unfreezes and collects the previous one's, so a preview rebuilding for hours holds one
    copy (the sample content: its cycles are what would pile up)."""
    done = build_site(ROOT / "content", tmp_path / "site", runner=("-c", REBUILDING))
    assert done.returncode == 0, done.stderr
    counts = [int(n) for n in re.findall(r"^frozen: (\d+)$", done.stdout, re.M)]
    assert len(counts) == 3 and counts[0] > 10_000
    assert counts[2] - counts[1] < 0.05 * counts[0]  # not a build's content more each time


def test_templates_call_plain_functions_at_once_and_others_as_jinja_does():
    """Pages' templates skip Jinja's check for `pass_context` on plain functions
    (civicloop/pages.py, `_Context`): loops' calls still work, and a function that asks for
    the context still gets it."""
    from jinja2 import pass_context

    from civicloop.pages import _environment

    @pass_context
    def here(context):
        return context["place"]

    template = _environment("en").from_string(
        "{{ add(1) }} {{ here() }}{% for i in [1, 2] %} {{ add(i) }} {{ here() }}{% endfor %}"
    )
    assert template.render(add=lambda n: n + 1, here=here, place="hall") == "2 hall 2 hall 3 hall"
