"""The organisation that publishes the site: its contact address and colour, checked here, and
what the footer of every page links to, in each language. The theme only prints them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from civicloop.catalog import Catalog, page_url
from civicloop.labels import translator
from civicloop.languages import DEFAULT, feed_path

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
EMAIL = re.compile(r"[^@\s<>\"'():/]+@[^@\s<>\"'():/]+\.[A-Za-z]{2,}")
LEGIBLE = 4.5  # WCAG 2.1 AA contrast for text: white on the colour (header), the colour on white


@dataclass(frozen=True)
class Contact:
    text: str  # as people read it
    url: str  # mailto: or https:


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str  # from the site's root


@dataclass(frozen=True)
class Footer:
    """What the footer of a page in one language shows besides the organisation's own text."""

    label: str  # the name of its navigation
    contact_label: str
    contact: Contact | None
    links: tuple[FooterLink, ...]


def contact(value: str) -> Contact:
    """The contact address (`CIVICLOOP_CONTACT`): an email address or an https:// page."""
    value = value.strip()
    if EMAIL.fullmatch(value):
        return Contact(value, f"mailto:{value}")
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname and not re.search(r"[\s<>\"']", value):
        return Contact(value, value)
    raise ValueError(
        f"{value!r} is neither an email address nor an https:// address; give one, "
        "e.g. participation@example.org or https://example.org/contact"
    )


def _luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of `#RRGGBB`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2.1's contrast ratio of two `#RRGGBB` colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour(value: str) -> str:
    """The organisation's colour (`CIVICLOOP_ORG_COLOUR`), `#RRGGBB` in lowercase. White text
    sits on it in the header and it colours links on white, so it must be legible both ways."""
    value = value.strip()
    if not COLOUR.fullmatch(value):
        raise ValueError(f"{value!r} is not a colour of the form #RRGGBB, e.g. #1f5f8b")
    ratio = contrast(value, "#ffffff")
    if ratio < LEGIBLE:
        raise ValueError(
            f"{value} against white is {ratio:.2f}:1, below the {LEGIBLE}:1 that WCAG asks "
            "of the header's text and of links; choose a darker colour"
        )
    return value.lower()


# The footer's links, in order: a page of the content, a file the build writes at the root, or
# where a file of the page's language is (its feed).
FOOTER_PAGES: tuple[tuple[str, str | Callable[[str], str]], ...] = (
    ("Take part", "take-part.md"),
    ("Calendars", "calendar.md"),
    ("All sessions (.ics)", "calendar.ics"),
    ("News feed (Atom)", feed_path),
    ("Open data", "open-data.md"),
    ("Accessibility", "accessibility.md"),
    ("Privacy", "privacy.md"),
)


def footer(catalog: Catalog, lang: str, known: Contact | None) -> Footer:
    """The footer of `lang`'s pages: links to the pages of FOOTER_PAGES the content has (in
    `lang`'s folder of the site) and to the calendar and feed every build writes."""
    t = translator(lang)
    prefix = "" if lang == DEFAULT else f"{lang}/"
    links = []
    for label, path in FOOTER_PAGES:
        if callable(path):
            url = path(lang)
        elif path.endswith(".md"):
            if path not in catalog.docs:
                continue
            url = prefix + page_url(path)
        else:
            url = path
        links.append(FooterLink(t(label), url))
    return Footer(t("About this site"), t("Contact:"), known, tuple(links))
