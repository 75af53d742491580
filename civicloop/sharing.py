"""What a page tells search engines, link previews and feed readers: its description, its Open
Graph properties, a session's schema.org `Event`, where its feed is; and the small sitemaps
and `robots.txt` crawlers and the theme's language menu read.

The values go into the front matter of the generated page (`civicloop.generate`) and the theme
prints them (`site/overrides/main.html`): the description and Open Graph values as attributes
it escapes, the `Event` as JSON made safe here for a `<script>` element.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from babel.core import get_global

from civicloop.catalog import Entry
from civicloop.escaping import clean, clean_line, inert_json
from civicloop.labels import translator
from civicloop.languages import CODES, DEFAULT, feed_path
from civicloop.plaintext import shorten
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES
from civicloop.types.base import PageInput, lead_of

SCHEMA = "https://schema.org"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# the Open Graph type of a page of each content type; others are "website"
ARTICLES = frozenset({"case-study", "webinar", "results", "session"})
STATUS = {
    "scheduled": "EventScheduled",
    "held": "EventScheduled",  # schema.org has no "held": it took place as scheduled
    "cancelled": "EventCancelled",
}


def address(site: SiteContext, url: str, lang: str) -> str:
    """The absolute address of the page at `url` (relative to a language's root) in `lang`."""
    return site.absolute(url if lang == DEFAULT else f"{lang}/{url}")


def locale(lang: str) -> str:
    """An Open Graph locale (language_TERRITORY): the language's likeliest, as CLDR says."""
    likely = get_global("likely_subtags").get(lang, lang).split("_")
    return f"{likely[0]}_{likely[-1]}" if len(likely) > 1 else lang


def script_json(data: Any) -> str:
    """`data` as JSON to put as it is inside an HTML `<script>` element: no `</script>`, `<!--`
    or `&` can appear in it, and a parser reads back `data`."""
    return inert_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def description(site: SiteContext, doc: Entry, lang: str) -> str:
    """The page in a sentence or two ("" when it finds nothing to say): its type's, or the
    first paragraph of an editor's plain page."""
    describe = TYPES[doc.kind].describe if doc.kind else lead_of
    return shorten(describe(PageInput(site, doc, lang)))


def open_graph(site: SiteContext, doc: Entry, lang: str, title: str) -> dict[str, Any]:
    """The Open Graph properties of the page (`title` in text), and the feed of its language;
    the site's name and the page's description are added by the theme (the description is
    the same as its `<meta name="description">`)."""
    return {
        "title": clean_line(title),
        "type": "article" if doc.kind in ARTICLES else "website",
        "url": address(site, doc.url, lang),
        "locale": locale(lang),
        "alternates": [locale(other) for other in CODES if other != lang],
        "feed": site.absolute(feed_path(lang)),
        "feed_title": translator(lang)("News and results"),
    }


def front(site: SiteContext, doc: Entry, lang: str, title: str) -> dict[str, Any]:
    """What the front matter of the page in `lang` carries for the theme's `<head>`."""
    said = description(site, doc, lang)  # the event's too: made once
    meta: dict[str, Any] = {"description": said, "share": open_graph(site, doc, lang, title)}
    if doc.kind == "session" and (found := event(site, doc, lang, said)) is not None:
        meta["event"] = script_json(found)
    return meta


def _moment(value: datetime | date | None) -> str | None:
    """A schema.org date: with its UTC offset for a time, the day alone for a date."""
    return None if value is None else value.isoformat()


def event(site: SiteContext, session: Entry, lang: str, said: str) -> dict[str, Any] | None:
    """The session as a schema.org `Event` in `lang` (`said`: its `description`): from its
    start, or its day when its time is not published; None when its date is not known (a
    window of days is no date)."""
    model, local = session.model, session.localized(lang)
    starts = _moment(model.starts if model.starts is not None else model.date)
    if starts is None:
        return None
    committee = site.catalog.committees[session.committee]
    t = translator(lang)
    name = t("{name}: {title}", name=committee.localized(lang).title, title=local.title)
    if committee.model.sample:
        name = f"{t('[Sample]')} {name}"
    found: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": name,
        "description": said,
        "startDate": starts,
        "url": address(site, session.url, lang),
        "inLanguage": lang,
        "eventStatus": f"{SCHEMA}/{_status(model)}",
        "eventAttendanceMode": f"{SCHEMA}/{_attendance(model)}",
        "organizer": {
            "@type": "Organization",
            "name": committee.localized(lang).title,
            "url": address(site, committee.url, lang),
        },
    }
    if location := _location(local):  # none when the sources do not say where
        found["location"] = location
    if (ends := _moment(model.ends)) is not None:
        found["endDate"] = ends
    if model.new_date_known:
        found["previousStartDate"] = _moment(model.postponed_from)
    return _cleaned(found)


def _status(model: Any) -> str:
    if model.status == "postponed":
        return "EventRescheduled" if model.new_date_known else "EventPostponed"
    return STATUS[model.status]


def _attendance(model: Any) -> str:
    if model.place and model.online:
        return "MixedEventAttendanceMode"
    return "OnlineEventAttendanceMode" if model.online else "OfflineEventAttendanceMode"


def _location(local: Any) -> dict[str, Any] | list[dict[str, Any]] | None:
    places = []
    if local.place:
        places.append({"@type": "Place", "name": local.place, "address": local.place})
    if local.online:
        places.append({"@type": "VirtualLocation", "url": str(local.online)})
    return places[0] if len(places) == 1 else (places or None)


def _cleaned(value: Any) -> Any:
    """Every string of `value` on one line, without the characters no output may carry."""
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return clean_line(value) if isinstance(value, str) else value


def page_sitemap(site: SiteContext, doc: Entry, lang: str) -> bytes:
    """A sitemap of one page in `lang` with its translations, in the page's folder: the theme
    fetches `sitemap.xml` beside each language alternate a page names (its language menu
    finds the same page there), and a crawler may read it too.

    Written as text, byte for byte what ElementTree writes for the same elements (a tree and
    its serialiser cost ten times as much, for 4,000 files at 1x)."""
    links = "".join(
        f'<xhtml:link rel="alternate" hreflang="{_xml(other, attribute=True)}"'
        f' href="{_xml(clean(address(site, doc.url, other)), attribute=True)}" />'
        for other in CODES
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?>\n"
        f'<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}"><url>'
        f"<loc>{_xml(clean(address(site, doc.url, lang)))}</loc>{links}</url></urlset>"
    ).encode()


def _xml(text: str, attribute: bool = False) -> str:
    """`text` escaped as ElementTree escapes character data or, `attribute`, a value in quotes."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
        text = text.replace("\t", "&#09;")
    return text


def robots(site: SiteContext) -> bytes:
    """`robots.txt`: every page may be read; the sitemap of every page in every language
    (MkDocs writes it at the site's root, the translations of each page beside it)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.absolute('sitemap.xml')}\n".encode()
