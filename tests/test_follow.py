"""Following from the site: the `start` payload's format, the pages' links and QR codes with
and without a configured bot, and the bot's handling of each payload through the real client."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno
from botkit import COMMITTEE_ID, SECRET, SESSION_ID, TOKEN, buttons
from bs4 import BeautifulSoup
from conftest import ROOT, SESSION, build_site, write

from bot.settings import Settings
from bot.sitedata import short
from civicloop import follow
from civicloop.loading import load
from civicloop.sitecontext import SiteContext

BOT = "civicloop_test_bot"
TELEGRAM = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram allows in `start`

SLUGS = [
    "test",
    "sample-neighbourhood-committee",
    "A-Z-09",
    "x_y",
    "a b",
    "é",
    "comité-santé",
    "👍",
    "نقاش",
    "--",
    "committees",
    "c",
    "a.b",
    "x" * 62,  # the longest readable committee slug
    "é" * 23,  # 46 bytes: the longest base64url one
]


@pytest.mark.parametrize("slug", SLUGS)
def test_committee_payloads_round_trip_within_telegram_limits(slug):
    payload = follow.committee(slug)
    assert TELEGRAM.fullmatch(payload), payload
    assert follow.parse(payload) == follow.Target("committee", slug)


@pytest.mark.parametrize("committee", ["test", "x_y", "é", "a b"])
@pytest.mark.parametrize("stem", ["01-first", "02_second", "séance", "1"])
def test_session_payloads_round_trip(committee, stem):
    ident = f"{committee}/{stem}"
    payload = follow.session(ident)
    assert TELEGRAM.fullmatch(payload), payload
    assert follow.parse(payload) == follow.Target("session", ident)


def test_readable_forms_for_plain_names():
    assert follow.committee("sample-committee") == "c-sample-committee"
    assert follow.session("test/01-first") == "s-test_01-first"
    assert follow.parse("committees") == follow.Target("committees")


MALFORMED = [
    "",
    "c",
    "c-",
    "c_",
    "s-",
    "s_",
    "x-test",
    "C-test",
    "c+test",
    "c-te st",
    "c-test/x",
    "c-a_b",  # an underscore is never in the readable form
    "c_dGVzdA",  # base64url of 'test', which has a readable form: not canonical
    "c_dGVzdB",  # trailing bits set: not canonical
    "c_dGVzdA==",  # padded
    "c_YS9i",  # 'a/b': a committee slug has no '/'
    "c_____",
    "c_/w",  # not UTF-8 (and not base64url)
    "c__w",  # 0xff: not UTF-8
    "s-test",
    "s-test_",
    "s-_01",
    "s-test_01_x",
    "s_dGVzdC8wMS1maXJzdA",  # 'test/01-first' has a readable form
    "s_dGVzdA",  # 'test': no stem
    "s_dGVzdC8",  # 'test/': empty stem
    "s_YS9iL2M",  # 'a/b/c'
    "committee",
    "committeesx",
    "c-" + "x" * 63,  # longer than Telegram's 64
    "c-é",
    "c-test\n",
    "\u202ec-test",
    "c-test\x00",
    "/start c-test",
    "i-short",  # an invitation token is 16 to 43 characters
    "i-" + "A" * 44,
    "i_" + "A" * 32,  # no other form
    "i-" + "A" * 31 + "!",
]


def test_invitation_payloads_round_trip_within_telegram_limits():
    for token in ("A" * 16, "abc-DEF_0123456789abcdefghijklmn", "z" * 43):
        payload = follow.invitation(token)
        assert len(payload) <= follow.LIMIT
        assert follow.parse(payload) == follow.Target("invitation", token)
    with pytest.raises(ValueError, match="16 to 43"):
        follow.invitation("a b")


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_payloads_ask_for_nothing(payload):
    assert follow.parse(payload) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("civicloop_bot", "civicloop_bot"), ("@Civic_Bot", "Civic_Bot")],
)
def test_bot_username_is_optional(value, expected):
    env = {} if value is None else {"CIVICLOOP_BOT_USERNAME": value}
    assert follow.username(env) == expected


@pytest.mark.parametrize(
    "value", ["bot", "a" * 33, "civic-loop", "civic loop", "https://t.me/civicloop_bot", "bot?x"]
)
def test_a_bad_bot_username_is_one_clear_error(value):
    with pytest.raises(ValueError, match=r"CIVICLOOP_BOT_USERNAME is .*5 to 32"):
        follow.username({"CIVICLOOP_BOT_USERNAME": value})


def test_a_bad_bot_username_stops_the_build_with_that_message(content, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLOOP_BOT_USERNAME", "no-such name")
    result = build_site(content, tmp_path / "site")
    assert result.returncode != 0
    said = result.stdout + result.stderr  # MkDocs prints an abort on stdout
    assert "civicloop: CIVICLOOP_BOT_USERNAME is 'no-such name'" in said
    assert "Traceback" not in said


def test_names_too_long_for_a_link_are_refused_with_path_and_line(content):
    committee = (content / "committees/test/index.md").read_text()
    for slug in ("c" * 63, "y" * 62):  # payloads of 65 and 64 characters
        write(content, f"committees/{slug}/index.md", committee)
    for number, stem in ((2, "s" * 57), (3, "t" * 58)):  # s-test_sss...: 64 and 65
        session = SESSION.replace("test-poll", f"p{number}").replace(
            "number: 1", f"number: {number}"
        )
        write(content, f"committees/test/sessions/{stem}.md", session)
    problems = [str(p) for p in load(content).problems]
    tail = "over Telegram's 64: shorten its name (letters, digits and '-' make the shortest)"
    assert problems == [
        f"committees/{'c' * 63}/index.md:1: the committee's Telegram link would need a start "
        f"parameter of 65 characters (c-cccccccccc...), {tail}",
        f"committees/test/sessions/{'t' * 58}.md:1: the session's Telegram link would need a "
        f"start parameter of 65 characters (s-test_ttttt...), {tail}",
    ]


# --- the built site ---------------------------------------------------------------------------

PAGES = {  # page -> the payload its link carries
    "": follow.HOME,
    "committees/sample-neighbourhood-committee/": "c-sample-neighbourhood-committee",
    "committees/wallonia-deliberative-committee/": "c-wallonia-deliberative-committee",
    "committees/sample-neighbourhood-committee/sessions/02-listening-to-families/": (
        "s-sample-neighbourhood-committee_02-listening-to-families"
    ),
    "committees/sample-neighbourhood-committee/results/sample-safer-streets-priorities/": (
        "c-sample-neighbourhood-committee"
    ),
}
LABELS = {"": "Follow on Telegram", "fr/": "Suivre sur Telegram"}


@pytest.fixture(scope="module")
def followed_site(tmp_path_factory) -> Path:
    """The sample site built with CIVICLOOP_BOT_USERNAME set."""
    out = tmp_path_factory.mktemp("followed") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVICLOOP_BOT_USERNAME", BOT)
        result = build_site(ROOT / "content", out)
    assert result.returncode == 0, result.stderr
    return out


def _page(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page / "index.html").read_text(), "html.parser")


def _modules(svg: ET.Element) -> set[tuple[int, int]]:
    """The dark modules a segno SVG path draws (`M x y.5` then `h n` and `m dx dy` steps)."""
    path = svg.find(".//path[@class='qrline']").get("d")
    dark, x, y = set(), 0, 0
    for op, a, b in re.findall(r"([Mmh])(-?\d+)(?:[ ,](-?[\d.]+))?", path):
        if op == "M":
            x, y = int(a), int(float(b))
        elif op == "m":
            x, y = x + int(a), y + int(float(b))
        else:
            dark |= {(x + i, y) for i in range(int(a))}
            x += int(a)
    return dark


@pytest.mark.parametrize("lang", LABELS)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_type_links_to_the_bot_with_its_payload_and_qr(followed_site, page, lang):
    url = f"https://t.me/{BOT}?start={PAGES[page]}"
    soup = _page(followed_site, lang + page)
    links = soup.select("article a[href^='https://t.me/']:not(.civicloop-cards a)")
    assert [(a.get_text(strip=True), a["href"]) for a in links] == [(LABELS[lang], url)]
    figure = soup.select_one("article figure.civicloop-follow")
    assert url in figure.figcaption.get_text()
    svg = ET.fromstring(str(figure.svg))  # well-formed XML as well as HTML
    assert svg.get("role") == "img" and url in svg.find("title").text
    qr = segno.make(url, error="m", micro=False)  # the same link's code, module by module
    expected = {
        (x + qr.default_border_size, y + qr.default_border_size)
        for y, row in enumerate(qr.matrix)
        for x, bit in enumerate(row)
        if bit
    }
    assert _modules(svg) == expected


def test_pages_without_anything_to_follow_have_no_link(followed_site):
    for page in ("case-studies/", "webinars/", "calendar/"):
        soup = _page(followed_site, page)
        assert not soup.select("a[href^='https://t.me/']"), page


@pytest.mark.parametrize("page", PAGES)
def test_without_a_bot_username_there_is_no_follow_link(sample_site, page):
    soup = _page(sample_site, page)
    assert not soup.select("a[href*='t.me/']")
    assert not soup.select("figure.civicloop-follow")
    assert "Follow on Telegram" not in soup.get_text()


def test_every_payload_the_sample_site_makes_is_one_the_bot_reads():
    site = SiteContext.open(ROOT / "content", "http://127.0.0.1:8000/")
    for entry in site.catalog.of("committee"):
        assert follow.parse(follow.committee(entry.slug)) == follow.Target("committee", entry.slug)
    for entry in site.catalog.of("session"):
        assert follow.parse(follow.session(entry.id)) == follow.Target("session", entry.id)


# --- the bot ----------------------------------------------------------------------------------


async def _start(kit, user: int, payload: str, containing: str) -> dict:
    before = len(kit.messages(user))
    kit.ctl.send_command(user, "start", payload)
    return await kit.reply_to(user, before, containing)


async def _known(kit, user: int) -> None:
    welcome = await kit.command(user, "start", "What I store")
    await kit.press(user, welcome, "lang:en", "Committees you can follow")


async def test_a_committee_link_follows_in_one_tap(harness):
    await _known(harness, 1)
    reply = await _start(harness, 1, f"c-{COMMITTEE_ID}", "You now follow Test committee.")
    assert buttons(reply) == [f"sub:{short(COMMITTEE_ID)}"]
    await harness.rows_become(
        [(COMMITTEE_ID,)], "SELECT committee FROM subscriptions WHERE user_id = 1"
    )


async def test_a_new_person_follows_after_the_language_even_across_a_restart(harness):
    kit = harness
    welcome = await _start(kit, 2, f"c-{COMMITTEE_ID}", "Ce que je conserve")
    key = short(COMMITTEE_ID)
    assert buttons(welcome) == [f"lang:en:c:{key}", f"lang:fr:c:{key}"]
    await kit.rows_become([], "SELECT committee FROM subscriptions WHERE user_id = 2")
    await kit.stop()
    await kit.start()
    await kit.press(2, welcome, f"lang:fr:c:{key}", "Vous suivez désormais Test committee.")
    await kit.rows_become(
        [(COMMITTEE_ID,)], "SELECT committee FROM subscriptions WHERE user_id = 2"
    )
    await kit.rows_become([("fr",)], "SELECT language FROM users WHERE user_id = 2")


async def test_a_session_link_opens_its_agenda(harness):
    kit = harness
    await _known(kit, 1)
    agenda = await _start(kit, 1, follow.session(SESSION_ID), "Agenda")
    assert "Hearing of experts" in agenda["text"]
    welcome = await _start(kit, 3, follow.session(SESSION_ID), "What I store")
    key = short(SESSION_ID)
    assert buttons(welcome) == [f"lang:en:s:{key}", f"lang:fr:s:{key}"]
    agenda = await kit.press(3, welcome, f"lang:en:s:{key}", "Hearing of experts")
    assert "Agenda" in agenda["text"]
    await kit.rows_become([], "SELECT committee FROM subscriptions WHERE user_id = 3")


async def test_the_home_page_link_lists_the_committees(harness):
    await _known(harness, 1)
    listing = await _start(harness, 1, follow.HOME, "Committees you can follow")
    assert buttons(listing) == [f"sub:{short(COMMITTEE_ID)}"]


UNKNOWN = [
    # surrounding spaces do not count (as in Telegram's clients): "c-test\n" is c-test
    *(p for p in MALFORMED if p.strip() and follow.parse(p.strip()) is None),
    "c-no-such-committee",
    "s-test_99-none",
    follow.committee("é"),  # well-formed, but no such committee
    "c-" + "x" * 62,
    "x" * 500,
    "c-test c-test",
    "<b>c-test</b>",
]


@pytest.mark.parametrize("payload", ["c-test\n", " c-test "])
def test_only_surrounding_spaces_are_dropped(payload):
    assert follow.parse(payload.strip()) == follow.Target("committee", "test")


async def test_unknown_or_malformed_payloads_get_the_welcome_and_one_sentence(harness):
    kit = harness
    await _known(kit, 1)
    for payload in UNKNOWN:
        try:
            reply = await _start(kit, 1, payload, "I do not know the page this link comes from")
        except AssertionError:
            raise AssertionError(f"no welcome for {payload!r}") from None
        assert reply["text"].startswith(
            "I do not know the page this link comes from; here is how I work.\n\nHello!"
        ), payload
        assert buttons(reply) == ["lang:en", "lang:fr"], payload
    await kit.rows_become([], "SELECT committee FROM subscriptions WHERE user_id = 1")


async def test_a_plain_start_says_nothing_of_links(harness):
    welcome = await harness.command(1, "start", "What I store")
    assert "I do not know" not in welcome["text"]


LOCAL_BOT = "local123456_bot"  # the local Bot API server's bot (getMe)


async def test_the_bot_warns_when_the_sites_links_open_another_bot(make_harness, caplog):
    caplog.set_level(logging.WARNING)
    await make_harness(username="someone_else_bot")
    warned = [r.getMessage() for r in caplog.records if "CIVICLOOP_BOT_USERNAME" in r.getMessage()]
    assert warned == [
        f"CIVICLOOP_BOT_USERNAME is someone_else_bot, but this bot is @{LOCAL_BOT}: the site's "
        "follow links open another bot"
    ]


async def test_the_bot_says_nothing_when_the_links_open_it(make_harness, caplog):
    caplog.set_level(logging.WARNING)
    await make_harness(username=LOCAL_BOT.upper())  # usernames ignore case
    assert not [r for r in caplog.records if "CIVICLOOP_BOT_USERNAME" in r.getMessage()]


def test_the_bots_settings_refuse_a_bad_username():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "CIVICLOOP_SECRET": SECRET}
    assert Settings.from_env(env).username is None
    assert (
        Settings.from_env({**env, "CIVICLOOP_BOT_USERNAME": "@civic_bot"}).username == "civic_bot"
    )
    with pytest.raises(ValueError, match="CIVICLOOP_BOT_USERNAME is 'civic-bot'"):
        Settings.from_env({**env, "CIVICLOOP_BOT_USERNAME": "civic-bot"})
