"""The one list of languages (civicloop/languages.py) is the one the site, labels and bot use."""

from pathlib import Path

import yaml

from bot.i18n import LOCALES, language_of
from civicloop import LANGUAGES
from civicloop.labels import LABELS
from civicloop.languages import ALL, CODES, DEFAULT

ROOT = Path(__file__).parent.parent


def _mkdocs() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader)


def test_mkdocs_lists_the_same_languages_in_the_same_order():
    (i18n,) = [p["i18n"] for p in _mkdocs()["plugins"] if isinstance(p, dict) and "i18n" in p]
    listed = [(entry["locale"], entry["name"]) for entry in i18n["languages"]]
    assert listed == [(language.code, language.native) for language in ALL]
    assert [entry["locale"] for entry in i18n["languages"] if entry.get("default")] == [DEFAULT]


def test_every_language_has_labels_and_the_bot_a_catalogue():
    assert set(LABELS) == set(CODES)
    assert LANGUAGES == CODES
    assert sorted(p.name for p in LOCALES.iterdir() if p.is_dir()) == sorted(CODES[1:])


def test_an_unknown_language_falls_back_to_the_default():
    assert language_of("fr-BE") == "fr"
    assert language_of("de") == DEFAULT
    assert language_of(None) == DEFAULT
