"""MkDocs hook: mkdocs-static-i18n's search de-duplication, in linear time.

A fix to a library, not part of civicloop: the plugin's own version compares every search entry
with every other, which takes minutes on a site of a few thousand pages (bench/README.md).
"""

from __future__ import annotations

from types import MethodType

from mkdocs.config.defaults import MkDocsConfig


def on_config(config: MkDocsConfig) -> None:
    i18n = config.plugins.get("i18n")
    if i18n is not None:
        i18n.reconfigure_search_duplicates = MethodType(deduplicate_search, i18n)


def deduplicate_search(i18n, entries: list[dict]) -> None:
    """mkdocs-static-i18n's rule, by lookup: drop an entry under a language folder that repeats
    a default-language entry (same title and text, location ending like it). The plugin's own
    version compares every entry with every other, minutes on a large site."""
    folders = tuple(f"{lang}/" for lang in i18n.build_languages)
    translated: dict[tuple[str, str], list[dict]] = {}
    for entry in entries:
        if entry["location"].startswith(folders):
            translated.setdefault((entry["title"], entry["text"]), []).append(entry)
    dropped = {
        id(other)
        for entry in entries
        if not entry["location"].startswith(folders)
        for other in translated.get((entry["title"], entry["text"]), ())
        if other["location"].endswith(entry["location"])
    }
    entries[:] = [entry for entry in entries if id(entry) not in dropped]
