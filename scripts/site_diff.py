"""Compare the site built by a base git ref with the site built by the working tree.

A refactoring must leave the published site as it was: every HTML page, calendar, feed and data
file. Each side is built by its own code and mkdocs.yml, on the same content, at the same pinned
moment, so whatever differs comes from the code:

    .venv/bin/python scripts/site_diff.py origin/main [--content DIR] [--keep DIR]

Differences that are intended are listed in tests/site_diff_allowed.txt (`glob  reason`); the
exit status is 1 when any other difference is found, 0 otherwise, 2 when the sites could not
be compared (an unknown ref, a failed build).
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = ROOT / "tests" / "site_diff_allowed.txt"
SHOWN = 20  # diff lines shown per differing file
PINNED = {  # the same moment, address and timestamps for both builds, unless set already
    "CIVICLOOP_NOW": "2026-11-27T12:00:00+00:00",
    "CIVICLOOP_SITE_URL": "http://127.0.0.1:8000/",
    "SOURCE_DATE_EPOCH": "1795780800",
}
VERBATIM = {"pre", "textarea", "script", "style"}  # elements whose whitespace is their content
SPACES = re.compile(r"\s+")


def fail(message: str) -> NoReturn:
    """Stop with status 2: the sites could not be compared."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


@dataclass(frozen=True)
class Allowance:
    glob: str
    reason: str
    where: str  # file:line, for the report


def read_allowed(path: Path) -> list[Allowance]:
    """`glob  reason` lines (fnmatch: `*` also matches `/`); blank and `#` lines are skipped."""
    allowed = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        glob, *reason = line.split(None, 1)
        if not reason:
            fail(f"{path}:{number}: '{glob}' has no reason; write it after the glob")
        allowed.append(Allowance(glob, reason[0].strip(), f"{path.name}:{number}"))
    return allowed


# -- what counts as the same file ---------------------------------------------------------------


def html_lines(data: bytes) -> list[str]:
    """The page as one node per line: attributes sorted, whitespace collapsed outside <pre>,
    <textarea>, <script> and <style>, whitespace-only text left out."""
    lines: list[str] = []

    def walk(node: Tag, depth: int, verbatim: bool) -> None:
        for child in node.children:
            pad = "  " * depth
            if isinstance(child, Tag):
                attrs = "".join(
                    f" {k}={' '.join(v) if isinstance(v, list) else v!r}"
                    for k, v in sorted(child.attrs.items())
                )
                lines.append(f"{pad}<{child.name}{attrs}>")
                walk(child, depth + 1, verbatim or child.name in VERBATIM)
                lines.append(f"{pad}</{child.name}>")
            elif isinstance(child, NavigableString):
                text = str(child) if verbatim else SPACES.sub(" ", str(child))
                if not verbatim and not text.strip():
                    continue
                if isinstance(child, Doctype):
                    text = f"<!DOCTYPE {text}>"
                elif isinstance(child, Comment):
                    text = f"<!--{text}-->"
                lines.extend(pad + repr(part) for part in text.splitlines(keepends=True))

    walk(BeautifulSoup(data.decode("utf-8"), "html.parser"), 0, False)
    return lines


def json_lines(data: bytes) -> list[str]:
    return json.dumps(json.loads(data), indent=1, sort_keys=True, ensure_ascii=False).splitlines()


def search_lines(data: bytes) -> list[str]:
    """The search index as its config and its entries in any order (a repeated entry counts:
    site/i18n_search.py is there to remove them), one entry per line."""
    index = json.loads(data)
    docs = sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in index.pop("docs"))
    return [json.dumps(index, sort_keys=True), *docs]


def text_lines(data: bytes) -> list[str]:
    """Bytes as lines (line ends kept, so CRLF against LF shows); a binary file in hex."""
    try:
        return [repr(line) for line in data.decode("utf-8").splitlines(keepends=True)]
    except UnicodeDecodeError:
        return [f"{len(data)} bytes", *(data[i : i + 16].hex(" ") for i in range(0, len(data), 16))]


def normal_form(rel: str, data: bytes) -> tuple[object, Callable[[], list[str]]]:
    """What is compared for this file, and the lines a difference is shown with."""
    name = rel.rsplit("/", 1)[-1]
    if name.endswith(".gz"):
        data = gzip.decompress(data)
        name = name.removesuffix(".gz")
    if name.endswith(".html"):
        lines = html_lines(data)
        return lines, lambda: lines
    if name == "search_index.json":
        lines = search_lines(data)
        return lines, lambda: lines
    if name.endswith(".json"):
        return json.loads(data), lambda: json_lines(data)
    return data, lambda: text_lines(data)


