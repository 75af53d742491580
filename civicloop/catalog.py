"""The content once read: one `Entry` per file, and the `Catalog` of them with the relations the
domain has (committees and their sessions, polls and their results). `civicloop.loading` makes
it; `civicloop.types` says what each kind of entry is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from civicloop.problems import Problem

TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")


@dataclass
class Entry:
    """One content file: its typed front matter, its body and its translations."""

    path: str  # relative to the content folder, with '/'
    kind: str | None
    model: Any  # a content type's model, or None for a plain page
    body: str
    body_line: int
    translations: dict[str, Entry] = field(default_factory=dict)
    id: str = ""  # stable identifier in open data and messages, given by its type

    @property
    def slug(self) -> str:
        p = PurePosixPath(self.path)
        return p.parent.name if p.name == "index.md" else p.stem

    @property
    def url(self) -> str:
        return page_url(self.path)

    @property
    def committee(self) -> str:
        return self.path.split("/")[1]  # asked on every page for many documents: no PurePath

    def localized(self, lang: str) -> Any:
        """The model with the fields a translation gives for `lang` put in."""
        other = self.translations.get(lang)
        return other.model if other else self.model


@dataclass
class Catalog:
    """All documents, each kind in its type's order (sorted once by the loader, not for each of
    many pages), with the domain's relations built on first use."""

    root: Path
    docs: dict[str, Entry]  # by path
    problems: list[Problem]
    ordered: dict[str, list[Entry]] = field(default_factory=dict)  # by kind, in its type's order
    listed: dict[str, list[Entry]] = field(default_factory=dict)  # what listing pages show

    @cached_property
    def _kinds(self) -> dict[str | None, list[Entry]]:
        kinds: dict[str | None, list[Entry]] = {}
        for doc in self.docs.values():
            kinds.setdefault(doc.kind, []).append(doc)
        return kinds

    def of(self, kind: str) -> list[Entry]:
        """The entries of `kind`, by path."""
        return self._kinds.get(kind, [])

    def by_slug(self, kind: str) -> dict[str, Entry]:
        return {d.slug: d for d in self.of(kind)}

    @cached_property
    def committees(self) -> dict[str, Entry]:
        return self.by_slug("committee")

    @property
    def sessions(self) -> list[Entry]:
        """Every session, earliest first."""
        return self.ordered.get("session", [])

    @cached_property
    def _sessions_by_committee(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for doc in self.sessions:
            grouped.setdefault(doc.committee, []).append(doc)
        return grouped

    def sessions_of(self, committee: str) -> list[Entry]:
        return self._sessions_by_committee.get(committee, [])

    def committee_of(self, session: Entry) -> Any:
        """The committee model of an entry in `committees/<slug>/`."""
        return self.docs[f"committees/{session.committee}/index.md"].model

    @cached_property
    def _results(self) -> dict[str, Entry]:
        return {d.model.poll: d for d in self.of("results")}

    def results_of(self, poll_id: str) -> Entry | None:
        return self._results.get(poll_id)


@cache  # asked for each link to a page, from many pages
def page_url(path: str) -> str:
    """The URL, relative to the site root, that MkDocs gives the page at `path`."""
    p = PurePosixPath(path)
    if p.name == "index.md":
        return "" if str(p.parent) == "." else f"{p.parent}/"
    return f"{p.parent / p.stem}/".removeprefix("./")


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
