"""Accessibility in Chromium: axe-core's WCAG 2.0/2.1 A and AA rules in both palettes, the
keyboard alone (skip link, visible focus, the video player), languages, and the charts' text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .sitecheck import (
    DESKTOP,
    PAGES,
    VIDEO_PAGE,
    axe_violations,
    describe,
    lang_of,
    open_page,
    open_type,
    stand_in_for_video_hosts,
    tab_stops,
)

SCHEMES = {"light": "default", "dark": "slate"}


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violation(browser, site_url, name, scheme):
    # Material picks the palette whose media query matches: emulate the visitor's preference.
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    try:
        page = open_type(context, site_url, name, wait_until="load").page
        assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
        violations = axe_violations(page)
        assert not violations, f"{name}, {scheme} palette:\n{describe(violations)}"
    finally:
        context.close()


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_the_palette_switch_works_from_the_keyboard_and_is_remembered(context, site_url, key):
    page = open_page(context, site_url, "", wait_until="load").page
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('input.md-option')"):
            break
    else:
        pytest.fail("Tab never reached the palette switch")
    page.keyboard.press(key)
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    assert page.evaluate("document.activeElement.matches('input.md-option')"), "focus was lost"
    page.keyboard.press(key)
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'")
    page.keyboard.press(key)
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    page.reload(wait_until="load")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"


@pytest.mark.parametrize("name", [n for n in PAGES if n != "search results"])
def test_skip_link_is_first_visible_and_moves_focus_to_the_article(context, site_url, name):
    page = open_page(context, site_url, PAGES[name], wait_until="load").page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.civicloop-skip')"), (
        "the first Tab stop is not the skip link"
    )
    page.wait_for_function("getComputedStyle(document.activeElement).opacity === '1'")
    box = page.locator("a.civicloop-skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 20 and box["height"] > 10
    assert page.locator("a.md-skip:visible").count() == 1, "more than one skip link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "civicloop-content"
    assert page.evaluate("location.hash") == "#civicloop-content"
    page.keyboard.press("Tab")
    inside = "document.getElementById('civicloop-content').contains(document.activeElement)"
    assert page.evaluate(inside), "Tab after the skip link left the article"


@pytest.mark.parametrize("name", [n for n in PAGES if n != "search results"])
def test_every_tab_stop_shows_its_focus(context, site_url, name):
    page = open_page(context, site_url, PAGES[name], wait_until="load").page
    stops = tab_stops(page)
    assert len(stops) > 10
    hidden = [f"#{s['n']} {s['name']} {s['text']!r}" for s in stops if not s["visible"]]
    assert not hidden, "focus does not show on:\n" + "\n".join(hidden)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_video_player_is_reached_by_tab_and_started_by_the_keyboard(context, minimal_site_url, key):
    page = context.new_page()
    asked = stand_in_for_video_hosts(page)
    page.goto(minimal_site_url + VIDEO_PAGE, wait_until="load")
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.civicloop-video__play')"):
            break
    else:
        pytest.fail("Tab never reached the video's play button")
    assert not asked, "the video host was contacted before the visitor asked"
    embed = "https://www.youtube-nocookie.com/embed/"
    # finished: the stand-in has answered, so it has recorded the request
    with page.expect_event("requestfinished", lambda request: request.url.startswith(embed)):
        page.keyboard.press(key)
    frame = page.locator(".civicloop-video iframe")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src").startswith(embed)
    assert frame.get_attribute("title")
    page.wait_for_function("document.activeElement.tagName === 'IFRAME'")
    assert asked and asked[0].startswith(embed)


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_type_says_its_language(first_loads, name):
    assert first_loads(name).lang == lang_of(PAGES[name])


def _lang_errors(site: Path, pages: list[Path]) -> list[str]:
    wrong = []
    for path in pages:
        rel = path.relative_to(site).as_posix()
        found = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", path.read_text(encoding="utf-8"))
        if not found or found[1] != lang_of(rel):
            wrong.append(f"{rel}: {found[1] if found else None}, not {lang_of(rel)}")
    return wrong


def test_every_page_says_its_language(sample_site: Path):
    pages = [p for p in sorted(sample_site.rglob("*.html")) if p.name != "404.html"]
    assert len(pages) > 50
    wrong = _lang_errors(sample_site, pages)
    assert not wrong, "\n".join(wrong)


def test_untranslated_parts_of_french_pages_say_they_are_english(sample_site: Path):
    """A page not yet translated is shown in English inside the French site: its title says so
    (the labels around it are French); a translated page's title needs no mark."""

    def title(rel: str) -> str:
        text = (sample_site / rel / "index.html").read_text(encoding="utf-8")
        return re.search(r"<h1\b[^>]*>", text)[0]

    assert 'lang="en"' in title("fr/committees/sample-neighbourhood-committee/sessions/01-kick-off")
    assert "lang=" not in title("fr/committees/sample-neighbourhood-committee")
    assert "lang=" not in title("committees/sample-neighbourhood-committee/sessions/01-kick-off")


def test_the_not_found_page_says_its_language(sample_site: Path):
    assert not _lang_errors(sample_site, [sample_site / "404.html"])


CHARTS_JS = """() => [...document.querySelectorAll('figure.civicloop-chart')].map(figure => {
  const svg = figure.querySelector('svg');
  let next = figure.nextElementSibling;
  while (next && !next.querySelector('table') && next.tagName !== 'TABLE')
    next = next.nextElementSibling;
  const table = next && (next.tagName === 'TABLE' ? next : next.querySelector('table'));
  return {role: svg.getAttribute('role'), label: svg.getAttribute('aria-label'),
          texts: [...svg.querySelectorAll('text')].map(t => t.textContent.trim()),
          table: table ? [...table.querySelectorAll('td, th')].map(c => c.textContent.trim())
                       : null};
})"""


@pytest.mark.parametrize("name", ["results", "session"])
def test_charts_have_the_results_table_as_text_alternative(context, site_url, name):
    page = open_page(context, site_url, PAGES[name], wait_until="load").page
    charts = page.evaluate(CHARTS_JS)
    if name == "results":
        assert charts, "the results page has no chart"
    for chart in charts:
        assert chart["role"] == "img" and chart["label"], "the chart has no accessible name"
        assert chart["table"], "no table follows the chart"
        cells = set(chart["table"])
        missing = [t.rstrip("…") for t in chart["texts"] if t not in cells]
        missing = [t for t in missing if not any(c.startswith(t) for c in cells)]
        assert not missing, f"in the chart but not in its table: {missing}"
