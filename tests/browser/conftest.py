"""Fixtures of the browser tests: the sample site built for and served at an address on
loopback, with gzip, and one Chromium for the whole package.

The browser is package-scoped, not session-scoped: Playwright's sync API keeps its event loop
marked as running in this thread while it is open, which pytest-asyncio's tests elsewhere in the
run must not meet, so it is closed when the last browser test has run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, build_site, minimal_content

from .gzipserver import SiteServer
from .sitecheck import CHROMIUM, DESKTOP, PHONE, FirstLoad, chromium_executable, first_load, launch


@pytest.fixture(scope="package")
def chromium() -> str:
    executable = chromium_executable()
    if executable is None:
        pytest.skip(
            f"Chromium not found (not at {CHROMIUM}, $CIVICLOOP_CHROMIUM nor on the PATH): the "
            "browser tests need Debian's chromium; `make chromium` installs it, `make test` too"
        )
    return executable


@pytest.fixture(scope="package")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        yield browser
        browser.close()


def serve(site: Path) -> Iterator[str]:
    with SiteServer(site) as server:
        yield server.url


def serve_built(content: Path, root: Path) -> Iterator[str]:
    """`content`'s site built into `root` for the address it is then served at,
    http://127.0.0.1:<port>/, gzip-compressed like a static host, as a real host's is: its
    absolute links (language alternates, the feed, calendars, Open Graph URLs) and the
    sitemaps Material fetches beside the alternates are the server's."""
    root.mkdir(parents=True)
    with SiteServer(root) as server:
        result = build_site(content, root, site_url=server.url)
        assert result.returncode == 0, result.stderr
        yield server.url


@pytest.fixture(scope="package")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site, built for and served at its address on loopback."""
    yield from serve_built(ROOT / "content", tmp_path_factory.mktemp("served") / "site")


@pytest.fixture(scope="package")
def minimal_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The minimal content's site (its webinar has a replay), built for and served at its
    address like the sample site."""
    folder = tmp_path_factory.mktemp("minimal-served")
    yield from serve_built(minimal_content(folder / "content"), folder / "site")


@pytest.fixture
def context(browser):
    """A fresh browser profile: empty cache, no cookies, no stored palette."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def phone(browser):
    """A 360x640 touch phone's browser context."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture(scope="package")
def first_loads(browser, site_url: str):
    """Each page type's first load (fresh profile each), measured once and shared by the
    privacy and weight tests."""
    cache: dict[str, FirstLoad] = {}

    def get(name: str) -> FirstLoad:
        if name not in cache:
            cache[name] = first_load(browser, site_url, name)
        return cache[name]

    return get
