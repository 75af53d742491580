"""The built sample site: pages, links, calendars, feed and open data, as readers get them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

import feedparser
import icalendar
import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import NOW, ROOT, SESSION, build_site, free_port, project, write

from civicloop.artefacts import artefacts
from civicloop.sitecontext import SiteContext

SITE_URL = "http://127.0.0.1:8000/"
SESSION_PAGE = "committees/sample-neighbourhood-committee/sessions/02-listening-to-families"


def html(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page / "index.html").read_text(), "html.parser")


def test_session_page_shows_agenda_time_place_and_polls(sample_site):
    page = html(sample_site, SESSION_PAGE)
    text = page.select_one("article").get_text(" ", strip=True)
    for expected in (
        "First results of the question to families",  # an agenda item
        "Tuesday 8 December 2026, 18:30–21:00 CET",  # in the committee's time zone
        "Sample Town Hall",
        "Which spot on your child's way to school worries you most?",  # a poll
    ):
        assert expected in text
    hrefs = [a["href"] for a in page.select("article a")]
    assert "../02-listening-to-families.ics" in hrefs
    assert "../../calendar.ics" in hrefs


def members_by_group(page: BeautifulSoup) -> dict[str, list[list[str]]]:
    """Each group of the committee page's members (a heading under "Members"): its rows."""
    groups = {}
    for heading in page.select("article h3"):
        table = heading.find_next_sibling()
        if table is not None and table.name == "table":
            rows = [
                [td.get_text(strip=True) for td in tr.select("td")] for tr in table.select("tr")
            ]
            groups[heading.get_text(strip=True).rstrip("¶")] = [r for r in rows if r]
    return groups


def test_committee_page_lists_members_by_role_and_selection(sample_site):
    page = html(sample_site, "committees/wallonia-deliberative-committee")
    assert members_by_group(page) == {  # since: the sources do not say
        "Citizen members": [["30 seats", "drawn by lot", "not published"]],
        "Politicians": [["10 seats", "elected", "not published"]],
        "Substitutes": [["30 seats", "drawn by lot", "not published"]],
    }
    assert "Past sessions" in page.get_text()
    sample = members_by_group(html(sample_site, "committees/sample-neighbourhood-committee"))
    assert sample["Citizen members"] == [["10 seats", "drawn by lot", "3 September 2026"]]
    assert sample["Politicians"] == [
        ["Sample Councillor (chair of the committee)", "elected", "10 September 2026"],
        ["4 seats", "elected", "10 September 2026"],
    ]
    assert sample["Other members"] == [
        ["Facilitator: Sample Facilitator", "appointed", "20 August 2026"]
    ]
    french = members_by_group(html(sample_site, "fr/committees/sample-neighbourhood-committee"))
    assert french["Membres citoyens"] == [["10 sièges", "tiré·e au sort", "3 septembre 2026"]]
    assert french["Autres membres"] == [
        ["Animateur·rice: Sample Facilitator", "nommé·e", "20 août 2026"]
    ]


def test_french_pages_have_french_language_and_labels(sample_site):
    page = html(sample_site, "fr/committees/wallonia-deliberative-committee")
    assert page.html["lang"] == "fr"
    text = page.get_text(" ", strip=True)
    assert "Mandat" in text and "tiré·e au sort" in text
    fallback = html(sample_site, f"fr/{SESSION_PAGE}")  # not translated: labels still French
    assert fallback.html["lang"] == "fr"
    assert "Ordre du jour" in fallback.get_text()


def test_home_lists_next_sessions_and_webinars(sample_site):
    text = html(sample_site, ".").select_one("article").get_text(" ", strip=True)
    assert "Next sessions" in text and "Listening to families" in text
    assert "Citizens and policy makers together" in text


