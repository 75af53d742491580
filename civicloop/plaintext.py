"""Markdown as the plain text a description needs: a page's lead paragraph, one line long
enough for a search result or a link preview.

Only the first paragraph is converted (not the page), so that describing thousands of pages
costs little; headings, lists, admonitions, tables, fences and HTML blocks are passed over.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown

from civicloop.escaping import clean_line

LENGTH = 200  # search engines show about 150 to 160 characters; previews a little more
_NOT_PROSE = re.compile(r"^(?:#|!!!|\?\?\?|[-*+] |\d+[.)] |\||<|```|~~~|\{[%{#]|>|---|\*\*\*|===)")


def lead(source: str) -> str:
    """The text of the first paragraph of Markdown `source`, on one line; "" if it has none."""
    for block in re.split(r"\n[ \t]*\n", source):
        block = block.strip()
        if block and not _NOT_PROSE.match(block):
            return text_of(markdown.markdown(block))
    return ""


def heading(source: str) -> str:
    """The text of the first `# heading` of Markdown `source`; "" if it has none."""
    for line in source.splitlines():
        if line.startswith("# "):
            return text_of(markdown.markdown(line))
    return ""


def first_paragraph(text: str) -> str:
    """The first paragraph of plain text (paragraphs separated by blank lines), on one line."""
    paragraphs = (p for p in re.split(r"\n[ \t]*\n", text) if p.strip())
    return " ".join(clean_line(next(paragraphs, "")).split())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    """What HTML shows, as one line of text (entities decoded, tags left out)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(clean_line("".join(parser.parts)).split())


def shorten(text: str, limit: int = LENGTH) -> str:
    """`text` on one line, cut at a word before `limit` characters (with "…") if longer."""
    line = " ".join(clean_line(text).split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if line[limit - 1] != " " and space > limit // 2:  # not after a whole word: drop its part
        cut = cut[:space]
    return cut.rstrip(" ,;:.–-") + "…"
