"""Privacy in Chromium: a page asks nothing of any other host, sets no cookie, and the video
host hears of a visitor only once they ask for the video."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .sitecheck import PAGES, VIDEO_PAGE, open_page, stand_in_for_video_hosts

# The site's own address, as the build wrote it into pages (mkdocs.yml's site_url).
SITE_URL = os.environ.get("CIVICLOOP_SITE_URL") or "http://127.0.0.1:8000/"


@pytest.mark.parametrize("name", list(PAGES))
def test_first_load_asks_only_the_site_and_sets_no_cookie(first_loads, name):
    load = first_loads(name)
    assert load.requests, "no request recorded"
    assert not load.foreign, f"requests to other hosts: {load.foreign}"
    assert not load.cookies, f"cookies set: {load.cookies}"


class _Assets(HTMLParser):
    """What a page makes the browser fetch by itself: scripts, styles, icons, fonts, images,
    frames, and hosts it asks to connect to in advance."""

    FETCHING = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "audio": "src",
        "video": "src",
        "source": "src",
        "embed": "src",
        "object": "data",
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "link" and attr.get("href"):
            rel = (attr.get("rel") or "").lower().split()
            if not {"alternate", "canonical"} & set(rel):
                self.urls.append(attr["href"])
        elif tag in self.FETCHING and attr.get(self.FETCHING[tag]):
            self.urls.append(attr[self.FETCHING[tag]])
        if attr.get("style") and "url(" in attr["style"]:
            self.urls += re.findall(r"url\(['\"]?([^'\")]+)", attr["style"])


def test_every_page_loads_its_assets_from_the_site_itself(sample_site: Path):
    own = urlsplit(SITE_URL).netloc
    foreign = []
    for path in sorted(sample_site.rglob("*.html")):
        parser = _Assets()
        parser.feed(path.read_text(encoding="utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "") and parts.netloc not in ("", own):
                foreign.append(f"{path.relative_to(sample_site)}: {url}")
    for css in sorted(sample_site.rglob("*.css")):
        for url in re.findall(r"url\(['\"]?((?:https?:)?//[^'\")]+)", css.read_text("utf-8")):
            foreign.append(f"{css.relative_to(sample_site)}: {url}")
    assert not foreign, "\n".join(foreign)


def test_video_host_is_contacted_only_after_the_visitor_asks(context, minimal_site_url):
    page = context.new_page()
    asked = stand_in_for_video_hosts(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(minimal_site_url + VIDEO_PAGE, wait_until="networkidle")
    own = urlsplit(minimal_site_url).netloc
    assert all(urlsplit(u).netloc == own for u in requests), requests
    assert not asked
    # Wait for the player's answer itself: the page was idle before the click, so waiting for
    # the network to be idle again could return before the iframe asked anything.
    with page.expect_response(lambda response: urlsplit(response.url).netloc != own):
        page.locator(".civicloop-video__play").click()
    hosts = {urlsplit(u).netloc for u in requests} - {own}
    assert hosts == {"www.youtube-nocookie.com"}, requests
    assert asked
    assert not context.cookies()


def test_palette_choice_is_kept_without_a_cookie(context, site_url):
    page = open_page(context, site_url, "", wait_until="load").page
    page.locator("label[for='__palette_1']").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    assert not context.cookies()
