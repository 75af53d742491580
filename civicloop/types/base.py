"""What a content type is: everything loading, checks, pages, the feed, `civicloop new` and the
JSON Schemas need of it, so that a new type is one module (plus its template and labels)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

import yaml

from civicloop.catalog import Catalog, Entry
from civicloop.history import Revision
from civicloop.organisation import Contact
from civicloop.plaintext import first_paragraph, lead
from civicloop.problems import Problem
from civicloop.subscriptions import Subscription

TODO = "To be announced"
_HOLE = re.compile(r"<[^>]+>")


class Site(Protocol):
    """What a page's context may ask of the site (a `civicloop.sitecontext.SiteContext`; named
    here so that the types do not import what loads them)."""

    catalog: Catalog
    bot: str | None  # the bot's username, for "Follow on Telegram" links; None: no such links
    now: datetime  # the build's moment ("next sessions", deadlines)
    base_url: str
    statuses: dict[str, list[tuple[datetime, str]]]  # each file's `status:` changes, from git
    contact: Contact | None  # the organisation's contact address; None: not configured

    def absolute(self, url: str) -> str: ...

    def revision(self, doc: Entry) -> Revision: ...

    def upcoming(self, committee: str | None = None) -> list[Entry]: ...

    def calendar_url(self, committee: str | None = None) -> str: ...

    def session_calendar_url(self, session: Entry) -> str: ...

    def subscription(self, committee: str | None, name: str) -> Subscription: ...


@dataclass(frozen=True)
class Place:
    """Where a type's files live; a file there must be of that type."""

    pattern: re.Pattern[str]  # relative to content/, '/'-separated
    where: str  # for editors: "committees/<slug>/sessions/<file>.md"

    def path(self, *parts: str) -> str:
        """`where` with its `<…>` holes filled in order: the path of one file of this type."""
        values = iter(parts)
        return _HOLE.sub(lambda _: next(values), self.where)


@dataclass(frozen=True)
class FeedEntry:
    """A page's entry in the feed of one language: its title and a summary in words."""

    title: str
    summary: str
    sample: bool = False  # sample data: the feed marks it so
    # when the entry last changed, if not when its file did (a deadline passed since)
    updated: datetime | None = None


@dataclass(frozen=True)
class Argument:
    """One argument of `civicloop new <type>`: `add_argument(*flags, **options)`."""

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skeleton:
    """`civicloop new <type>`: its arguments, and what it writes (content folder + parsed
    arguments -> path, front matter, body); `write_skeleton` checks and writes it."""

    arguments: tuple[Argument, ...]
    make: Callable[[Path, argparse.Namespace], tuple[Path, dict[str, Any], str]]


@dataclass(frozen=True)
class PageInput:
    """What a page's context function gets: the site, the entry shown and the language."""

    site: Site
    entry: Entry
    lang: str


def _nothing(page: PageInput) -> Mapping[str, Any]:
    return {}


def lead_of(page: PageInput) -> str:
    """The first paragraph of the page's body in its language: its description by default."""
    return lead(page.entry.translations.get(page.lang, page.entry).body)


def _no_checks(catalog: Catalog) -> Iterator[Problem]:
    return iter(())


def _no_links(entry: Entry) -> Iterable[str]:
    return ()


def _no_names(site: Site, lang: str) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class ContentType:
    name: str  # front matter `type:`, template stem, schema name
    model: type
    position: int  # registry order: messages, schemas, `validate`'s summary
    translatable: frozenset[str]  # what `*.<lang>.md` may set (besides `type`)
    place: Place | None = None  # None: anywhere (listing)
    # one and several, as `civicloop validate`'s summary counts it ("1 webinar"); None: not
    counted: tuple[str, str] | None = None
    listed_as: str | None = None  # template variable of the sorted list, e.g. "webinars"
    order: Callable[[Entry], Any] = attrgetter("path")
    newest_first: bool = False
    in_committee: bool = False  # dates shown in the committee's time zone
    ident: Callable[[Entry], str] = attrgetter("slug")  # stable id in open data and messages
    template: Callable[[Entry], str] | None = None  # default: name + ".md"
    context: Callable[[PageInput], Mapping[str, Any]] = _nothing
    feed: Callable[[PageInput], FeedEntry] | None = None  # None: not in the feed
    # the page in a sentence or two, in its language: meta description, link previews
    describe: Callable[[PageInput], str] = lead_of
    skeleton: Skeleton | None = None  # None: no `civicloop new`
    checks: Callable[[Catalog], Iterator[Problem]] = _no_checks  # across files
    links: Callable[[Entry], Iterable[str]] = _no_links  # front-matter links to check
    # names every template gets (functions, so that a page pays only for what it calls), such
    # as a summary another type's page includes
    names: Callable[[Site, str], Mapping[str, Any]] = _no_names
    # calendar events (icalendar components) an entry adds to its committee's calendar
    events: Callable[[Site, Entry], Iterable[Any]] | None = None

    def template_name(self, entry: Entry) -> str:
        return self.template(entry) if self.template else f"{self.name}.md"

    def sort(self, entries: list[Entry]) -> list[Entry]:
        return sorted(entries, key=self.order, reverse=self.newest_first)


def titled(page: PageInput) -> FeedEntry:
    """A feed entry of the page's title and summary, in its language."""
    model = page.entry.localized(page.lang)
    return FeedEntry(model.title, model.summary)


def summarised(page: PageInput) -> str:
    """The first paragraph of the page's `summary` (text, not Markdown): its description."""
    return first_paragraph(page.entry.localized(page.lang).summary)


def field_line(catalog: Catalog, entry: Entry, needle: str) -> int:
    """The first line of the file containing `needle`: a cross-file problem's best line."""
    text = (catalog.root / entry.path).read_text(encoding="utf-8-sig").splitlines()
    return next((i + 1 for i, line in enumerate(text) if needle in line), 1)


def aware_datetime(text: str) -> datetime:
    """A command-line date and time, which must say its UTC offset."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs a UTC offset, e.g. 2026-12-01T18:00+01:00"
        )
    return value


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"


def write_skeleton(kind: ContentType, path: Path, meta: dict[str, Any], body: str) -> Path:
    """Write a new file of `kind`, valid as written, for editors to fill in."""
    if path.exists():
        raise ValueError(f"{path} exists already; choose another name")
    if not re.fullmatch(r"[a-z0-9-]+", path.parent.name if path.name == "index.md" else path.stem):
        raise ValueError(f"'{path.stem}' is not a slug: use lowercase letters, digits and '-'")
    kind.model.model_validate(meta)  # a skeleton that fails here is our bug
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")
    return path
