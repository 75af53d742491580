"""What pages tell search engines, link previews and feed readers (civicloop/sharing.py and the
feeds): descriptions, Open Graph, sessions' schema.org Event, sitemaps, robots.txt, the feed of
each language; then the same in the built sample site."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SESSION, write

from civicloop import sharing
from civicloop.feed import feed
from civicloop.plaintext import heading, lead, shorten
from civicloop.sitecontext import SiteContext

BASE = "https://civic.example/"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SESSION_PATH = "committees/test/sessions/01-first.md"


def site_of(root: Path) -> SiteContext:
    site = SiteContext.open(root, BASE, NOW)
    assert site.catalog.problems == [], site.catalog.problems
    return site


def with_session(root: Path, **changes: str) -> SiteContext:
    """The `content` fixture with its session's front-matter lines changed (None: removed)."""
    text = SESSION
    for key, value in changes.items():
        line = re.compile(rf"^{key}:.*\n", re.MULTILINE)
        new = "" if value is None else f"{key}: {value}\n"
        text = line.sub(new, text) if line.search(text) else text.replace("---\n", f"---\n{new}", 1)
    write(root, SESSION_PATH, text)
    return site_of(root)


def event_of(site: SiteContext, lang: str = "en") -> dict:
    found = sharing.front(site, site.catalog.docs[SESSION_PATH], lang, "First session")
    return json.loads(found["event"])


def test_a_session_is_an_event_with_what_search_engines_require(content):
    event = event_of(site_of(content))
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert event["name"] == "Test committee: First session"
    assert event["startDate"] == "2026-12-08T18:30:00+01:00"
    assert event["endDate"] == "2026-12-08T21:00:00+01:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {"@type": "Place", "name": "Town hall", "address": "Town hall"}
    assert event["organizer"] == {
        "@type": "Organization",
        "name": "Test committee",
        "url": BASE + "committees/test/",
    }
    assert event["url"] == BASE + "committees/test/sessions/01-first/"
    assert event["inLanguage"] == "en"
    assert event["description"].startswith("Session 1 · Tuesday 8 December 2026, 18:30–21:00")
    assert "previousStartDate" not in event


def test_the_event_is_in_the_page_language(content):
    event = event_of(site_of(content), "fr")
    assert event["url"] == BASE + "fr/committees/test/sessions/01-first/"
    assert event["inLanguage"] == "fr"
    assert event["description"].startswith("Séance 1 · mardi 8 décembre 2026, 18:30–21:00")


@pytest.mark.parametrize(
    "changes, status",
    [
        ({"status": "cancelled"}, "EventCancelled"),
        ({"status": "held"}, "EventScheduled"),
        ({"status": "postponed"}, "EventPostponed"),  # to a date not known yet
        (
            {"status": "postponed", "postponed_from": "2026-12-01T18:30:00+01:00"},
            "EventRescheduled",
        ),
    ],
)
def test_the_event_says_what_became_of_the_session(content, changes, status):
    event = event_of(with_session(content, **changes))
    assert event["eventStatus"] == f"https://schema.org/{status}"
    if "postponed_from" in changes:
        assert event["previousStartDate"] == "2026-12-01T18:30:00+01:00"
        assert event["startDate"] == "2026-12-08T18:30:00+01:00"  # the new date
    else:
        assert "previousStartDate" not in event


def test_online_and_mixed_sessions(content):
    online = event_of(with_session(content, place=None, online="https://meet.example.org/x"))
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/x"}
    mixed = event_of(with_session(content, online="https://meet.example.org/x"))
    assert mixed["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in mixed["location"]] == ["Place", "VirtualLocation"]


def test_an_event_says_only_what_is_known_of_its_date(content):
    day = event_of(with_session(content, starts=None, ends=None, date="2026-12-08"))
    assert day["startDate"] == "2026-12-08" and "endDate" not in day
    site = with_session(content, starts=None, ends=None, date_between="[2026-12-01, 2026-12-20]")
    assert "event" not in sharing.front(site, site.catalog.docs[SESSION_PATH], "en", "First")
    site = with_session(content, starts=None, ends=None)
    assert "event" not in sharing.front(site, site.catalog.docs[SESSION_PATH], "en", "First")


def test_a_sample_event_says_so(content):
    committee = content / "committees/test/index.md"
    committee.write_text(
        committee.read_text().replace("status: active", "status: active\nsample: true")
    )
    site = site_of(content)
    assert event_of(site)["name"] == "[Sample] Test committee: First session"
    assert event_of(site, "fr")["name"].startswith("[Exemple] ")


def test_dates_are_schema_org_dates():
    """A time keeps its UTC offset; a day alone is a date; no date, no Event."""
    moment = datetime.fromisoformat("2026-12-08T18:30:00+01:00")
    assert sharing._moment(moment) == "2026-12-08T18:30:00+01:00"
    assert sharing._moment(date(2026, 12, 8)) == "2026-12-08"
    assert sharing._moment(None) is None


SCRIPT_BREAKERS = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!-- <script>",
    "]]> &amp; &lt;/script&gt; & <",
    "\u2028\u2029 line separators",
    '"quotes" \\ backslash',
]