def test_home_says_how_to_take_part_then_sessions_then_committees_as_cards(sample_site):
    page = html(sample_site, ".")
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h2")]
    assert headings[:3] == ["How to take part", "Next sessions", "Committees"]
    cards = page.select("article .grid.cards > ul > li")
    assert len(cards) == 3
    texts = {
        c.select_one("h3").get_text(strip=True).rstrip("¶"): c.get_text(" ", strip=True)
        for c in cards
    }
    sample = texts["Sample: safer streets to school"]
    assert "Political task committee · active" in sample
    assert "Next session: 8 Dec 2026, 18:30–21:00 CET · Listening to families" in sample
    wallonia = texts["First Deliberative Committee of the Parliament of Wallonia"]
    assert "Deliberative committee · concluded" in wallonia and "No upcoming session." in wallonia
    assert not page.select('article a[href^="https://t.me/"]')  # no bot configured
    take_part = page.select_one("article a[href='take-part/']")
    assert take_part.get_text() == "All the ways to take part"


def test_home_cards_follow_each_committee_when_the_bot_is_known(content, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLOOP_BOT_USERNAME", "town_bot")
    assert build_site(content, tmp_path / "out").returncode == 0
    page = html(tmp_path / "out", ".")
    (card,) = page.select("article .grid.cards > ul > li")
    links = [a["href"] for a in card.select('a[href^="https://t.me/"]')]
    assert links == ["https://t.me/town_bot?start=c-test"]


def test_take_part_and_accessibility_pages_in_both_languages(sample_site):
    for path, words in (
        ("take-part", ["Apply to be drawn by lot", "Answer polls", "Write to us:"]),
        ("fr/take-part", ["Se porter volontaire pour le tirage au sort", "Répondre aux sondages"]),
        (
            "accessibility",
            [
                "partially compliant",
                "Non-accessible content",
                "axe-core",
                "Enforcement procedure",
                "Feedback and contact",
                "This statement was prepared on",
            ],
        ),
        (
            "fr/accessibility",
            [
                "partiellement conforme",
                "Voies de recours",
                "Retours et contact",
                "Cette déclaration a été établie le",
            ],
        ),
    ):
        page = html(sample_site, path)
        text = page.select_one("article").get_text(" ", strip=True)
        for expected in words:
            assert expected in text, (path, expected)
        mail = page.select_one('article a[href="mailto:participation@sample-town.example"]')
        assert mail is not None, path


def test_open_data_page_links_each_file_and_its_schema(sample_site):
    page = html(sample_site, "fr/open-data")
    url = SITE_URL + "fr/open-data/"
    hrefs = {urljoin(url, a["href"]) for a in page.select("article a")}
    for name in ("committees.json", "sessions.json", "polls.json", "draws.json"):
        assert SITE_URL + "data/v1/" + name in hrefs
        assert SITE_URL + "data/v1/schema/" + name in hrefs
    assert {SITE_URL + "calendar.ics", SITE_URL + "fr/feed.xml"} <= hrefs  # the page's language
    assert "Chaque séance : quand et où" in page.get_text()


def test_navigation_has_no_doubled_labels_and_no_empty_toc_rail(sample_site):
    page = html(sample_site, "case-studies")
    nav = page.select_one(".md-sidebar--primary nav")
    links = nav.select("a.md-nav__link, label.md-nav__link")  # what the sidebar shows
    labels = [" ".join(x.get_text().split()) for x in links]
    assert labels.count("Case studies") == 1, labels
    assert "Committees" in labels and "Take part" in labels
    assert not nav.select("label.md-nav__title + ul:empty")
    for path, hidden in (
        ("privacy", True),
        ("open-data", True),
        (".", False),
        (SESSION_PAGE, False),
    ):
        rail = html(sample_site, path).select_one('[data-md-type="toc"]')
        assert rail.has_attr("hidden") == hidden, path


def test_webinar_video_waits_for_a_click(minimal_site):
    page = html(minimal_site, "webinars/a-webinar")
    assert not page.select("iframe, video, object, embed")
    box = page.select_one(".civicloop-video")
    assert box["data-embed"] == "https://www.youtube-nocookie.com/embed/abcdefghijk"
    assert box.select_one("button").get_text(strip=True) == "Play the video"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("", "No replay of this webinar is published."),
        ("fr/", "Aucun enregistrement de ce webinaire n'est publié."),
    ],
)
def test_a_webinar_without_a_replay_says_so(sample_site, lang, words):
    page = html(sample_site, lang + "webinars/citizens-and-policy-makers-together")
    assert not page.select(".civicloop-video")
    assert words in page.select_one("article").get_text(" ", strip=True)


