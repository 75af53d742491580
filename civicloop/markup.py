"""The pages' Markdown as the site renders it, and what it may make there.

Markdown passes HTML through, and `attr_list` puts any attribute on an element: an editor's
`<img src=x onerror=...>` or `{: onclick=... }` would run in every visitor's browser. A page
may make the elements and attributes listed here, which cannot run script, and links whose
scheme is safe; anything else is a problem with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import markdown

from civicloop.problems import Problem, printable
from civicloop.text import unsafe_link

if TYPE_CHECKING:
    from civicloop.catalog import Entry

# The Markdown extensions of mkdocs.yml (a test checks they are the same).
EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
]
ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
        "svg",
        "g",
        "text",
        "tspan",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "path",
        "title",
        "desc",
    ]
)
ATTRIBUTES = frozenset(
    [
        "class",
        "id",
        "title",
        "alt",
        "width",
        "height",
        "colspan",
        "rowspan",
        "scope",
        "headers",
        "open",
        "lang",
        "dir",
        "start",
        "reversed",
        "type",
        "name",
        "rel",
        "target",
        "datetime",
        "align",
        "valign",
        "role",
        "loading",
        "viewbox",
        "x",
        "y",
        "rx",
        "ry",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "d",
        "points",
        "text-anchor",
        "fill",
        "stroke",
        "stroke-width",
        "tabindex",
    ]
)
# Inline styles may lay out and colour, not fetch or run anything (nor hide it behind escapes).
UNSAFE_STYLE = re.compile(r"url\s*\(|expression|@import|\\|javascript:|behavior", re.IGNORECASE)
URLS = frozenset({"href", "src", "cite"})


class _Scan(HTMLParser):
    """The elements and attributes outside the lists, and the unsafe links, in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (message, text to find the line by)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ELEMENTS:
            self.found.append(
                (
                    f"the HTML element <{tag}> is not allowed in a page (it can run script or "
                    "show another site); write Markdown instead",
                    f"<{tag}",
                )
            )
        for name, value in attrs:
            if name in URLS:
                reason = unsafe_link(value or "")
                if reason:
                    self.found.append(
                        (
                            f"link '{printable(value or '')}' {reason}; only https:, http:, "
                            "mailto: and relative "
                            "links are allowed",
                            name,
                        )
                    )
            elif name == "style":
                if UNSAFE_STYLE.search(value or ""):
                    self.found.append(
                        (
                            f"the style '{printable(value or '')}' on <{tag}> loads or runs "
                            "something (url(), expression(), @import, escapes); remove it",
                            "style",
                        )
                    )
            elif name not in ATTRIBUTES and not name.startswith(("aria-", "data-")):
                self.found.append(
                    (
                        f"the attribute '{name}' on <{tag}> is not allowed in a page (it can run "
                        "script or load other content); remove it",
                        name,
                    )
                )

    handle_startendtag = handle_starttag


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def markup_problems(doc: Entry, links: list[str]) -> Iterator[Problem]:
    """What the body would make that runs script. Only a body with '<' (HTML) or '{'
    (attributes) can make more than text, and the Markdown `links` it has are checked as links
    (not again here)."""
    body = doc.body
    if "<" not in body and "{" not in body:
        return
    scan = _Scan()
    scan.feed(to_html(body))
    scan.close()
    lines = body.splitlines()
    seen: set[str] = set()
    for message, needle in scan.found:
        if message in seen or any(message.startswith(f"link '{link}") for link in links):
            continue
        seen.add(message)
        pattern = re.compile(re.escape(needle), re.IGNORECASE)
        number = next((n for n, line in enumerate(lines) if pattern.search(line)), 0)
        yield Problem(doc.path, doc.body_line + number, message)