@pytest.mark.parametrize("text", SCRIPT_BREAKERS)
def test_json_in_a_script_element_cannot_end_it(text):
    data = {"name": text, "list": [text, {"deep": text}]}
    made = sharing.script_json(data)
    assert not re.search("[<>&\u2028\u2029]", made)
    assert json.loads(made) == data
    # an HTML parser finds one script element whose text is the JSON, whole
    soup = BeautifulSoup(
        f'<script type="application/ld+json">{made}</script><p>after</p>', "html.parser"
    )
    assert json.loads(soup.script.string) == data and soup.p.string == "after"


def test_descriptions_come_from_each_page(content):
    site = site_of(content)

    def described(path: str, lang: str = "en") -> str:
        return sharing.front(site, site.catalog.docs[path], lang, "x")["description"]

    assert described("committees/test/index.md") == "How should we decide?"
    assert described(SESSION_PATH) == (
        "Session 1 · Tuesday 8 December 2026, 18:30–21:00 CET, Town hall. "
        "Agenda: Welcome; Hearing of experts."
    )
    assert described(SESSION_PATH, "fr") == (
        "Séance 1 · mardi 8 décembre 2026, 18:30–21:00 CET, Town hall. "
        "Ordre du jour : Welcome; Hearing of experts."
    )
    assert described("case-studies/a-case.md") == "What happened."
    assert described("webinars/a-webinar.md") == "What we discussed."
    assert described("index.md") == "Hello."
    values = {described(path) for path in site.catalog.docs}
    assert len(values) == len(site.catalog.docs)  # every page its own


def test_open_graph_of_a_page(content):
    site = site_of(content)
    share = sharing.front(site, site.catalog.docs[SESSION_PATH], "fr", "Première séance")["share"]
    assert share == {
        "title": "Première séance",
        "type": "article",
        "url": BASE + "fr/committees/test/sessions/01-first/",
        "locale": "fr_FR",
        "alternates": ["en_US"],
        "feed": BASE + "fr/feed.xml",
        "feed_title": "Actualités et résultats",
    }
    home = sharing.front(site, site.catalog.docs["index.md"], "en", "Home")["share"]
    assert (home["type"], home["url"], home["feed"]) == ("website", BASE, BASE + "feed.xml")


def test_plain_text_of_markdown():
    source = (
        "# The title\n\n!!! note\n    skipped\n\n- a list\n\nA **bold** [link](x.md) &amp; more.\n"
    )
    assert lead(source) == "A bold link & more."
    assert heading(source) == "The title"
    assert lead("# Only a heading\n") == ""
    assert shorten("word " * 100, 30) == "word word word word word word…"
    assert shorten("short", 30) == "short"


def test_page_sitemap_lists_the_page_and_its_translations(content):
    site = site_of(content)
    root = ET.fromstring(sharing.page_sitemap(site, site.catalog.docs[SESSION_PATH], "fr"))
    ns = {"s": sharing.SITEMAP, "x": sharing.XHTML}
    assert [e.text for e in root.findall("s:url/s:loc", ns)] == [
        BASE + "fr/committees/test/sessions/01-first/"
    ]
    assert {(e.get("hreflang"), e.get("href")) for e in root.findall("s:url/x:link", ns)} == {
        ("en", BASE + "committees/test/sessions/01-first/"),
        ("fr", BASE + "fr/committees/test/sessions/01-first/"),
    }


