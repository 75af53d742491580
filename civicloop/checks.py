"""Checks across files that every entry gets (duplicate addresses, links); each type adds its
own (`ContentType.checks`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from civicloop.catalog import Catalog, Entry, resolve
from civicloop.markup import markup_problems
from civicloop.problems import Problem
from civicloop.text import unsafe_link
from civicloop.types import TYPES
from civicloop.types.base import field_line

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*<?([^\s>]+)")  # [name]: target "title"
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|//)", re.IGNORECASE)
# Files the build writes; editors may link to them.
GENERATED = re.compile(r"^(calendar\.ics|feed\.xml|committees/[^/]+/calendar\.ics|data/v1/.+)$")


def check_catalog(catalog: Catalog) -> Iterator[Problem]:
    """The checks every entry gets, then each type's own."""
    yield from _duplicate_urls(catalog)
    for doc in catalog.docs.values():
        for each in (doc, *doc.translations.values()):
            yield from _links(catalog, each)
    for kind in TYPES.values():
        yield from kind.checks(catalog)


def _duplicate_urls(catalog: Catalog) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for doc in sorted(catalog.docs.values(), key=lambda d: d.path):
        key = doc.url.lower()
        if key in seen:
            yield Problem(doc.path, 1, f"duplicate slug: {seen[key]} has the same address /{key}")
        else:
            seen[key] = doc.path


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
    if doc.kind:
        targets.extend((None, url) for url in TYPES[doc.kind].links(doc))
    for number, target in targets:
        unsafe = unsafe_link(target)
        if unsafe:
            yield Problem(
                doc.path,
                number or field_line(catalog, doc, target),
                f"link '{target}' {unsafe}; only https:, http:, mailto: and relative links "
                "are allowed",
            )
            continue
        if EXTERNAL.match(target):
            continue
        number = number or field_line(catalog, doc, target)
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


def _exists(catalog: Catalog, rel: str) -> bool:
    if GENERATED.match(rel):
        return True
    return (catalog.root / rel).is_file()