def test_every_internal_link_resolves(sample_site):
    checked = 0
    for page in sample_site.rglob("*.html"):
        url = SITE_URL + page.relative_to(sample_site).as_posix()
        for a in BeautifulSoup(page.read_text(), "html.parser").select("a[href]"):
            target = urlsplit(urljoin(url, a["href"]))
            if f"{target.scheme}://{target.netloc}/" != SITE_URL:
                continue
            path = sample_site / target.path.lstrip("/")
            assert path.is_file() or (path / "index.html").is_file(), f"{page}: {a['href']}"
            checked += 1
    assert checked > 500


def test_calendars_are_valid_and_stable(sample_site):
    whole = icalendar.Calendar.from_ical((sample_site / "calendar.ics").read_bytes())
    events = whole.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    # 17 sessions, of which three (of the Walloon committee) have no known date: no event
    assert len(uids) == len(set(uids)) == 14
    timed = [e for e in events if isinstance(e.get("DTSTART").dt, datetime)]
    assert all(e.get("DTSTART").dt.tzinfo is not None for e in timed)
    by_uid = {str(e["UID"]): e for e in events}
    cancelled = by_uid["ec895932-b5ac-4132-a180-2edc89c70149"]  # 03-school-route-walk's id
    assert str(cancelled["STATUS"]) == "CANCELLED"
    one = icalendar.Calendar.from_ical((sample_site / f"{SESSION_PAGE}.ics").read_bytes()).walk(
        "VEVENT"
    )
    assert [str(e["UID"]) for e in one] == ["efbf3d6f-ce01-4e8b-8f75-3064e3f78a23"]
    committee = icalendar.Calendar.from_ical(
        (sample_site / "committees/wallonia-deliberative-committee/calendar.ics").read_bytes()
    )
    # its dates only (no time is published): all-day events, and no event for the three
    # sessions its sources place only in a window of days
    days = {e.get("DTSTART").dt: e for e in committee.walk("VEVENT")}
    assert sorted(days) == [date(2023, 10, 15), date(2023, 12, 3), date(2024, 2, 24)]
    assert all("Time not published." in str(e["DESCRIPTION"]) for e in days.values())
    assert str(committee["URL"]).endswith(
        "/committees/wallonia-deliberative-committee/calendar.ics"
    )


def test_calendars_are_the_same_in_every_build(sample_site, tmp_path):
    again = tmp_path / "again"
    assert build_site(ROOT / "content", again).returncode == 0
    for path in ("calendar.ics", f"{SESSION_PAGE}.ics"):
        assert (again / path).read_bytes() == (sample_site / path).read_bytes()


