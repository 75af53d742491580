"""An Atom feed (RFC 4287) of new and changed pages of the types that say what their entry is
(sessions, webinars and case studies).

Its text constructs are plain text (ElementTree escapes `<` and `&`), and every value is cleaned
of the characters XML 1.0 forbids, so that one control character cannot make the feed unreadable.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from civicloop.catalog import Entry
from civicloop.escaping import clean
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES

ATOM = "http://www.w3.org/2005/Atom"


def feed(site: SiteContext, title: str, limit: int = 50) -> bytes:
    """The newest `limit` entries of the types that have a feed entry (`ContentType.feed`)."""
    said = {
        d.path: t.feed(site, d) for t in TYPES.values() if t.feed for d in site.catalog.of(t.name)
    }

    def updated(doc: Entry) -> datetime:
        """When the entry changed: its file's last commit, or later when its type says so."""
        committed, later = site.revision(doc).updated, said[doc.path].updated
        return max(committed, later) if later else committed

    docs = [site.catalog.docs[path] for path in said]
    docs.sort(key=lambda d: (updated(d), d.path), reverse=True)
    docs = docs[:limit]
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", title)
    _text(root, "id", site.base_url)
    latest = updated(docs[0]) if docs else site.now
    _text(root, "updated", latest.isoformat())
    ET.SubElement(root, f"{{{ATOM}}}link", href=site.absolute("feed.xml"), rel="self")
    ET.SubElement(root, f"{{{ATOM}}}link", href=site.base_url)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", title)
    for doc in docs:
        revision = site.revision(doc)
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        url = site.absolute(doc.url)
        _text(entry, "title", said[doc.path].title)
        _text(entry, "id", url)
        _text(entry, "published", revision.created.isoformat())
        _text(entry, "updated", updated(doc).isoformat())
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=doc.kind or "page")
        _text(entry, "summary", said[doc.path].summary)
    for element in root.iter():
        element.text = clean(element.text) if element.text else element.text
        element.attrib = {name: clean(value) for name, value in element.attrib.items()}
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text
