"""A 360×640 phone: nothing sticks out sideways, and the agenda, calendar links and poll
results fit and read at a legible size (`make screenshots` shows them)."""

from __future__ import annotations

import pytest

from .sitecheck import MOBILE, PAGES, open_type, overflowing


@pytest.mark.parametrize("name", list(PAGES))
def test_nothing_overflows_sideways_on_a_phone(phone, site_url, name):
    page = open_type(phone, site_url, name, wait_until="load").page
    assert page.evaluate("innerWidth") == MOBILE["width"]
    found = overflowing(page)
    assert not found, "\n".join(found)


FIT_JS = """selector => [...document.querySelectorAll(selector)].map(el => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent.trim().slice(0, 50), left: r.left, right: r.right,
          height: r.height, font: parseFloat(getComputedStyle(el).fontSize)};
})"""


def _fits(items: list[dict], min_font: float = 12, min_height: float = 0) -> list[str]:
    width = MOBILE["width"]
    return [
        f"{i['text']!r}: {i['left']:.0f}..{i['right']:.0f}px, {i['height']:.0f}px high, "
        f"{i['font']:.1f}px font"
        for i in items
        if i["left"] < 0 or i["right"] > width or i["font"] < min_font or i["height"] < min_height
    ]


def test_agenda_calendar_links_and_results_read_well_on_a_phone(phone, site_url):
    page = open_type(phone, site_url, "session", wait_until="load").page
    agenda = page.evaluate(FIT_JS, "#civicloop-content h2 + ol > li")
    assert len(agenda) >= 3, "no agenda found"
    assert not _fits(agenda), _fits(agenda)
    links = page.evaluate(FIT_JS, "#civicloop-content a.md-button[href$='.ics']")
    assert len(links) == 1, "'add to my calendar' missing"
    # a target a thumb can hit: 24 px at least (WCAG 2.2's minimum), and legible
    assert not _fits(links, min_height=24), _fits(links, min_height=24)
    # the committee's subscription links, inline in their line (WCAG's inline exception)
    subscribe = page.evaluate(FIT_JS, "#civicloop-content li a[href^='webcal:']")
    assert len(subscribe) == 1, "subscription links missing"
    assert not _fits(subscribe), _fits(subscribe)
    cells = page.evaluate(FIT_JS, "#civicloop-content table td")
    assert cells, "no poll results table"
    assert not _fits(cells), _fits(cells)


TABLES_JS = """() => [...document.querySelectorAll('#civicloop-content table')].map(t => {
  const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
  return {columns: t.rows[0].cells.length, scroll: wrap.scrollWidth, client: wrap.clientWidth};
})"""


@pytest.mark.parametrize("name", ["results", "session", "calendar", "committee", "home"])
def test_tables_of_results_and_sessions_fit_a_phone_without_sideways_scrolling(
    phone, site_url, name
):
    page = open_type(phone, site_url, name, wait_until="load").page
    tables = page.evaluate(TABLES_JS)
    assert tables, "no table"
    assert all(t["scroll"] <= t["client"] for t in tables), tables


def test_chart_is_legible_or_left_to_its_table_on_a_phone(phone, site_url):
    page = open_type(phone, site_url, "results", wait_until="load").page
    # the chart scales down with the page: shown, its labels must stay legible
    label = page.evaluate(
        """() => { const t = document.querySelector('.civicloop-chart text');
                   return t ? t.getBoundingClientRect().height : null; }"""
    )
    assert label is not None, "no chart on the results page"
    assert label == 0 or label >= 11, f"chart labels are {label:.1f}px high on a phone"
    assert page.locator("#civicloop-content table").first.is_visible()