def files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def compare(base: Path, new: Path, allowed: list[Allowance]) -> tuple[list[str], int]:
    """The report comparing two built sites, and the exit status (1: a difference not allowed)."""
    old_files, new_files = files(base), files(new)
    report: list[str] = []
    used: set[Allowance] = set()
    failed = False

    def note(rel: str, what: str, details: list[str]) -> None:
        nonlocal failed
        allowance = next((a for a in allowed if fnmatch.fnmatchcase(rel, a.glob)), None)
        if allowance is None:
            failed = True
            report.append(f"{what}: {rel}")
        else:
            used.add(allowance)
            report.append(f"{what} (allowed, {allowance.where}: {allowance.reason}): {rel}")
        report.extend(details)

    for rel in sorted(old_files - new_files):
        note(rel, "only in base", [])
    for rel in sorted(new_files - old_files):
        note(rel, "only in new", [])
    same = 0
    for rel in sorted(old_files & new_files):
        old, now = (base / rel).read_bytes(), (new / rel).read_bytes()
        if old != now:  # the same bytes need no parsing
            (a, a_lines), (b, b_lines) = normal_form(rel, old), normal_form(rel, now)
            if a != b:
                diff = difflib.unified_diff(
                    a_lines(), b_lines(), f"base/{rel}", f"new/{rel}", lineterm=""
                )
                note(rel, "differs", [f"    {line}" for line in list(diff)[:SHOWN]])
                continue
        same += 1
    for allowance in allowed:
        if allowance not in used:
            report.append(f"unused allowance ({allowance.where}): {allowance.glob}")
    if same == len(old_files | new_files):
        report.append(f"identical: {same} files")
    else:
        report.append(f"{same} of {len(old_files | new_files)} files identical")
    return report, int(failed)


# -- building both sides ------------------------------------------------------------------------


def project(checkout: Path, content: Path, folder: Path) -> Path:
    """`checkout` seen through `folder`: its files, with `content` as its content/ and a build/
    of its own, so neither the checkout nor the content is written to. The entry points its
    pyproject.toml declares (MkDocs finds plugins by them) shadow those installed in the venv."""
    folder.mkdir(parents=True)
    for entry in checkout.iterdir():
        if entry.name not in {"content", "build", "mkdocs.yml"} and entry.suffix != ".egg-info":
            (folder / entry.name).symlink_to(entry)
    shutil.copy(checkout / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "content").symlink_to(content.resolve())
    meta = tomllib.loads((checkout / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = folder / f"{meta['name']}-{meta['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\n")
    groups = meta.get("entry-points", {})
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
            for group, points in groups.items()
        )
    )
    return folder


def build(folder: Path, out: Path) -> float:
    """`mkdocs build --strict` in `folder` with its own code first on the path; seconds taken."""
    paths = [str(folder), str(folder / "site"), os.environ.get("PYTHONPATH", "")]
    env = {
        **PINNED,
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
    }
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)]
    started = time.monotonic()
    result = subprocess.run(mkdocs, cwd=folder, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.splitlines()[-30:])
        fail(f"site_diff: the build in {folder} failed:\n{tail}")
    return time.monotonic() - started


def git(*args: str) -> None:
    subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the git ref to compare the working tree with")
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="content folder")
    parser.add_argument("--keep", type=Path, help="keep both built sites in DIR/base, DIR/new")
    args = parser.parse_args(argv)
    allowed = read_allowed(ALLOWED)
    with tempfile.TemporaryDirectory(prefix="site-diff-") as tmp:
        work = Path(tmp)
        sites = args.keep.resolve() if args.keep else work / "sites"
        if args.keep:
            shutil.rmtree(sites / "base", ignore_errors=True)
            shutil.rmtree(sites / "new", ignore_errors=True)
        checkout = work / "checkout"
        try:
            git("worktree", "add", "--detach", str(checkout), args.base)
        except subprocess.CalledProcessError as error:
            fail(f"site_diff: git worktree add {args.base}: {error.stderr.strip()}")
        try:
            took = build(project(checkout, args.content, work / "base"), sites / "base")
        finally:
            git("worktree", "remove", "--force", str(checkout))
        took_new = build(project(ROOT, args.content, work / "new"), sites / "new")
        print(f"built {args.base} in {took:.1f} s, the working tree in {took_new:.1f} s")
        report, status = compare(sites / "base", sites / "new", allowed)
    print("\n".join(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
