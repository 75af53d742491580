"""What editors' text may hold: characters every output can carry, something visible, safe links.

XML (the feed, open data consumers) and iCalendar cannot carry control characters; a title of
spaces or zero-width characters is a title nobody can see; a `javascript:` link runs in the
visitor's browser however well the page escapes it.
"""

from __future__ import annotations

import html
import re
import unicodedata

# C0 and C1 controls but tab and line feed, lone surrogates, and U+FFFE/U+FFFF: what XML 1.0
# and YAML refuse, and iCalendar allows nowhere in a value.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Invisible characters Unicode counts as letters: they alone do not make a visible title.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
LINK_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def forbidden_character(text: str) -> str | None:
    """A description of the first character outputs cannot carry, or None."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    char = found[0]
    kind = "non-character" if char in "\ufffe\uffff" else "control character"
    return f"the {kind} U+{ord(char):04X}"


def visible(text: str) -> bool:
    """Whether a reader would see anything: a letter, digit, punctuation mark or symbol."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in BLANK_LETTERS for c in text)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def unsafe_link(url: str) -> str | None:
    """Why a link must be refused (a scheme other than http, https or mailto, however it is
    disguised: case, entities, whitespace or control characters inside), or None."""
    decoded = url
    for _ in range(5):  # entities inside entities: '&amp;#106;'
        unescaped = html.unescape(decoded)
        if unescaped == decoded:
            break
        decoded = unescaped
    # Browsers drop ASCII tab and newlines anywhere in a URL and spaces and controls around it.
    squeezed = "".join(c for c in decoded if unicodedata.category(c) not in ("Cc", "Cf", "Zs"))
    match = SCHEME.match(squeezed)
    if match is None:
        if ":" in re.split(r"[/?#]", squeezed, maxsplit=1)[0]:
            return "has a ':' before any '/', which browsers read as a scheme"
        return None
    scheme = match[1].lower()
    if scheme not in LINK_SCHEMES:
        return f"uses the scheme '{scheme}:'"
    if not url.strip().lower().startswith(scheme + ":"):
        return f"hides its scheme '{scheme}:' behind entities, spaces or control characters"
    return None
