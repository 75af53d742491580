"""The languages of the site and the bot: the one list, the first is the default.

mkdocs.yml's i18n plugin lists the same languages (a test keeps the two equal).
"""

from __future__ import annotations

from typing import NamedTuple


class Language(NamedTuple):
    code: str  # ISO 639-1, as in file suffixes (`page.fr.md`) and Telegram's language_code
    english: str
    native: str  # as a language menu shows it


ALL: tuple[Language, ...] = (
    Language("en", "English", "English"),
    Language("fr", "French", "Français"),
)
CODES: tuple[str, ...] = tuple(language.code for language in ALL)
DEFAULT: str = CODES[0]
NATIVE: dict[str, str] = {language.code: language.native for language in ALL}


def feed_path(lang: str) -> str:
    """Where the feed of `lang` is, from the site's root (each language has its own)."""
    return "feed.xml" if lang == DEFAULT else f"{lang}/feed.xml"
