"""What pages tell search engines, link previews and feed readers, as Chromium loads them from
the sample site served at the address it was built for: sessions' schema.org Event, each page
type's description and Open Graph tags, absolute and reciprocal `hreflang`, the feed each page
names, robots.txt and the sitemaps Material's language menu fetches (no 404 left)."""

from __future__ import annotations

import re

import feedparser
import pytest

from .sitecheck import open_page
from .validators import TYPES, checked_pages

CHECKED = {name: path for name, path in checked_pages().items() if path != "404.html"}
CANCELLED = "committees/sample-neighbourhood-committee/sessions/03-school-route-walk/"
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?[+-]\d\d:\d\d$")
EVENT_JS = """() => [...document.querySelectorAll('script[type="application/ld+json"]')]
  .map(s => JSON.parse(s.textContent))"""
HEAD_JS = """() => {
  const meta = {};
  for (const m of document.querySelectorAll('meta[property^="og:"], meta[name="description"]')) {
    const key = m.getAttribute('property') || m.getAttribute('name');
    (meta[key] = meta[key] || []).push(m.content);
  }
  const links = sel => [...document.querySelectorAll(sel)].map(l => [l.hreflang || l.type, l.href]);
  return {meta, alternates: links('link[rel=alternate][hreflang]'),
          feeds: links('link[rel=alternate][type="application/atom+xml"]')};
}"""


def lang_of(path: str) -> str:
    return "fr" if path.startswith("fr/") else "en"


@pytest.mark.parametrize("path", [TYPES["session"], "fr/" + TYPES["session"], CANCELLED])
def test_a_session_page_carries_its_event(context, site_url, path):
    page = open_page(context, site_url, path, wait_until="load").page
    (event,) = page.evaluate(EVENT_JS)
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    for key in ("name", "description", "startDate", "endDate", "location", "organizer"):
        assert event.get(key), key
    assert OFFSET.match(event["startDate"]) and OFFSET.match(event["endDate"]), event
    assert event["url"] == site_url + path == page.url
    assert event["inLanguage"] == lang_of(path)
    assert event["eventAttendanceMode"].startswith("https://schema.org/")
    assert event["organizer"]["@type"] == "Organization"
    assert event["organizer"]["url"].startswith(site_url)
    assert event["name"].startswith(("[Sample] ", "[Exemple] "))  # the sample committee's
    status = "EventCancelled" if path == CANCELLED else "EventScheduled"
    assert event["eventStatus"] == f"https://schema.org/{status}"
    places = event["location"] if isinstance(event["location"], list) else [event["location"]]
    assert {p["@type"] for p in places} <= {"Place", "VirtualLocation"}


@pytest.mark.parametrize("name", [n for n in CHECKED if not n.startswith("session")])
def test_other_pages_carry_no_event(context, site_url, name):
    page = open_page(context, site_url, CHECKED[name], wait_until="load").page
    assert page.evaluate(EVENT_JS) == []


def test_each_page_type_has_its_description_and_open_graph_tags(context, site_url):
    descriptions: dict[str, str] = {}
    for name, path in CHECKED.items():
        page = open_page(context, site_url, path, wait_until="load").page
        head = page.evaluate(HEAD_JS)
        meta = head["meta"]
        lang = lang_of(path)
        one = {key: values[0] for key, values in meta.items() if len(values) == 1}
        assert set(one) >= {
            "description",
            "og:title",
            "og:description",
            "og:type",
            "og:url",
            "og:locale",
            "og:site_name",
            "og:locale:alternate",
        }, (name, meta)
        assert one["og:url"] == site_url + path, name
        assert one["og:locale"] == {"en": "en_US", "fr": "fr_FR"}[lang], name
        assert one["og:locale:alternate"] == {"en": "fr_FR", "fr": "en_US"}[lang], name
        assert one["og:type"] in ("website", "article"), name
        assert one["og:description"] == one["description"], name
        assert one["og:title"] and one["og:title"] in page.title(), name
        assert "og:image" not in meta  # none of the site's own yet: none from elsewhere
        page.close()
        descriptions[name] = one["description"]
    # each page says what it is: no two page types of a language share a description (a page
    # not translated says in French what it says in English)
    by_text: dict[tuple[str, str], list[str]] = {}
    for name, text in descriptions.items():
        by_text.setdefault((lang_of(CHECKED[name]), text), []).append(name)
    assert not [names for names in by_text.values() if len(names) > 1], by_text