@pytest.mark.parametrize("value", ["plain", "a&b<c>d\"e'f", "\r\n\t é \u2028", "&amp;&#10;"])
def test_sitemap_text_escapes_as_elementtree_does(value):
    """The sitemap is written as text: its escapes are ElementTree's, in text and attributes."""
    element = ET.Element("e", a=value)
    element.text = value
    text = sharing._xml(value)
    assert (
        ET.tostring(element, encoding="unicode") == f'<e a="{sharing._xml(value, True)}">{text}</e>'
    )


def test_robots_txt_names_the_sitemaps(content):
    text = sharing.robots(site_of(content)).decode()
    assert text.splitlines()[:2] == ["User-agent: *", "Allow: /"]
    assert re.findall(r"^Sitemap: (.+)$", text, re.MULTILINE) == [BASE + "sitemap.xml"]


def test_the_feed_of_each_language_reads_in_words(content):
    site = site_of(content)
    for lang, when in (
        ("en", "Tuesday 8 December 2026, 18:30–21:00 CET, Town hall"),
        ("fr", "mardi 8 décembre 2026, 18:30–21:00 CET, Town hall"),
    ):
        parsed = feedparser.parse(feed(site, "Civic", lang))
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.feed.language == lang
        prefix = BASE if lang == "en" else BASE + "fr/"
        assert parsed.feed.links[0].href == prefix + "feed.xml"
        session = next(e for e in parsed.entries if e.link.endswith("sessions/01-first/"))
        assert session.link == prefix + "committees/test/sessions/01-first/"
        assert when in session.summary
        assert not re.search(r"\d{4}-\d\d-\d\dT", session.summary)  # no timestamp


def test_the_feed_has_results_and_marks_samples(sample_site_content):
    site = site_of(sample_site_content)
    for lang, mark in (("en", "[Sample] "), ("fr", "[Exemple] ")):
        entries = feedparser.parse(feed(site, "Civic", lang)).entries
        results = [e for e in entries if "/results/" in e.link]
        assert results, "no results entry"
        assert all(e.title.startswith(mark) for e in results)  # the sample committee's
        assert "44" in results[0].summary and "%" in results[0].summary
        wallonia = [e for e in entries if "wallonia" in e.link and "/sessions/" in e.link]
        assert wallonia and not any(e.title.startswith(mark) for e in wallonia)


@pytest.fixture
def sample_site_content() -> Path:
    return ROOT / "content"


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_feed_is_atom_as_rfc_4287_asks(sample_site_content, lang):
    """What RFC 4287 requires of a feed and its entries: one id, title and updated (RFC 3339
    dates) each, an author, and for entries without content a summary and an alternate link;
    ids unique, the feed's self link its own address."""
    site = site_of(sample_site_content)
    root = ET.fromstring(feed(site, "Civic", lang))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for element in (root, *root.findall("a:entry", atom)):
        for tag in ("id", "title", "updated"):
            assert len(element.findall(f"a:{tag}", atom)) == 1, (tag, element)
        assert RFC3339.match(element.findtext("a:updated", namespaces=atom))
    assert root.findall("a:author/a:name", atom)
    entries = root.findall("a:entry", atom)
    assert len(entries) > 10
    for entry in entries:
        assert entry.find("a:content", atom) is None
        assert entry.findtext("a:summary", namespaces=atom)
        assert entry.find("a:link[@rel='alternate']", atom) is not None
        assert RFC3339.match(entry.findtext("a:published", namespaces=atom))
    ids = [e.findtext("a:id", namespaces=atom) for e in entries]
    assert len(set(ids)) == len(ids)
    (self_link,) = root.findall("a:link[@rel='self']", atom)
    assert self_link.get("href") == BASE + sharing.feed_path(lang)


@pytest.mark.parametrize("lang, online", [("en", "Online"), ("fr", "En ligne")])
def test_a_session_is_online_only_when_it_has_an_online_link(content, lang, online):
    """A past session whose sources give no place is not described as online (review 3)."""
    unknown = with_session(content, status="held", place=None)
    words = sharing.description(unknown, unknown.catalog.docs[SESSION_PATH], lang)
    assert online not in words and "18:30–21:00 CET. " in words
    assert online not in event_of(unknown, lang)["description"]
    linked = with_session(content, place=None, online="https://meet.example.org/x")
    assert f", {online}." in sharing.description(linked, linked.catalog.docs[SESSION_PATH], lang)
