"""What a page says: Markdown made from a document's front matter by its type's template.

MkDocs then renders that Markdown like any other, so search, the table of contents and link
checking see generated text exactly as they see what editors wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache, lru_cache
from types import FunctionType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Context

from civicloop.catalog import Entry
from civicloop.escaping import (
    Markdown,
    checked_url,
    html_text,
    markdown_link,
    markdown_paragraphs,
    markdown_text,
)
from civicloop.labels import translator
from civicloop.languages import CODES
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES
from civicloop.types.base import PageInput
from civicloop.when import locale as _locale
from civicloop.when import session_time


def _inert(value: object) -> str:
    """What every `{{ ... }}` prints: text shown as written, unless it is Markdown we made."""
    return value if isinstance(value, Markdown) else markdown_text(str(value))


class _Labels(Extension):
    """`t("Agenda")`, a label with nothing to fill in, replaced by its text in the environment's
    language when a template is compiled: a session's page holds about 50, each a call at every
    render otherwise. Other calls (`t(m.status)`, `t("…{n}…", n=…)`) stay calls of the `t` the
    page is given, which says the same. No template may name anything else `t`."""

    def filter_stream(self, stream: TokenStream) -> list[Token]:
        t = translator(self.environment.civicloop_lang)  # type: ignore[attr-defined]
        tokens = list(stream)
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            name, *rest = tokens[i : i + 4]
            if (
                name.test("name:t")
                and [token.type for token in rest] == ["lparen", "string", "rparen"]
                and not (out and out[-1].type == "dot")
            ):
                out.append(Token(name.lineno, "string", t(rest[1].value)))
                i += 4
            else:
                out.append(name)
                i += 1
        return out


class _Context(Context):
    """At each call in a template (130,000 a build at 1x) Jinja looks whether the callable
    asks for the context or the environment (`pass_context`...): the functions pages are
    given are plain, so a plain function is called at once; anything else goes Jinja's way."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # Jinja's names
        if type(__obj) is FunctionType and not hasattr(__obj, "jinja_pass_arg"):
            kwargs.pop("_loop_vars", None)  # what Jinja passes for `pass_context` alone
            kwargs.pop("_block_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


class _Environment(Environment):
    context_class = _Context


@cache
def _environment(lang: str) -> Environment:
    environment = _Environment(
        loader=PackageLoader("civicloop", "templates"),
        autoescape=False,  # the output is Markdown, escaped by `finalize`
        finalize=_inert,  # no template can forget it; links are made by `a(text, url)`
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        auto_reload=False,  # templates are package data: no stat() of them for every page
        cache_size=-1,  # a plain dict of the package's few templates, not an LRU with a lock
        extensions=[_Labels],
    )
    environment.extend(civicloop_lang=lang)
    return environment


def prepare() -> None:
    """Compile every template in each language and read each language's calendar data now,
    once: processes forked after this (the build's other writers) find them made instead of
    making them again."""
    for lang in CODES:
        environment = _environment(lang)
        for name in environment.list_templates():
            environment.get_template(name)
        _locale(lang).datetime_formats  # noqa: B018  (Babel reads the locale's data on use)


def render(site: SiteContext, doc: Entry, lang: str, body: str) -> str:
    """The page's Markdown in `lang`: generated text around the editor's `body`."""
    kind = TYPES[doc.kind]
    t = translator(lang)
    catalog = site.catalog
    in_committee = kind.in_committee and doc.committee in catalog.committees
    tz = ZoneInfo(catalog.committee_of(doc).timezone) if in_committee else None

    def local(other: Entry):
        return other.localized(lang)

    def moment(value: datetime, date_only: bool = False) -> str:
        """A date in the committee's time zone when there is one, else as the editor wrote it."""
        return _moment(value, date_only, tz or value.tzinfo, lang)

    def when(session: Entry, short: bool = False) -> str:
        """Its date and time, or the part of them its sources give, said in words."""
        return session_time(session.model, catalog.committee_of(session).timezone, lang, short)

    def video(url: object) -> Markdown:
        return video_facade(str(url), t)

    context = {
        "doc": doc,
        "m": doc.localized(lang),
        "body": Markdown(body),  # the editor's Markdown
        "t": t,
        "lang": lang,
        "tz": tz,
        "local": local,
        "moment": moment,
        "when": when,
        "video": video,
        "link": link,
        "a": markdown_link,
        "paragraphs": markdown_paragraphs,
        "committee_doc": lambda s: catalog.committees[s.committee],
        "committee_doc_by_slug": lambda slug: catalog.committees[slug],
        "catalog": catalog,
        **catalog.listed,
        **{name: f for t in TYPES.values() for name, f in t.names(site, lang).items()},
        "upcoming": [],
        "past": [],
        **kind.context(PageInput(site, doc, lang)),
    }
    text = _environment(lang).get_template(kind.template_name(doc)).render(context)
    return BLANK_LINES.sub("\n\n", text).strip() + "\n"


# Dates are formatted again and again (a session's on its page, its committee's, the calendar
# and home listings, in each language): each once per build. Babel gets a Locale, not its name,
# which it would parse at every call.


@lru_cache(maxsize=65536)
def _moment(value: datetime, date_only: bool, zone: tzinfo, lang: str) -> str:
    pattern = "d MMMM y" if date_only else "EEEE d MMMM y, HH:mm"
    text = format_datetime(value, pattern, tzinfo=zone, locale=_locale(lang))
    return text if date_only else f"{text} {value.astimezone(zone).tzname()}"


BLANK_LINES = re.compile("\n\n\n+")  # what templates leave between blocks: one blank line


def link(source: str, target: str) -> str:
    """A Markdown link from the file `source` to the content path `target`, both from the root.

    `posixpath.relpath` on these normalised paths, without its two `abspath` calls: listing
    pages make thousands of links.
    """
    folder, parts = source.split("/")[:-1], target.split("/")
    common = 0
    while common < min(len(folder), len(parts)) and folder[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(folder) - common) + parts[common:])