@pytest.mark.parametrize("name", list(CHECKED))
def test_hreflang_is_absolute_and_reciprocal(context, site_url, name):
    path = CHECKED[name]
    page = open_page(context, site_url, path, wait_until="load").page
    alternates = dict(page.evaluate(HEAD_JS)["alternates"])
    english = path.removeprefix("fr/")
    assert alternates == {"en": site_url + english, "fr": site_url + "fr/" + english}
    other = alternates["fr" if lang_of(path) == "en" else "en"]
    page.goto(other, wait_until="load")
    assert dict(page.evaluate(HEAD_JS)["alternates"]) == alternates  # it names this one back


@pytest.mark.parametrize("path, lang", [("", "en"), ("fr/", "fr"), (TYPES["session"], "en")])
def test_the_page_names_its_languages_feed_which_reads_in_words(context, site_url, path, lang):
    page = open_page(context, site_url, path, wait_until="load").page
    ((_, href),) = page.evaluate(HEAD_JS)["feeds"]
    assert href == site_url + ("feed.xml" if lang == "en" else "fr/feed.xml")
    response = page.request.get(href)
    assert response.status == 200
    parsed = feedparser.parse(response.body())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10" and parsed.feed.language == lang
    assert all(entry.link.startswith(site_url) for entry in parsed.entries)
    sessions = [e for e in parsed.entries if "/sessions/" in e.link]
    results = [e for e in parsed.entries if "/results/" in e.link]
    assert sessions and results
    # a session says its day, or, its date not known, the days it falls between (honest dates)
    date = {"en": r"\d+ [A-Z][a-z]+ \d{4}", "fr": r"\d+ [a-zéû]+ \d{4}"}[lang]
    weekdays = {"en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
                "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"}[lang]  # fmt: skip
    day = rf"({weekdays}) {date}"
    between = {"en": rf"Date not known: between {date} and {date}",
               "fr": rf"Date inconnue : entre le {date} et le {date}"}[lang]  # fmt: skip
    unsaid = [e.summary for e in sessions if not re.search(f"{day}|{between}", e.summary)]
    assert not unsaid, unsaid
    assert any(re.search(day, e.summary) for e in sessions), sessions[0].summary
    assert not any(re.search(r"\d{4}-\d\d-\d\dT", e.summary) for e in parsed.entries)


def test_robots_txt_names_the_sitemap_which_answers(context, site_url):
    page = context.new_page()
    robots = page.request.get(site_url + "robots.txt")
    assert robots.status == 200
    (sitemap,) = re.findall(r"^Sitemap: (\S+)$", robots.text(), re.MULTILINE)
    assert sitemap == site_url + "sitemap.xml"
    listed = page.request.get(sitemap)
    assert listed.status == 200 and site_url + "fr/" + TYPES["session"] in listed.text()


@pytest.mark.parametrize("name", list(checked_pages()))
def test_no_page_logs_a_404_or_asks_another_host(context, site_url, name):
    """Material fetches `sitemap.xml` beside each alternate link (languages and feed): every
    one answers; nothing is asked of any other host; the console stays clean."""
    page = context.new_page()
    failed: list[str] = []
    errors: list[str] = []
    sitemaps: list[int] = []
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("response", lambda r: r.url.endswith("/sitemap.xml") and sitemaps.append(r.status))
    page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(site_url + checked_pages()[name], wait_until="networkidle")
    assert failed == [] and set(sitemaps) <= {200}, (failed, sitemaps)
    assert not errors, errors
    if name != "not found":  # a page with alternates: Material looked beside them
        assert sitemaps, "no sitemap fetched"
    foreign = [u for u in requests if u.startswith(("http:", "https:"))]
    assert all(u.startswith(site_url) for u in foreign), foreign


def test_the_language_menu_leads_to_the_same_page_in_the_other_language(context, site_url):
    """With the sitemaps there, Material's language menu takes over the click: it must still
    land on the page's translation."""
    page = open_page(context, site_url, TYPES["session"], wait_until="networkidle").page
    page.locator("a.md-select__link[hreflang=fr]").dispatch_event("click")
    page.wait_for_url(re.compile(re.escape(site_url + "fr/" + TYPES["session"]) + "$"))
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.evaluate(EVENT_JS)[0]["inLanguage"] == "fr"
