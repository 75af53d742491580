"""Translations of the bot's messages from gettext catalogs (`locales/<lang>/LC_MESSAGES/bot.po`).

The catalogs are read with Babel at start-up, so there is no compile step to forget.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from civicloop.languages import DEFAULT, NATIVE

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = NATIVE


@cache
def catalog(lang: str) -> dict[str, str]:
    path = LOCALES / lang / "LC_MESSAGES" / "bot.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}


def t(lang: str, text: str, **values: object) -> str:
    """`text` in `lang` (English is the key), with `{name}` fields filled in."""
    translated = catalog(lang).get(text, text)
    return translated.format(**values) if values else translated


def language_of(code: str | None) -> str:
    """The supported language closest to a Telegram `language_code` such as 'fr-BE'."""
    base = (code or DEFAULT).split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT
