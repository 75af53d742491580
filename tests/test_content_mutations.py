"""The sample content with random edits (seeded: each case the same on every run), as an editor
making typos or an attacker would: reading never raises, every problem is one `path:line:`
line, and content without problems renders every page, anchor and artefact the build makes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from civicloop import LANGUAGES
from civicloop.anchors import anchor_problems
from civicloop.artefacts import artefacts
from civicloop.loading import load
from civicloop.pages import render
from civicloop.sitecontext import SiteContext, current_time

PIECES = [
    "&a ", "*a", "!!str ", "!!binary ", "<<: ", "\x00", "\x0c", "\x85", "\ufeff", "\u2028", "[",
    "{", "]", "}", ": ", "- ", "? ", "#", "'", '"', "\\", "\\0", "\n", "\t", "  ", "yes", "null",
    "~", "1e9", "-1", "0", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
    "2026-02-30T10:00:00+01:00", "99999999999999999999", "true", "javascript:alert(1)",
    "<script>", "<img src=x onerror=alert(1)>", "{: onclick=x}", "../", "#x", "😀", "---\n",
    "type: listing\n", "type: session\n", "Europe/Nowhere", "\udcff",
]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> bytes:
    pos = rng.randrange(len(data) + 1)
    piece = rng.choice(PIECES).encode("utf-8", "surrogateescape")
    choice = rng.random()
    if choice < 0.4:
        return data[:pos] + piece + data[pos:]
    if choice < 0.6:
        return data[:pos] + data[pos + rng.randint(1, 40) :]
    if choice < 0.8:  # a value replaced
        lines = data.split(b"\n")
        n = rng.randrange(len(lines))
        if b": " in lines[n]:
            lines[n] = lines[n].split(b": ")[0] + b": " + piece
        return b"\n".join(lines)
    return data[:pos] + bytes([rng.randrange(256)]) + data[pos:]


@pytest.mark.parametrize("seed", range(40))
def test_edited_content_is_problems_or_a_site(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    files = sorted(content.rglob("*.md"))
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(files)
        path.write_bytes(mutate(path.read_bytes(), rng))
    catalog = load(content)
    for problem in catalog.problems:
        assert problem.line >= 1 and len(str(problem).splitlines()) == 1, problem
        assert (content / problem.path).exists() or "\\" in problem.path, problem
    if catalog.problems:
        return
    site = SiteContext(catalog, "http://127.0.0.1:8000/", current_time())
    list(anchor_problems(site))
    for doc in catalog.docs.values():
        for lang in LANGUAGES:
            if doc.kind:
                render(site, doc, lang, doc.translations.get(lang, doc).body)
    artefacts(site, "civicloop")
