"""What people write, made safe for each output: cleaned of characters no format may carry, then
escaped for Markdown, HTML or a link, so that it shows as written and never becomes structure.

`clean` is the one filter every output shares (pages, feed, calendars, open data); the page
templates print any value through `markdown_text` unless it is `Markdown` civicloop made;
`inert_json` makes JSON safe inside HTML (the open data, a page's JSON-LD).
"""

from __future__ import annotations

import html
import re
import string
from functools import lru_cache
from urllib.parse import quote, urlsplit

# Embeddings, overrides and isolates reorder the text around them ("Trojan source"); the marks
# U+200E, U+200F and U+061C only set the direction of neutral characters and are kept.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# Python's line boundaries (`str.splitlines`): all become "\n".
LINE_BREAK = re.compile("\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
)
# C0 and C1 controls other than tab and line feed (XML 1.0 and RFC 5545 forbid them),
# noncharacters (XML forbids U+FFFE and U+FFFF) and the bidirectional controls.
FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{NONCHARACTERS}{BIDI_CONTROLS}]")
SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` with line breaks as "\\n", without controls other than tab and line feed,
    noncharacters and bidirectional embeddings, overrides and isolates; surrogates that do not
    pair up (they cannot be encoded) become U+FFFD. Everything else (joiners, variation
    selectors, combining marks, private use) is kept."""
    if text.isprintable():  # no control, separator but space, surrogate or noncharacter:
        return text  # nothing to change (most text; the three expressions cost 2 µs a call)
    return FORBIDDEN.sub("", LINE_BREAK.sub("\n", paired(text)))


def paired(text: str) -> str:
    """`text` with the surrogates that do not pair up (JSON can carry them, UTF-8 and SQLite
    cannot) as U+FFFD; split pairs joined."""
    if SURROGATE.search(text):
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_line(text: str) -> str:
    """`clean` text on one line: line breaks as spaces (a title, a name, an attribute)."""
    return clean(text).replace("\n", " ").strip()


class Markdown(str):
    """Markdown that civicloop made: the page templates insert it as it is."""


# Backslash escapes Python-Markdown removes (with `|` from its tables extension); `&`, `<`, `>`
# become entities so that no tag, comment, entity or blockquote can start. A `(` after `]` is
# escaped too, so that not even a simple scanner (`civicloop validate`'s link check) sees `](`.
ESCAPES = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_{}[]|#"}, "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
# Block syntax starts a line: lists (`-`, `+`, `1.`), admonitions (`!!!`), details (`???`),
# fences (`~~~`), setext underlines (`===`), definitions (`:`)... A first character that is
# punctuation, and the `.` or `)` after leading digits, are written as character references.
LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
LEADING = frozenset(string.punctuation) - {"\\", "&"}  # those two start escapes we made


def _line(text: str) -> str:
    text = text.replace("\t", " ").strip(" ").translate(ESCAPES).replace("\\](", "\\]\\(")
    first = text[:1]
    if first in LEADING:
        return f"&#{ord(first)};{text[1:]}"
    if first.isdigit():
        return LEADING_NUMBER.sub(lambda m: f"{m[1]}&#{ord(m[2])};", text)
    return text


@lru_cache(maxsize=8192)  # labels, names and titles recur on many pages
def markdown_text(text: str, breaks: bool = False) -> Markdown:
    """Any text as one line of inert Markdown that shows it as written: line breaks folded into
    spaces, or with `breaks` kept as `<br>`."""
    lines = [_line(line) for line in clean(text).strip().split("\n")]
    return Markdown("<br>".join(lines) if breaks else " ".join(line for line in lines if line))


def markdown_paragraphs(text: str, indent: int = 0) -> Markdown:
    """Text of several paragraphs (separated by blank lines) as inert Markdown paragraphs, their
    line breaks kept; indented by `indent` spaces (inside an admonition, say)."""
    paragraphs = re.split(r"\n[ \t]*\n", clean(text).strip())
    made = (markdown_text(p, breaks=True) for p in paragraphs)
    return Markdown("\n\n".join(" " * indent + p for p in made if p))


def html_text(text: str, quote: bool = True) -> str:
    """Any text as one line of HTML, for element content or (with `quote`) a quoted attribute
    value."""
    return html.escape(clean_line(text), quote=quote)


SCHEMES = ("http", "https", "mailto")


def checked_url(url: object) -> str | None:
    """The URL a browser would follow, if it is `http:`, `https:`, `mailto:` or relative;
    None for any other scheme (`javascript:`, `data:`...), however it is spelled."""
    text = clean(str(url)).replace("\t", "").replace("\n", "").strip(" ")
    try:
        scheme = urlsplit(text).scheme
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return text if text and (not scheme or scheme.lower() in SCHEMES) else None


def markdown_link(text: object, url: object) -> Markdown:
    """A Markdown link showing `text`, or the text alone if the URL is not one to follow. The
    destination is percent-encoded (spaces, quotes, brackets, parentheses) and `&` written as
    an entity, so that it ends where it should and no character reference is read in it."""
    return _link(str(text), str(url))


@lru_cache(maxsize=8192)  # listings link the same pages from many pages
def _link(text: str, url: str) -> Markdown:
    label = markdown_text(text)
    target = checked_url(url)
    if target is None:
        return label
    destination = quote(target, safe="/:?#[]@!$&*+,;=%~-._").replace("&", "&amp;")
    return Markdown(f"[{label}]({destination})")


# Characters that mean something to an HTML parser (`</script>`, `<!--`, `&`) or end a line of
# JavaScript source (U+2028, U+2029). JSON has them only inside strings, where an escape reads
# as the character itself.
INERT_IN_HTML = {c: f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def inert_json(text: str) -> str:
    """JSON text `text` with `<`, `>`, `&`, U+2028 and U+2029 as escapes (`\\u003c`): the same
    JSON to any reader, and text that can be put as it is inside an HTML `<script>` element."""
    for char, escape in INERT_IN_HTML.items():  # not str.translate: a dict lookup per character
        text = text.replace(char, escape)
    return text
