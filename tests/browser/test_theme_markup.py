"""The theme's markup as site/overrides changes it for validity (Nu Html Checker, Lighthouse):
absolute `hreflang` alternates naming each page's translation, no failed request (Material's
sitemap look-ups beside them were 404s) and no console error, and the navigation on a phone and
the toggles' form unchanged for visitors, keyboard and screen readers."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .sitecheck import DESKTOP, PAGES, axe_violations, describe, open_page
from .validators import NOT_FOUND, TYPES, served

# The site's own address, as the build wrote it into pages (mkdocs.yml's site_url).
SITE_URL = os.environ.get("CIVICLOOP_SITE_URL") or "http://127.0.0.1:8000/"


class _Alternates(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "link" and attr.get("rel") == "alternate" and attr.get("hreflang"):
            self.links.setdefault(attr["hreflang"] or "", []).append(attr.get("href") or "")


def alternates(page: Path) -> dict[str, list[str]]:
    parser = _Alternates()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_hreflang_alternates_are_absolute_and_name_each_pages_translation(sample_site: Path):
    pages = sorted(p for p in sample_site.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 50
    wrong = []
    for page in pages:
        path = served(sample_site, page)
        links = alternates(page)
        if sorted(links) != ["en", "fr"] or any(len(hrefs) != 1 for hrefs in links.values()):
            wrong.append(f"{path}: {links}")
            continue
        targets = {}
        for lang, (href,) in links.items():
            if not href.startswith(SITE_URL):
                wrong.append(f"{path}: {lang} {href} is not under {SITE_URL}")
                continue
            target = href[len(SITE_URL) :]
            targets[lang] = target
            if not (sample_site / target / "index.html").is_file():
                wrong.append(f"{path}: {lang} {href} names no page")
        own = "fr" if path.startswith("fr/") else "en"
        if targets.get(own) != path:
            wrong.append(f"{path}: its own {own} alternate is {targets.get(own)}")
        english = path.removeprefix("fr/")
        if targets.get("en") != english or targets.get("fr") != "fr/" + english:
            wrong.append(f"{path}: alternates {targets}, not the same page in each language")
    assert not wrong, "\n".join(wrong[:30])


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_load_fails_no_request_and_logs_no_error(context, site_url, name):
    page = context.new_page()
    failed: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + PAGES[name], wait_until="networkidle")
    assert not failed, failed
    assert not errors, errors
    # Material read the alternates (its sitemap look-ups beside them answered, above).
    hrefs = page.evaluate(
        "[...document.querySelectorAll('link[rel=alternate][hreflang]')].map(l => l.href)"
    )
    assert len(hrefs) == 2 and all(h.startswith(site_url) for h in hrefs), hrefs


def test_the_search_dialog_has_a_name_in_each_language(context, site_url):
    for path, name in (("", "Search"), ("fr/", "Recherche")):
        page = open_page(context, site_url, path, wait_until="load").page
        assert page.get_by_role("dialog", name=name).count() == 1


def test_the_toggles_are_kept_from_restoring_their_state(context, site_url):
    """Browsers restore a form control's state on a return to the page unless its form says
    autocomplete="off": the drawer and search toggles belong to such a form, and stay where
    Material's CSS finds them (before the page's container)."""
    page = open_page(context, site_url, PAGES["session"], wait_until="load").page
    for toggle in ("__drawer", "__search"):
        found = page.evaluate(
            """id => { const el = document.getElementById(id);
              return {form: el.form && el.form.getAttribute('autocomplete'),
                      before: !!document.querySelector('#' + id + ' ~ .md-container')}; }""",
            toggle,
        )
        assert found == {"form": "off", "before": True}, (toggle, found)


@pytest.mark.parametrize("path", ["", "fr/", PAGES["session"]])
def test_the_navigation_works_on_a_phone(phone, site_url, path):
    """The drawer opens, a section opens in it, and its links lead to their pages; the
    sections' labels stay out of the Tab order, as Material had them."""
    page = open_page(phone, site_url, path, wait_until="load").page
    page.locator("label.md-header__button[for='__drawer']").tap()
    page.wait_for_function("document.getElementById('__drawer').checked")
    # a section with an index page (navigation.indexes): its link, and the label beside it
    # that opens it in the drawer
    section = (
        page.locator(".md-sidebar--primary .md-nav__container")
        .filter(has_text=re.compile("Case studies|Études de cas"))
        .locator("label.md-nav__link[for^='__nav_']")
    )
    assert section.get_attribute("tabindex") == "-1"
    section.tap()
    toggle = section.get_attribute("for")
    page.wait_for_function(f"document.getElementById('{toggle}').checked")
    link = page.locator(f"nav[aria-labelledby='{toggle}_label'] a.md-nav__link").first
    link.wait_for(state="visible")
    target = link.evaluate("a => a.href")
    link.tap()
    page.wait_for_url(target)


# The page types the other browser tests leave out (see sitecheck.PAGES), through axe as
# test_accessibility.py does those, in both palettes (Lighthouse sees only the light one).
OTHER_TYPES = [p for p in [*TYPES.values(), NOT_FOUND] if p not in PAGES.values()]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", OTHER_TYPES)
def test_axe_finds_no_wcag_a_or_aa_violation_on_the_other_page_types(
    browser, site_url, path, scheme
):
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    try:
        page = open_page(context, site_url, path, wait_until="load").page
        violations = axe_violations(page)
        assert not violations, f"/{path}, {scheme} palette:\n{describe(violations)}"
    finally:
        context.close()
