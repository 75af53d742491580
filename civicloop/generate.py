"""The build's plumbing around the pages: what MkDocs is told of a generated page, and the pages
made ahead, in other languages, by a second process while MkDocs builds the first."""

from __future__ import annotations

import json

from civicloop.catalog import Entry
from civicloop.pages import page_title, render
from civicloop.sitecontext import SiteContext


def front_matter(doc: Entry, own: Entry) -> str:
    """The only front matter MkDocs and Material need of a generated page (`own` is the file's
    document: a translation's, or `doc` itself): `type` tells the theme it is generated. MkDocs
    would otherwise parse all of it again in each language. JSON values are valid YAML.

    The title is HTML, as MkDocs makes it from a page's first heading: Material prints it as it
    is in the page's `<title>`, heading, navigation, search index and tag listings."""
    meta = {"type": doc.kind, "title": page_title(own.model.title)}
    meta["tags"] = getattr(own.model, "tags", [])
    lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items() if v)
    return f"---\n{lines}---\n"


def render_ahead(site: SiteContext, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Every generated page in each of `languages`, by the file it is built from (a
    translation's, or the original's): made by a second process while MkDocs builds the site in
    the first language."""
    docs = [doc for doc in site.catalog.docs.values() if doc.kind is not None]
    pages: dict[str, dict[str, str]] = {}
    for lang in languages:
        pages[lang] = {}
        for doc in docs:
            own = doc.translations.get(lang, doc)
            pages[lang][own.path] = render(site, doc, lang, own.body)
    return pages
