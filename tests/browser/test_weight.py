"""Weight in Chromium: each page type's first load, compressed as a static host serves it,
stays under the budget (figures: bench/weights.md, `make weights`)."""

from __future__ import annotations

import pytest

from .sitecheck import BUDGET, PAGES, kind_of


@pytest.mark.parametrize("name", list(PAGES))
def test_first_load_stays_under_the_budget(first_loads, name):
    load = first_loads(name)
    kinds = load.by_kind()
    assert {"HTML", "CSS", "JS"} <= set(kinds), f"measured only {kinds}"
    detail = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in sorted(kinds.items()))
    assert load.transferred < BUDGET, (
        f"{name}: {load.transferred / 1024:.1f} KB transferred, budget {BUDGET // 1024} KB "
        f"({detail})"
    )


def test_pages_travel_compressed(first_loads):
    """The server compresses like a static host, so the figures are what visitors download."""
    load = first_loads("session")
    html = [e for e in load.entries if kind_of(e["url"]) == "HTML"][0]
    assert 0 < html["encoded"] < html["decoded"] / 2
    assert html["transfer"] >= html["encoded"]