def test_feed_parses_with_entries(sample_site):
    feed = feedparser.parse((sample_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    links = {entry.link for entry in feed.entries}
    assert SITE_URL + "webinars/citizens-and-policy-makers-together/" in links
    assert SITE_URL + SESSION_PAGE + "/" in links


@pytest.mark.parametrize(
    "name", ["committees.json", "sessions.json", "polls.json", "recommendations.json"]
)
def test_open_data_matches_its_schema(sample_site, name):
    data = json.loads((sample_site / "data/v1" / name).read_text())
    schema = json.loads((sample_site / "data/v1/schema" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["version"] == 1


def test_open_data_is_complete_for_the_bot(sample_site):
    sessions = json.loads((sample_site / "data/v1/sessions.json").read_text())["sessions"]
    record = next(s for s in sessions if s["id"].endswith("02-listening-to-families"))
    assert record["starts"] == "2026-12-08T18:30:00+01:00"
    assert record["url"] == SITE_URL + SESSION_PAGE + "/"
    assert record["timezone"] == "Europe/Brussels"
    assert len(record["hash"]) == 64
    polls = json.loads((sample_site / "data/v1/polls.json").read_text())["polls"]
    poll = next(p for p in polls if p["id"] == "sample-safer-streets-worst-spot")
    assert poll["session"] == record["id"] and poll["kind"] == "single"
    assert len(poll["options"]) >= 2 and poll["opens"].endswith("+01:00")
    committees = json.loads((sample_site / "data/v1/committees.json").read_text())["committees"]
    wallonia = next(c for c in committees if c["id"] == "wallonia-deliberative-committee")
    assert wallonia["translations"]["fr"]["title"] != wallonia["title"]


def test_build_fails_with_the_validator_messages(content, tmp_path):
    write(
        content, "committees/test/sessions/01-first.md", SESSION.replace("number: 1", "number: x")
    )
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "content/committees/test/sessions/01-first.md:4: 'number' is 'x'" in output
    assert "Traceback" not in output


def test_small_site_builds_strict(content, tmp_path):
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/committees/test/sessions/01-first/index.html").is_file()


def test_every_artefact_is_published(sample_site):
    site = SiteContext.open(ROOT / "content", SITE_URL)
    made = artefacts(site, "civicloop")
    assert len(made) > 20
    assert [p for p in made if not (sample_site / p).is_file()] == []
    assert not (sample_site / "fr/calendar.ics").exists()  # one copy, at the site's root


FAILING = """\
import {module} as m
real = m.{function}
def fail(*args):
    if {when}:
        raise OSError("No space left on device")
    return real(*args)
m.{function} = fail
from mkdocs.__main__ import cli
cli()
"""


@pytest.mark.parametrize(
    "module, function, when, message",
    [
        ("civicloop.artefacts", "artefacts", "True", "making the calendars, feed and open data"),
    ],
)
def test_a_failure_in_the_second_process_stops_the_build(
    content, tmp_path, module, function, when, message
):
    """The calendars, feed and data are made by a second process: if it fails, so does the
    build, rather than publish a site without them."""
    failing = FAILING.format(module=module, function=function, when=when)
    result = build_site(content, tmp_path / "out", runner=("-c", failing))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "No space left on device" in output
    assert f"civicloop: {message} failed (see above)" in output
    assert not (tmp_path / "out/fr/index.html").exists()


def fetch(url: str) -> str | None:
    try:
        with urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def wait_for(predicate, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


def test_preview_builds_again_after_an_edit(content, tmp_path):
    """`make serve`: the server's rebuilds run beside its threads, where the second process is
    spawned rather than forked; each edit of the content makes one rebuild, in which it shows
    (in both languages), and the tree the plugin writes is not watched (no rebuild loop)."""
    config = project(content, tmp_path / "project")
    port = free_port()
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "NO_MKDOCS_2_WARNING": "1"}
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(config)]
            + ["--dev-addr", f"127.0.0.1:{port}"],
            env=env,
            cwd=config.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    calendar = f"http://127.0.0.1:{port}/calendar.ics"
    french = f"http://127.0.0.1:{port}/fr/committees/test/sessions/01-first/"
    try:
        first = wait_for(lambda: fetch(calendar), "the first build")
        assert "LOCATION:Town hall" in first
        session = content / "committees/test/sessions/01-first.md"
        for old, new in (("Town hall", "Library"), ("Library", "Museum")):
            session.write_text(session.read_text().replace(old, new))
            wait_for(lambda new=new: f"LOCATION:{new}" in (fetch(calendar) or ""), "the rebuild")
            wait_for(lambda new=new: new in (fetch(french) or ""), "the French page")
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log, log
    watching = next(line for line in log.splitlines() if "Watching paths for changes" in line)
    assert str(content.resolve()) in watching or "content" in watching, watching
    assert "build/source" not in watching, watching
    assert log.count("Building documentation...") == 3, log


def test_titles_reach_the_page_exactly_as_written(content, tmp_path):
    """MkDocs gets a short front matter rebuilt from the catalog (civicloop/generate.py):
    quotes, colons, backslashes, `#` and characters outside the BMP must survive it."""
    title = 'Budget: "who pays?" \\ #1 — café 🚲'
    session = content / "committees/test/sessions/01-first.md"
    session.write_text(session.read_text().replace("title: First session", f"title: '{title}'"))
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    page = html(tmp_path / "out", "committees/test/sessions/01-first")
    assert page.select_one("article h1").get_text() == title
    assert page.title.get_text().startswith(title)


FOOTER_LINKS = {
    "en": ["Take part", "Calendars", "All sessions (.ics)", "News feed (Atom)", "Open data"],
    "fr": ["Participer", "Agendas", "Toutes les séances (.ics)", "Fil d'actualités (Atom)"],
}


@pytest.mark.parametrize(
    ("page", "lang"), [(".", "en"), (SESSION_PAGE, "en"), ("fr", "fr"), ("fr/calendar", "fr")]
)
def test_the_footer_names_the_organisation_and_links_feed_calendars_and_data(
    sample_site, page, lang
):
    footer = html(sample_site, page).select_one("footer")
    text = footer.get_text(" ", strip=True)
    name = "Sample Town (sample organisation)" if lang == "en" else "Ville d'exemple"
    assert name in text and "Made with" not in text and "Material" not in text
    links = {a.get_text(strip=True): a["href"] for a in footer.select("a")}
    assert links["participation@sample-town.example"] == "mailto:participation@sample-town.example"
    for label in FOOTER_LINKS[lang]:
        assert label in links, (label, links)
    url = urljoin(SITE_URL, page.strip(".") + "/")
    calendar = urljoin(url, links[FOOTER_LINKS[lang][2]])
    assert calendar == SITE_URL + "calendar.ics"
    agenda = urljoin(url, links[FOOTER_LINKS[lang][1]])
    assert agenda == SITE_URL + ("fr/" if lang == "fr" else "") + "calendar/"
    pages = [urljoin(url, a["href"]) for a in footer.select("nav a")]
    prefix = SITE_URL + ("fr/" if lang == "fr" else "")
    for expected in ("take-part/", "calendar/", "open-data/", "accessibility/", "privacy/"):
        assert prefix + expected in pages


def test_the_organisation_is_configuration_and_shown_as_text(content, tmp_path, monkeypatch):
    name, words = 'Town <b>&amp; "Co"', "Run by <script>x()</script> & friends"
    monkeypatch.setenv("CIVICLOOP_ORG_NAME", name)
    monkeypatch.setenv("CIVICLOOP_FOOTER", words)
    monkeypatch.setenv("CIVICLOOP_ORG_COLOUR", "#1F5F8B")
    monkeypatch.setenv("CIVICLOOP_CONTACT", "https://town.example/write-to-us")
    monkeypatch.setenv("CIVICLOOP_ORG_LOGO", "https://town.example/logo.svg")
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = html(tmp_path / "out", "committees/test")
    assert not page.select("b") and all("x()" not in s.get_text() for s in page.select("script"))
    assert page.title.get_text().endswith(" - " + name)
    assert page.select_one(".md-header__topic .md-ellipsis").get_text(strip=True) == name
    assert page.select_one(".md-header .md-logo")["aria-label"] == name
    logo = page.select_one(".md-header .md-logo img")
    assert logo["src"] == "https://town.example/logo.svg" and logo["alt"] == ""
    footer = page.select_one("footer")
    assert footer.select_one(".civicloop-footer__name").get_text() == name
    assert words in footer.get_text()
    assert footer.select_one('a[href="https://town.example/write-to-us"]')
    assert ":root{--civicloop-primary:#1F5F8B}" in str(page.head)


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("CIVICLOOP_ORG_COLOUR", "#ffeb3b", "CIVICLOOP_ORG_COLOUR (extra.organisation.colour)"),
        ("CIVICLOOP_CONTACT", "javascript:alert(1)", "CIVICLOOP_CONTACT (extra.organisation"),
    ],
)
def test_a_setting_the_site_cannot_use_stops_the_build_saying_which(
    content, tmp_path, monkeypatch, setting, value, says
):
    monkeypatch.setenv(setting, value)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert says in output and "Traceback" not in output
