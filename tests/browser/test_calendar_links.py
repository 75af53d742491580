"""Calendar links as a visitor meets them in Chromium: on each page that offers calendars, every
subscription line has its four links (calendar app, Google Calendar, Outlook, download) with
the right targets, and what the download and the app's address point at is served by the site
as a calendar that parses; "Add this session to my calendar" fetches that session's event. Only
the site itself is asked: the Google and Outlook links are read, not followed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

SAMPLE = "committees/sample-neighbourhood-committee/"
PAGES = {  # page -> the calendars it offers, by path in the site
    "calendar/": ["calendar.ics"],
    "": ["calendar.ics"],
    SAMPLE: [SAMPLE + "calendar.ics"],
    SAMPLE + "sessions/02-listening-to-families/": [SAMPLE + "calendar.ics"],
    "fr/committees/wallonia-deliberative-committee/": [
        "committees/wallonia-deliberative-committee/calendar.ics"
    ],
}
LINES_JS = """() => [...document.querySelectorAll("article li")]
  .filter((li) => [...li.querySelectorAll("a")].some((a) => a.href.includes("calendar.google")))
  .map((li) => [...li.querySelectorAll("a")].map((a) => a.href))"""


def fetch_calendar(page, url: str) -> icalendar.Calendar:
    response = page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"].startswith("text/calendar"), response.headers
    return icalendar.Calendar.from_ical(response.body())


@pytest.mark.parametrize("path", PAGES)
def test_each_subscription_line_links_to_a_calendar_the_site_serves(context, site_url, path):
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(site_url + path, wait_until="load")
    lines = page.evaluate(LINES_JS)
    downloads = [hrefs[-1] for hrefs in lines]
    assert {site_url + c for c in PAGES[path]} <= set(downloads), downloads
    for webcal, google, outlook, address in lines:
        # built for the address it is served at, the site links each calendar by its own
        # address: the download, the subscriptions and the calendar's URL property name it
        assert address.startswith(site_url), address
        assert webcal == "webcal" + address.removeprefix("http")
        google_url = urlsplit(google)
        assert google_url.netloc + google_url.path == "calendar.google.com/calendar/render"
        assert parse_qs(google_url.query) == {"cid": [webcal]}
        outlook_url = urlsplit(outlook)
        assert outlook_url.netloc + outlook_url.path == "outlook.live.com/calendar/0/addfromweb"
        assert parse_qs(outlook_url.query)["url"] == [address]
        calendar = fetch_calendar(page, address)
        assert str(calendar["URL"]) == address
        assert calendar.walk("VEVENT")
    assert hosts == {urlsplit(site_url).netloc}, hosts


def test_add_this_session_fetches_its_own_event(context, site_url):
    page = context.new_page()
    page.goto(site_url + SAMPLE + "sessions/02-listening-to-families/", wait_until="load")
    button = page.get_by_role("link", name="Add this session to my calendar")
    assert button.count() == 1
    href = button.evaluate("a => a.href")
    assert href == site_url + SAMPLE + "sessions/02-listening-to-families.ics"
    (event,) = fetch_calendar(page, href).walk("VEVENT")
    assert str(event["SUMMARY"]).endswith("Listening to families (sample data)")
    assert str(event["URL"]) == site_url + SAMPLE + "sessions/02-listening-to-families/"


@pytest.mark.parametrize(
    "path",
    [
        SAMPLE + "sessions/03-school-route-walk/",  # cancelled
        "committees/wallonia-deliberative-committee/sessions/02-getting-informed/",  # no date
    ],
)
def test_no_add_button_where_there_is_nothing_to_add(context, site_url, path):
    page = context.new_page()
    page.goto(site_url + path, wait_until="load")
    assert page.get_by_role("link", name="Add this session to my calendar").count() == 0
    assert page.locator(".civicloop-when").is_visible()
