"""The site's search index: translated pages once per language, untranslated ones once."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import SimpleNamespace

from mkdocs_static_i18n.reconfigure import ExtendedPlugin

ROOT = Path(__file__).resolve().parent.parent


def load_hooks():
    spec = importlib.util.spec_from_file_location("i18n_search", ROOT / "site/i18n_search.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entries(seed: int) -> list[dict]:
    """English entries, then French ones: some copies of English ones, some translated, some
    sharing only a title or only a text, some under a location that merely ends alike."""
    rng = random.Random(seed)
    english = [
        {"location": f"page-{i}/#{rng.choice(['', 'agenda', 'polls'])}", "title": t, "text": x}
        for i in range(60)
        for t, x in [(rng.choice(["Agenda", "Polls", f"Page {i}"]), rng.choice(["", "a", f"{i}"]))]
    ]
    french = []
    for entry in english:
        roll = rng.random()
        prefix = rng.choice(["fr/", "fr/other/"])
        if roll < 0.5:
            french.append({**entry, "location": prefix + entry["location"]})
        elif roll < 0.7:
            french.append({**entry, "location": prefix + entry["location"], "text": "traduit"})
        elif roll < 0.8:
            french.append({**entry, "location": "fr/elsewhere/"})
    rng.shuffle(french)
    return english + french


def test_deduplication_keeps_the_plugins_rule():
    hooks = load_hooks()
    i18n = SimpleNamespace(build_languages=["en", "fr"])
    for seed in range(20):
        theirs, ours = entries(seed), entries(seed)
        ExtendedPlugin.reconfigure_search_duplicates(i18n, theirs)
        hooks.deduplicate_search(i18n, ours)
        assert ours == theirs
        assert len(ours) < len(entries(seed))


def test_built_index_has_no_french_copy_of_an_english_entry(sample_site):
    index = json.loads((sample_site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    english = {
        (d["location"], d["title"], d["text"]) for d in docs if not d["location"].startswith("fr/")
    }
    copies = [
        d
        for d in docs
        if d["location"].startswith("fr/") and (d["location"][3:], d["title"], d["text"]) in english
    ]
    assert copies == []
    translated = [d for d in docs if d["location"].startswith("fr/committees/wallonia")]
    assert translated, "the translated Wallonia committee is searchable in French"
