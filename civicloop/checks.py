"""Checks across files: references, duplicates and links that one file alone cannot show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from civicloop.markup import markup_problems
from civicloop.problems import Problem
from civicloop.text import unsafe_link

if TYPE_CHECKING:
    from civicloop.catalog import Catalog, Entry

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*<?([^\s>]+)")  # [name]: target "title"
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|//)", re.IGNORECASE)
# Files the build writes; editors may link to them.
GENERATED = re.compile(r"^(calendar\.ics|feed\.xml|committees/[^/]+/calendar\.ics|data/v1/.+)$")


def check_catalog(catalog: Catalog) -> Iterator[Problem]:
    yield from _orphan_sessions(catalog)
    yield from _duplicate_urls(catalog)
    yield from _duplicate_numbers(catalog)
    yield from _duplicate_polls(catalog)
    yield from _references(catalog)
    yield from _results(catalog)
    for doc in catalog.docs.values():
        for each in (doc, *doc.translations.values()):
            yield from _links(catalog, each)


def _orphan_sessions(catalog: Catalog) -> Iterator[Problem]:
    for doc in catalog.of("session"):
        if doc.committee not in catalog.committees:
            yield Problem(
                doc.path,
                1,
                f"session of committee '{doc.committee}', but "
                f"committees/{doc.committee}/index.md is missing or invalid",
            )


def _duplicate_urls(catalog: Catalog) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for doc in sorted(catalog.docs.values(), key=lambda d: d.path):
        key = doc.url.lower()
        if key in seen:
            yield Problem(doc.path, 1, f"duplicate slug: {seen[key]} has the same address /{key}")
        else:
            seen[key] = doc.path


def _duplicate_numbers(catalog: Catalog) -> Iterator[Problem]:
    numbers: dict[tuple[str, int], str] = {}
    for doc in sorted(catalog.of("session"), key=lambda d: d.path):
        key = (doc.committee, doc.model.number)
        if key in numbers:
            yield Problem(
                doc.path,
                _field_line(catalog, doc, "number"),
                f"'number' is {doc.model.number}, already used by {numbers[key]}; "
                "give each session of a committee its own number",
            )
        else:
            numbers[key] = doc.path


def _duplicate_polls(catalog: Catalog) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for doc in sorted(catalog.of("session"), key=lambda d: d.path):
        for poll in doc.model.polls:
            if poll.id in seen:
                yield Problem(
                    doc.path,
                    _field_line(catalog, doc, f"id: {poll.id}"),
                    f"duplicate poll id '{poll.id}' (also in {seen[poll.id]}); "
                    "poll ids must be unique across the site",
                )
            else:
                seen[poll.id] = doc.path


def _references(catalog: Catalog) -> Iterator[Problem]:
    studies = catalog.by_slug("case-study")
    for doc in catalog.of("webinar"):
        for slug in doc.model.related:
            if slug not in studies:
                known = ", ".join(sorted(studies)) or "none yet"
                yield Problem(
                    doc.path,
                    _field_line(catalog, doc, slug),
                    f"'related' names case study '{slug}', which does not exist; known: {known}",
                )


def _results(catalog: Catalog) -> Iterator[Problem]:
    polls = {p.id: (doc, p) for doc in catalog.of("session") for p in doc.model.polls}
    for doc in catalog.of("results"):
        model = doc.model
        if doc.slug != model.poll:
            yield Problem(
                doc.path,
                _field_line(catalog, doc, "poll:"),
                f"results of poll '{model.poll}' must be in {model.poll}.md",
            )
        found = polls.get(model.poll)
        if found is None:
            yield Problem(
                doc.path,
                _field_line(catalog, doc, "poll:"),
                f"'poll' is '{model.poll}', which no session defines",
            )
            continue
        session, poll = found
        if session.id != model.session or session.committee != doc.committee:
            yield Problem(
                doc.path,
                _field_line(catalog, doc, "session:"),
                f"'session' is '{model.session}', but poll '{poll.id}' belongs to '{session.id}'",
            )
        if [o.label for o in model.options] != poll.labels:
            yield Problem(
                doc.path,
                _field_line(catalog, doc, "options:"),
                f"the options differ from poll '{poll.id}': {', '.join(poll.labels)}",
            )


def _field_line(catalog: Catalog, doc: Entry, needle: str) -> int:
    """The first line of the file containing `needle`: a cross-file problem's best line."""
    text = (catalog.root / doc.path).read_text(encoding="utf-8-sig").splitlines()
    return next((i + 1 for i, line in enumerate(text) if needle in line), 1)


def body_links(doc: Entry) -> list[tuple[int, str]]:
    """The targets of the links and images in the Markdown body, with their lines."""
    targets: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(doc.body.splitlines(), start=doc.body_line):
        if FENCE.match(line):
            fenced = not fenced
        if not fenced:
            targets.extend((number, m[1]) for m in LINK.finditer(line))
            targets.extend((number, m[1]) for m in REFERENCE.finditer(line))
    return targets


def _links(catalog: Catalog, doc: Entry) -> Iterator[Problem]:
    # None: a front-matter link, line found if broken
    targets: list[tuple[int | None, str]] = [*body_links(doc)]
    yield from markup_problems(doc, [target for _, target in targets])
    if doc.kind == "session" and doc.model:
        for item in doc.model.agenda:
            for document in item.documents:
                targets.append((None, document.url))
    for number, target in targets:
        unsafe = unsafe_link(target)
        if unsafe:
            yield Problem(
                doc.path,
                number or _field_line(catalog, doc, target),
                f"link '{target}' {unsafe}; only https:, http:, mailto: and relative links "
                "are allowed",
            )
            continue
        if EXTERNAL.match(target):
            continue
        number = number or _field_line(catalog, doc, target)
        if target.startswith("/"):
            yield Problem(
                doc.path,
                number,
                f"link '{target}' is absolute; write it relative to this file, "
                "e.g. '../webinars/index.md'",
            )
            continue
        resolved = resolve(doc.path, target)
        if resolved is not None and (catalog.root / resolved).is_dir():
            page = "/".join(p for p in (target.split("#")[0].rstrip("/"), "index.md") if p)
            yield Problem(
                doc.path,
                number,
                f"link '{target}' points to a folder, which the site build does not take; "
                f"link to the page file, e.g. '{page}'",
            )
            continue
        if resolved is None or not _exists(catalog, resolved):
            yield Problem(
                doc.path,
                number,
                f"broken link '{target}': no file content/{resolved or target}; "
                "link to an existing .md file relative to this one",
            )


def resolve(source: str, target: str) -> str | None:
    """The content path a relative link in `source` points to; None if it leaves `content/`."""
    path = PurePosixPath(source).parent / target.split("#")[0].split("?")[0]
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _exists(catalog: Catalog, rel: str) -> bool:
    if GENERATED.match(rel):
        return True
    return (catalog.root / rel).is_file()
