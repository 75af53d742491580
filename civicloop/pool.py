"""The private pool of volunteers: read from a CSV file that never enters git or the content,
and turned into keyed pseudonyms and categories before anything else sees it.

A volunteer's pseudonym is HMAC-SHA256(key, committee, reference), cut to 16 hex digits: without
the organiser's key nobody can tell whose it is, or link two committees' draws. Problems name the
pool's row and column, never what a cell holds: a person's data stays out of terminals and logs.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import secrets
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from civicloop.draw import Draw, digest
from civicloop.lottery import HOUSEHOLD

KEY_ENV = "CIVICLOOP_DRAW_KEY"
MIN_KEY = 32  # characters: a key from `civicloop draw key` has 64
MIN_GROUP = 5  # published counts of fewer volunteers are suppressed


class PoolError(ValueError):
    """The pool or the key cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Pool:
    people: list[dict[str, str]]  # "id" (pseudonym), one key per criterion, maybe HOUSEHOLD
    rows: dict[str, int]  # pseudonym -> row in the CSV file, for the organiser's own list

    @property
    def digest(self) -> str:
        return digest(self.people)

    def counts(self, draw: Draw, ids: set[str] | None = None) -> dict[str, dict[str, int]]:
        """People per criterion and category (of `ids` only, if given)."""
        chosen = [p for p in self.people if ids is None or p["id"] in ids]
        counts = {}
        for criterion in draw.criteria:
            seen = Counter(p[criterion.name] for p in chosen)
            counts[criterion.name] = {c.value: seen[c.value] for c in criterion.categories}
        return counts

    def by_id(self) -> dict[str, dict[str, str]]:
        return {p["id"]: p for p in self.people}


def ensure_private(path: Path, content: Path, what: str = "the pool") -> None:
    """Refuse a file that is, or may end up, published: inside the content, tracked by git, or
    inside a git work tree without being ignored (one `git add -A` would commit it). An ignored
    file inside a work tree is accepted: git will not take it unless forced."""
    path = path.resolve()
    if path.is_relative_to(content.resolve()):
        raise PoolError(f"{what} {path} is inside the content folder, which is published; move it")
    folder = path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return
    if _git(folder, "ls-files", "--error-unmatch", path.name) is not None:
        raise PoolError(
            f"{what} {path} is tracked by git, so it is (or will be) published; "
            f"run `git rm --cached` on it, then move it outside the repository"
        )
    if _git(folder, "check-ignore", "-q", path.name) is None:
        raise PoolError(
            f"{what} {path} is inside the git work tree {top.strip()} and not ignored, so "
            f"`git add -A` would publish it; move it outside the repository (or ignore it)"
        )


def _git(folder: Path, *args: str) -> str | None:
    """git's output, or None when it fails (not a repository, not tracked, not ignored)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:  # no git: nothing can be tracked
        return None
    return done.stdout if done.returncode == 0 else None


def load_key(key_file: Path | None, content: Path) -> bytes:
    """The organiser's key: from `key_file`, else from the CIVICLOOP_DRAW_KEY variable."""
    if key_file is not None:
        ensure_private(key_file, content, "the key file")
        try:
            text = key_file.read_text(encoding="utf-8", errors="surrogateescape").strip()
        except OSError as error:
            raise PoolError(f"cannot read the key file {key_file}: {error.strerror}") from None
    else:
        text = os.environ.get(KEY_ENV, "").strip()
        if not text:
            raise PoolError(
                f"no key: give --key FILE or set {KEY_ENV}; make one with `civicloop draw key FILE`"
            )
    if len(text) < MIN_KEY:
        raise PoolError(f"the key is {len(text)} characters; use at least {MIN_KEY}")
    return text.encode("utf-8", "surrogateescape")  # bytes that are not text, as they are


def new_key(path: Path, content: Path) -> None:
    """Write a fresh random key, readable by its owner only."""
    ensure_private(path, content, "the key file")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def pseudonym(key: bytes, committee: str, reference: str) -> str:
    message = f"civicloop-draw\x00{committee}\x00{reference}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def read_pool(path: Path, draw: Draw, key: bytes, committee: str, content: Path) -> Pool:
    """The pool as pseudonyms and categories; every problem is listed, with its row."""
    ensure_private(path, content)
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            table = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PoolError(f"cannot read the pool {path}: {error}") from None
    wanted = [draw.pool.id, *draw.pool.household, *(c.column for c in draw.criteria)]
    missing = [c for c in dict.fromkeys(wanted) if c not in header]
    if missing:
        raise PoolError(
            f"{path}:1: no column {', '.join(map(repr, missing))}; the draw file maps "
            f"columns by their header, and this file has {len(header)} columns"
        )
    problems: list[str] = []
    people: list[dict[str, str]] = []
    rows: dict[str, int] = {}
    first: dict[str, int] = {}
    household = draw.pool.household
    for number, row in enumerate(table, start=2):
        reference = (row.get(draw.pool.id) or "").strip()
        if not reference:
            problems.append(f"{path}:{number}: the column {draw.pool.id!r} is empty")
            continue
        if reference in first:
            problems.append(
                f"{path}:{number}: the same {draw.pool.id!r} as row {first[reference]}; "
                f"each volunteer once"
            )
            continue
        first[reference] = number
        person = {"id": pseudonym(key, committee, reference)}
        for criterion in draw.criteria:
            value = (row.get(criterion.column) or "").strip()
            allowed = [c.value for c in criterion.categories]
            if value not in allowed:
                problems.append(
                    f"{path}:{number}: the column {criterion.column!r} holds none of the "
                    f"categories of '{criterion.name}' ({', '.join(allowed)})"
                )
            person[criterion.name] = value
        if draw.pool.household:
            home = "\x00".join(" ".join((row[c] or "").lower().split()) for c in household)
            person[HOUSEHOLD] = hmac.new(key, f"home\x00{home}".encode(), "sha256").hexdigest()[:16]
        people.append(person)
        rows[person["id"]] = number
    if problems:
        raise PoolError("\n".join(problems))
    if len(rows) != len(people):
        raise PoolError("two references gave the same pseudonym; change one reference")
    people.sort(key=lambda p: p["id"])
    return Pool(people, rows)


def published_counts(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int | None]]:
    """Counts of the pool fit to publish: groups of 1 to MIN_GROUP - 1 people become None, and
    with one hidden, the next smallest too (the pool's size would give it away otherwise)."""
    shown: dict[str, dict[str, int | None]] = {}
    for name, categories in counts.items():
        hidden = {v for v, n in categories.items() if 0 < n < MIN_GROUP}
        if len(hidden) == 1:
            rest = sorted((n, v) for v, n in categories.items() if v not in hidden)
            hidden.add(rest[0][1])
        shown[name] = {v: None if v in hidden else n for v, n in categories.items()}
    return shown
