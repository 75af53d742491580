"""The Atom feeds (RFC 4287), one per language, of new and changed pages of the types that say
what their entry is (`ContentType.feed`: sessions, results, webinars, case studies...).

Each entry is in the feed's language, its summary in words ("Tuesday 9 December 2026,
18:00–20:00 CET, Town hall", not a timestamp); sample data says it is a sample in its title.
Text constructs are plain text (ElementTree escapes `<` and `&`), and every value is cleaned of
the characters XML 1.0 forbids, so that one control character cannot make the feed unreadable.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from civicloop.catalog import Entry
from civicloop.escaping import clean
from civicloop.labels import translator
from civicloop.languages import feed_path
from civicloop.sharing import address
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES
from civicloop.types.base import PageInput

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(site: SiteContext, title: str, lang: str, limit: int = 50) -> bytes:
    """The newest `limit` entries of `lang`'s feed, of the types that have a feed entry."""
    said = {
        d.path: t.feed(PageInput(site, d, lang))
        for t in TYPES.values()
        if t.feed
        for d in site.catalog.of(t.name)
    }

    def updated(doc: Entry) -> datetime:
        """When the entry changed: its file's last commit, or later when its type says so (a
        deadline passed since)."""
        committed, later = site.revision(doc).updated, said[doc.path].updated
        return max(committed, later) if later else committed

    docs = [site.catalog.docs[path] for path in said]
    docs.sort(key=lambda d: (updated(d), d.path), reverse=True)
    docs = docs[:limit]
    t = translator(lang)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})
    home = address(site, "", lang)
    _text(root, "title", t("{name}: {title}", name=title, title=t("News and results")))
    _text(root, "id", home)
    latest = updated(docs[0]) if docs else site.now
    _text(root, "updated", latest.isoformat())
    ET.SubElement(root, f"{{{ATOM}}}link", href=site.absolute(feed_path(lang)), rel="self")
    ET.SubElement(root, f"{{{ATOM}}}link", href=home, rel="alternate", type="text/html")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", title)
    for doc in docs:
        revision = site.revision(doc)
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        url = address(site, doc.url, lang)
        own = said[doc.path]
        _text(entry, "title", f"{t('[Sample]')} {own.title}" if own.sample else own.title)
        _text(entry, "id", url)
        _text(entry, "published", revision.created.isoformat())
        _text(entry, "updated", updated(doc).isoformat())
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url, rel="alternate", type="text/html")
        ET.SubElement(entry, f"{{{ATOM}}}category", term=doc.kind or "page")
        _text(entry, "summary", own.summary)
    for element in root.iter():
        element.text = clean(element.text) if element.text else element.text
        element.attrib = {name: clean(value) for name, value in element.attrib.items()}
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text
