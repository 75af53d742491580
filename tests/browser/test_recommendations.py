"""The recommendations trackers in a browser: the script's menus filter the rows in place (the
links and anchors that work without it are checked in tests/test_recommendations.py), and the
tables read on a phone without sideways scrolling."""

from __future__ import annotations

import pytest

from .sitecheck import PAGES, axe_violations, describe, open_type

VISIBLE_JS = """() => [...document.querySelectorAll('.civicloop-tracker tbody tr')]
  .filter(tr => tr.offsetParent !== null).map(tr => tr.cells[0].textContent.trim())"""
HEADINGS_JS = """() => [...document.querySelectorAll('.civicloop-tracker h2')]
  .filter(h => h.offsetParent !== null).map(h => h.id)"""


def test_the_site_tracker_filters_by_status_and_committee(context, site_url):
    page = open_type(context, site_url, "recommendations tracker", wait_until="load").page
    everything = page.evaluate(VISIBLE_JS)
    assert len(everything) >= 10
    status = page.get_by_label("Status", exact=True)
    status.select_option("awaiting-response")
    assert page.evaluate(HEADINGS_JS) == ["status-awaiting-response"]
    assert page.evaluate(VISIBLE_JS) == [
        "A school street at drop-off and pick-up times",
        "A 20 km/h zone around the schools",
    ]
    status.select_option("")
    page.get_by_label("Committee", exact=True).select_option("wallonia-deliberative-committee")
    shown = page.evaluate(VISIBLE_JS)
    assert shown and "Raised crossings on the school routes" not in shown
    assert page.evaluate(HEADINGS_JS) == ["status-accepted"]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_committee_tracker_filters_by_status_only(context, site_url):
    page = open_type(context, site_url, "committee tracker", wait_until="load").page
    assert page.locator(".civicloop-tracker__filter select").count() == 1
    page.get_by_label("Status", exact=True).select_option("implemented")
    assert page.evaluate(VISIBLE_JS) == ["Covered cycle parking at each school"]


TABLES_JS = """() => [...document.querySelectorAll('#civicloop-content table')].map(t => {
  const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
  return {scroll: wrap.scrollWidth, client: wrap.clientWidth};
})"""


@pytest.mark.parametrize("name", ["recommendations tracker", "committee tracker", "recommendation"])
def test_the_tables_fit_a_phone(phone, site_url, name):
    assert name in PAGES
    page = open_type(phone, site_url, name, wait_until="load").page
    tables = page.evaluate(TABLES_JS)
    assert tables, "no table"
    assert all(t["scroll"] <= t["client"] for t in tables), tables
