"""Links to a part of a page (`page.md#part`): the strict build stops when the page has no such
heading or anchor, so `validate` renders the pages linked to that way, as the build renders
them, and reports the link with its line first."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import PurePosixPath

from civicloop import LANGUAGES
from civicloop.catalog import TRANSLATION, Entry
from civicloop.checks import EXTERNAL, body_links, resolve
from civicloop.markup import to_html
from civicloop.pages import render
from civicloop.problems import Problem
from civicloop.sitecontext import SiteContext


class _Ids(HTMLParser):
    """What MkDocs counts as an anchor: every `id`, and the `name` of `<a>`."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


def anchor_problems(site: SiteContext) -> Iterator[Problem]:
    catalog = site.catalog
    anchors: dict[tuple[str, str], set[str]] = {}

    def ids(doc: Entry, lang: str) -> set[str]:
        if (doc.path, lang) not in anchors:
            own = doc.translations.get(lang, doc)
            text = render(site, doc, lang, own.body) if doc.kind else own.body
            parser = _Ids()
            parser.feed(to_html(text))
            anchors[doc.path, lang] = parser.ids
        return anchors[doc.path, lang]

    reported: set[tuple[str, int, str]] = set()
    for doc in catalog.docs.values():
        for lang in LANGUAGES:  # an untranslated page shows the original's links in each
            own = doc.translations.get(lang, doc)
            for number, target in body_links(own):
                path, _, fragment = target.partition("#")
                if not fragment or (path and EXTERNAL.match(path)):
                    continue
                if (own.path, number, target) in reported:
                    continue
                target_doc = catalog.docs.get(_original(resolve(own.path, path))) if path else doc
                if target_doc is None or fragment in ids(target_doc, lang):
                    continue
                reported.add((own.path, number, target))
                known = ", ".join(sorted(ids(target_doc, lang))[:12]) or "none"
                yield Problem(
                    own.path,
                    number,
                    f"link '{target}': {target_doc.path} has no heading or anchor '#{fragment}' "
                    f"(in {lang}); its anchors: {known}",
                )


def _original(path: str | None) -> str:
    """A translation's path as the original's, which is how the catalog knows the page."""
    if path is None:
        return ""
    match = TRANSLATION.match(PurePosixPath(path).name)
    return str(PurePosixPath(path).with_name(match["stem"] + ".md")) if match else path
