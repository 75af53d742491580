"""From the page to the bot: the payload of each page type's "Follow on Telegram" link, as
Chromium reads it from the sample site built with a bot username, sent as `/start <payload>`
to the real bot (python-telegram-bot over HTTP against the local Bot API server) reading the
sample site's own open data; each is answered as its page promises.

Playwright's sync API keeps its event loop marked as running in the test's thread, so the bot,
which runs in an asyncio loop, runs in a thread of its own."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from botkit import Harness, write_bytes
from conftest import ROOT

from bot.localapi import ThreadedLocalBotApi
from bot.settings import Settings
from civicloop.opendata import data_files
from civicloop.sitecontext import SiteContext

from .test_follow import BOT, PAGES, followed_url  # noqa: F401 (a fixture)

SAMPLE = "Sample: safer streets to school"
ANSWERS = {  # page -> what the bot's answer to its link says
    "": "Committees you can follow",
    "take-part/": "Committees you can follow",
    "fr/committees/sample-neighbourhood-committee/": f"You now follow {SAMPLE}.",
    "committees/sample-neighbourhood-committee/sessions/02-listening-to-families/": (
        "Testimonies of parents and pupils"  # an item of that session's agenda
    ),
    "committees/sample-neighbourhood-committee/results/sample-safer-streets-priorities/": (
        f"You now follow {SAMPLE}."
    ),
}


def payloads_on_the_pages(context, base: str) -> dict[str, str]:
    found = {}
    for page in PAGES:
        tab = context.new_page()
        tab.goto(base + page, wait_until="load")
        # the page's own link, not those of the committee cards the home page shows
        own = "article a[href^='https://t.me/']:not(.civicloop-cards a)"
        href = tab.locator(own).get_attribute("href")
        link = urlsplit(href)
        assert link.netloc + link.path == f"t.me/{BOT}", href
        (found[page],) = parse_qs(link.query)["start"]
        tab.close()
    return found


async def answers(payloads: dict[str, str], root: Path) -> dict[str, str]:
    """Each payload sent by a person of its own who has chosen English: the bot's answer."""
    site = SiteContext.open(ROOT / "content", "http://127.0.0.1:8000/")
    for name, raw in data_files(site).items():
        write_bytes(root / "data" / name, raw)
    api = ThreadedLocalBotApi().start()
    try:
        settings = Settings(
            token=api.token,
            api_url=api.url,
            data=str(root / "data"),
            db=root / "bot.sqlite3",
            admins=frozenset({900}),
            secret=b"a-test-secret-of-at-least-32-bytes!",
            tick=0.1,
            refresh=0.2,
        )
        ctl = api.control()
        kit = Harness(api, ctl, settings)
        await kit.start()
        try:
            await kit.until(lambda: kit.rows("SELECT 1 FROM sessions_seen"), 30)  # data read
            replies = {}
            for user, (page, payload) in enumerate(payloads.items(), start=1):
                ctl.add_user(user, f"User{user}", language_code="en")
                welcome = await kit.command(user, "start", "What I store")
                await kit.press(user, welcome, "lang:en", "Committees you can follow")
                before = len(kit.messages(user))
                ctl.send_command(user, "start", payload)
                replies[page] = (await kit.reply_to(user, before, ANSWERS[page]))["text"]
            subscribed = kit.rows("SELECT user_id, committee FROM subscriptions ORDER BY user_id")
            replies["subscriptions"] = repr([tuple(r) for r in subscribed])
        finally:
            await kit.stop()
    finally:
        api.stop()
    return replies


def test_each_page_types_link_is_answered_by_the_bot(context, followed_url, tmp_path):  # noqa: F811
    payloads = payloads_on_the_pages(context, followed_url)
    assert set(payloads) == set(ANSWERS)
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["replies"] = asyncio.run(answers(payloads, tmp_path))
        except BaseException as error:  # shown by the test's thread
            result["error"] = error

    thread = threading.Thread(target=run, name="bot")
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive(), "the bot's part did not end within 180 s"
    if "error" in result:
        raise result["error"]
    replies = result["replies"]
    for page, said in ANSWERS.items():
        assert said in replies[page], (page, replies[page])
    # the people sent from a committee's page and from its results' (3rd and 5th) follow it
    committee = "sample-neighbourhood-committee"
    assert replies["subscriptions"] == repr([(3, committee), (5, committee)])
