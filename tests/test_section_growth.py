"""No page section grows with the site.

A search index is cut into sections (the text between two headings); Zensical's refuses a
section over 32,768 characters and stops the build, so a page listing every session in one
section breaks the site once the archive is large enough, whatever generator builds it. Checked
on the generated tree (`civicloop generate`) of the benchmark's synthetic content at 1x and 4x.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import site_build  # noqa: E402  (bench/site_build.py: the synthetic content)

HEADING = re.compile(r"(?m)^#{1,6}[ \t]")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
COMMITTEES, SESSIONS, FACTOR = 8, 10, 4
GROWTH_LIMIT = 1.1
# Pages known to grow, by their path in a language's folder: checked apart, as expected failures.
GROWING = {"index.md": "the home page lists every committee in one section (listing-home.md)"}


def longest_section(tree: Path, only: set[str] | None = None) -> tuple[int, str]:
    """The length of the longest section of any page of the tree (or of the pages `only`
    names, in any language), and where it is."""
    best = (0, "")
    for page in sorted(tree.rglob("*.md")):
        if only is not None and page.relative_to(tree).as_posix().split("/", 1)[1] not in only:
            continue
        text = FRONT_MATTER.sub("", page.read_text(encoding="utf-8"), count=1)
        for section in HEADING.split(text):
            section = section.strip()
            heading = section.splitlines()[0] if section else ""
            best = max(best, (len(section), f"{page.relative_to(tree)}: {heading[:60]}"))
    return best


def generated(tmp: Path, committees: int) -> Path:
    content, tree = tmp / f"content-{committees}", tmp / f"tree-{committees}"
    site_build.generate(content, committees, SESSIONS)
    command = [sys.executable, "-m", "civicloop.cli", "--content", str(content)]
    command += ["generate", "--out", str(tree), "--site-url", "https://example.org/"]
    env = {"CIVICLOOP_NOW": NOW, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return tree


def test_longest_section_finds_the_longest(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: x\n---\nintro\n\n## One\n\nshort\n")
    (tmp_path / "b.md").write_text("## Two\n\n" + "word " * 50 + "\n## Three\n\nx\n")
    length, where = longest_section(tmp_path)
    assert (length, where) == (len("Two\n\n" + "word " * 50) - 1, "b.md: Two")


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("growth")
    return generated(tmp, COMMITTEES), generated(tmp, COMMITTEES * FACTOR)


def check_growth(trees: tuple[Path, Path], only: set[str] | None = None) -> None:
    small, small_at = longest_section(trees[0], only)
    large, large_at = longest_section(trees[1], only)
    assert large <= GROWTH_LIMIT * small, (
        f"the longest section grows {large / small:.2f}x for {FACTOR}x the content "
        f"(limit {GROWTH_LIMIT}x): {small} characters at 1x ({small_at}), "
        f"{large} at {FACTOR}x ({large_at})"
    )


@pytest.mark.timeout(600)
def test_no_page_section_grows_with_the_content(trees: tuple[Path, Path]) -> None:
    pages = {p.relative_to(trees[0] / "en").as_posix() for p in (trees[0] / "en").rglob("*.md")}
    check_growth(trees, pages - set(GROWING))


@pytest.mark.xfail(strict=True, reason="; ".join(GROWING.values()))
def test_the_known_growing_pages_still_grow(trees: tuple[Path, Path]) -> None:
    check_growth(trees, set(GROWING))
