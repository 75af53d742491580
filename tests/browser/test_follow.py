"""The "Follow on Telegram" link and QR code as readers get them, in Chromium: visible on each
page type, on screen and in print (the QR code is for posters), and loading nothing from
Telegram or anywhere else."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

from .conftest import serve_built
from .sitecheck import DESKTOP, axe_violations, describe

BOT = "civicloop_test_bot"
PAGES = {  # page -> the payload its link carries
    "": "committees",
    "take-part/": "committees",
    "fr/committees/sample-neighbourhood-committee/": "c-sample-neighbourhood-committee",
    "committees/sample-neighbourhood-committee/sessions/02-listening-to-families/": (
        "s-sample-neighbourhood-committee_02-listening-to-families"
    ),
    "committees/sample-neighbourhood-committee/results/sample-safer-streets-priorities/": (
        "c-sample-neighbourhood-committee"
    ),
}


@pytest.fixture(scope="module")
def followed_url(tmp_path_factory) -> Iterator[str]:
    """The sample site built with CIVICLOOP_BOT_USERNAME set, for and at its address on
    loopback."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVICLOOP_BOT_USERNAME", BOT)
        yield from serve_built(ROOT / "content", tmp_path_factory.mktemp("followed") / "site")


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("page", PAGES)
def test_follow_link_and_qr_code_are_shown(context, followed_url, page, media):
    tab = context.new_page()
    hosts: set[str] = set()
    tab.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    tab.goto(followed_url + page, wait_until="networkidle")
    tab.emulate_media(media=media)
    link = tab.locator("article a[href^='https://t.me/']:not(.civicloop-cards a)")
    assert link.count() == 1
    assert link.get_attribute("href") == f"https://t.me/{BOT}?start={PAGES[page]}"
    qr = tab.locator("article figure.civicloop-follow svg[role=img]")
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 140 and box["height"] == box["width"]
    assert qr.is_visible()
    assert tab.get_by_role("img", name=f"start={PAGES[page]}", exact=False).count() == 1
    assert hosts == {urlsplit(followed_url).netloc}  # nothing from Telegram


@pytest.mark.parametrize("lang", ["", "fr/"])
def test_each_committee_card_of_the_home_page_follows_its_committee(context, followed_url, lang):
    tab = context.new_page()
    tab.goto(followed_url + lang, wait_until="load")
    cards = tab.locator("article .civicloop-cards > ul > li")
    assert cards.count() == 3
    for i in range(cards.count()):
        card = cards.nth(i)
        committee = (
            card.locator("h3 a:not(.headerlink)").get_attribute("href").rstrip("/").split("/")[-1]
        )
        follow = card.get_by_role(
            "link", name="Suivre sur Telegram" if lang else "Follow on Telegram"
        )
        assert follow.get_attribute("href") == f"https://t.me/{BOT}?start=c-{committee}"
        assert follow.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violation_with_the_follow_link(browser, followed_url, page, scheme):
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(followed_url + page, wait_until="load")
        violations = axe_violations(tab)
        assert not violations, f"{page}, {scheme}:\n{describe(violations)}"
    finally:
        context.close()
