"""The external validators on the sample site (figures: bench/README.md, `make validators`):
the Nu Html Checker finds no error on any page, and Lighthouse's mobile profile gives each page
type, in each language, accessibility, best practices and SEO 100 and performance at least 95,
with nothing asked of another host. Both run offline from node_modules (`make node_modules`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .validators import checked_pages, lighthouse, missing_tools, nu_check

CHECKED = checked_pages()


@pytest.fixture(scope="package")
def nu() -> None:
    if reason := missing_tools(lighthouse=False):
        pytest.skip(reason)


@pytest.fixture(scope="package")
def validators() -> None:
    if reason := missing_tools():
        pytest.skip(reason)


@pytest.fixture(scope="package")
def nu_messages(nu, sample_site: Path):
    return nu_check(sample_site)


@pytest.mark.parametrize("name", list(CHECKED))
def test_nu_html_checker_finds_no_error_on_the_page_type(nu_messages, name):
    path = CHECKED[name]
    assert path in nu_messages, f"/{path} was not built or not checked"
    errors = [str(m) for m in nu_messages[path] if m.type == "error"]
    assert not errors, "\n".join(errors)


def test_nu_html_checker_finds_no_error_on_any_page(nu_messages):
    assert len(nu_messages) > 50
    errors = [str(m) for ms in nu_messages.values() for m in ms if m.type == "error"]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors[:40])


NU_CASES = {
    # Material's own markup, before site/overrides changed it
    "empty-tabindex.html": '<input type="checkbox" id="a"><label for="a" tabindex="">A</label>',
    "checkbox-autocomplete.html": '<input type="checkbox" id="a" autocomplete="off">',
    "label-for-nothing.html": '<label for="__toc">Table of contents</label>',
    "clean.html": '<input type="checkbox" id="a"><label for="a" tabindex="-1">A</label>',
}
NU_EXPECTED = {
    "empty-tabindex.html": "Bad value “” for attribute “tabindex” on element “label”",
    "checkbox-autocomplete.html": "Attribute “autocomplete” is only allowed when",
    "label-for-nothing.html": "The value of the “for” attribute of the “label” element must",
}


def test_nu_html_checker_reports_the_theme_errors_it_is_here_for(nu, tmp_path):
    for name, body in NU_CASES.items():
        (tmp_path / name).write_text(
            f'<!doctype html><html lang="en"><title>{name}</title><form>{body}</form></html>',
            encoding="utf-8",
        )
    found = nu_check(tmp_path)
    errors = {path: [m.message for m in ms if m.type == "error"] for path, ms in found.items()}
    assert errors["clean.html"] == []
    for name, expected in NU_EXPECTED.items():
        assert len(errors[name]) == 1 and errors[name][0].startswith(expected), errors[name]


@pytest.mark.parametrize("name", list(CHECKED))
def test_lighthouse_scores_reach_the_figures(validators, chromium, site_url, name):
    report = lighthouse(site_url + CHECKED[name], chromium)
    own = urlsplit(site_url).netloc
    foreign = [u for u in report.requests if urlsplit(u).scheme in ("http", "https")]
    foreign = [u for u in foreign if urlsplit(u).netloc != own]
    assert report.requests and not foreign, f"requests to other hosts: {foreign}"
    assert not report.below(), report.describe()