EMBEDS = {
    "www.youtube.com": lambda u: f"https://www.youtube-nocookie.com/embed/{_query(u, 'v')}",
    "youtube.com": lambda u: f"https://www.youtube-nocookie.com/embed/{_query(u, 'v')}",
    "youtu.be": lambda u: f"https://www.youtube-nocookie.com/embed{u.path}",
    "vimeo.com": lambda u: f"https://player.vimeo.com/video{u.path}",
    "www.youtube-nocookie.com": lambda u: u.geturl(),
    "player.vimeo.com": lambda u: u.geturl(),
}


def _query(url, key: str) -> str:
    return parse_qs(url.query).get(key, [""])[0]


def page_title(title: str) -> str:
    """A title as MkDocs and Material expect `page.title`: HTML, on one line (quotes as they
    are, as in the titles MkDocs takes from headings: Material escapes it in attributes)."""
    return html_text(title, quote=False)


def video_facade(url: str, t) -> Markdown:
    """A button that loads the player only when asked: nothing reaches the video host before."""
    target = checked_url(url)
    parts = urlsplit(target or "")
    host = parts.hostname or ""
    embed = EMBEDS[host](parts) if host in EMBEDS else None
    attr = f' data-embed="{html_text(embed)}"' if embed else ""
    button = (
        f'<button type="button" class="md-button md-button--primary civicloop-video__play">'
        f"{html_text(t('Play the video'))}</button>"
        if embed
        else ""
    )
    notice = html_text(t("Playing loads the video from {host}.", host=host)) if embed else ""
    other = html_text(t("Open it on {host} instead", host=host))
    link = f'<a href="{html_text(target)}" rel="noopener">{other}</a>' if target else ""
    return Markdown(
        f'<div class="civicloop-video"{attr} data-title="{html_text(t("Replay"))}">'
        f"{button}<p>{notice} {link}</p></div>"
    )
