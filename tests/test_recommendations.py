"""Recommendations: every validation rule of the type (one file changed in the small valid
content of conftest, answered with `path:line: message`), the response clock, the status
history from git, and what the built sample site says of them (trackers, pages, feed,
calendars, open data)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import write
from test_content_corpus import check, validate

from civicloop.feed import feed
from civicloop.opendata import data_files
from civicloop.sitecontext import SiteContext
from civicloop.types.recommendation import Clock

R = "committees/test/recommendations/01-ask.md"
HELD = """\
---
type: session
title: Held session
number: 2
starts: 2026-10-06T18:30:00+02:00
ends: 2026-10-06T21:00:00+02:00
status: held
place: Town hall
---
"""
TRACKER = "---\ntype: listing\nlist: recommendations\ntitle: Recommendations\n---\n"
RECOMMENDATION = """\
---
type: recommendation
title: Ask the council
summary: What it asks.
wording: The council does it.
language: en
adopted_at: 00-held
votes:
  citizen: {for: 20, against: 5, abstained: 5}
  politician: {for: 8, against: 1, abstained: 1}
owed_by: the council
response_due: 2026-12-09
status: awaiting-response
---
Body.
"""
RESPONSE = """\
response:
  date: 2026-11-10
  url: https://example.org/response.pdf
  summary: Yes.
"""
RATING = """\
rating:
  id: a-rating
  opens: 2026-11-12T09:00:00+01:00
  closes: 2026-12-15T20:00:00+01:00
"""


@pytest.fixture
def content(content: Path) -> Path:
    """conftest's content with a held session, a committee tracker and one recommendation."""
    write(content, "committees/test/sessions/00-held.md", HELD)
    write(content, "committees/test/recommendations/index.md", TRACKER)
    write(content, R, RECOMMENDATION)
    return content


def rec(old: str, new: str) -> str:
    assert old in RECOMMENDATION
    return RECOMMENDATION.replace(old, new)


ANSWERED = rec("status: awaiting-response\n", "status: accepted\n" + RESPONSE)

RULES = [
    pytest.param(
        rec("status: awaiting-response", "status: waiting"),
        "13: 'status' is 'waiting': Input should be 'awaiting-response', 'accepted', "
        "'partly-accepted', 'rejected', 'in-progress', 'implemented', 'not-implemented' or "
        "'withdrawn'",
        id="unknown-status",
    ),
    pytest.param(
        rec("status: awaiting-response\n", "status: awaiting-response\n" + RESPONSE),
        "13: 'status' is 'awaiting-response', but a 'response' is given; set the status it "
        "gives (accepted, partly-accepted, rejected, in-progress, implemented, not-implemented)",
        id="awaiting-with-a-response",
    ),
    pytest.param(
        rec("status: awaiting-response", "status: implemented"),
        "13: 'status' is 'implemented', which needs the authority's 'response' (date, url, "
        "summary); keep 'status: awaiting-response' until it is published",
        id="answered-without-a-response",
    ),
    pytest.param(
        ANSWERED.replace(
            "---\nBody",
            "milestones:\n  - date: 2026-11-20\n    what: Second\n"
            "  - date: 2026-11-12\n    what: First\n---\nBody",
        ),
        "18: 'milestones' is [{'date': '2026-11-20', 'what': 'Second'}, {'date': '2026-11-12', "
        "'what': 'Fi...: are not in date order; list them oldest first",
        id="milestones-out-of-order",
    ),
    pytest.param(
        rec(
            "votes:\n  citizen: {for: 20, against: 5, abstained: 5}\n"
            "  politician: {for: 8, against: 1, abstained: 1}\n",
            "votes: {}\n",
        ),
        "8: 'votes' is {}: 'votes' gives no group; give 'citizen' and/or 'politician' (for, "
        "against, abstained), or remove 'votes' when the vote is not known",
        id="votes-without-a-group",
    ),
    pytest.param(
        rec("{for: 20, against: 5, abstained: 5}", "{for: 20, against: 5}"),
        "9: missing required field 'votes.citizen.abstained'",
        id="a-vote-figure-missing",
    ),
    pytest.param(
        rec("{for: 20, against: 5,", "{for: -1, against: 5,"),
        "9: 'votes.citizen.for' is -1: Input should be greater than or equal to 0",
        id="a-negative-vote",
    ),
    pytest.param(
        rec("{for: 20, against: 5,", "{for: 40, against: 5,"),
        "9: 'votes.citizen' counts 50 votes (for, against, abstained), but the committee has "
        "30 citizen seats; check the figures",
        id="more-votes-than-seats",
    ),
    pytest.param(
        rec("---\nBody", RATING + "---\nBody"),
        "14: 'rating' rates the response, but there is no 'response' yet",
        id="rating-without-a-response",
    ),
    pytest.param(
        ANSWERED.replace(
            "---\nBody", RATING.replace("2026-11-12T09", "2026-11-02T09") + "---\nBody"
        ),
        "18: 'rating' opens on 2026-11-02, before the response (2026-11-10); open it once the "
        "response is published",
        id="rating-before-the-response",
    ),
    pytest.param(
        ANSWERED.replace(
            "---\nBody", RATING.replace("2026-12-15T20", "2026-11-01T20") + "---\nBody"
        ),
        "21: 'rating.closes' is '2026-11-01T20:00:00+01:00': must be after 'opens' "
        "(2026-11-12T09:00:00+01:00)",
        id="rating-closes-before-it-opens",
    ),
    pytest.param(
        ANSWERED.replace("title: Ask the council", "title: " + "x" * 270).replace(
            "---\nBody", RATING + "---\nBody"
        ),
        "18: 'rating' is {'id': 'a-rating', 'opens': '2026-11-12T09:00:00+01:00', 'closes': "
        "'2026-12-1...: asks 'How do you rate the response to: <title>?', over Telegram's 300 "
        "characters with this 'title'; shorten the title",
        id="rating-question-too-long",
    ),
    pytest.param(
        ANSWERED.replace("---\nBody", RATING.replace("a-rating", "test-poll") + "---\nBody"),
        "19: duplicate poll id 'test-poll' (also in committees/test/sessions/01-first.md); poll "
        "ids must be unique across the site",
        id="rating-id-taken-by-a-session-poll",
    ),
    pytest.param(
        rec("adopted_at: 00-held", "adopted_at: 09-later"),
        "7: 'adopted_at' is '09-later', which is no session of this committee; known: "
        "00-held, 01-first",
        id="adopted-at-no-session",
    ),
    pytest.param(
        rec("adopted_at: 00-held", "adopted_at: 01-first"),
        "7: 'adopted_at' is '01-first', a session whose status is 'scheduled'; a "
        "recommendation is adopted at a session held",
        id="adopted-at-a-session-not-held",
    ),
    pytest.param(
        rec("response_due: 2026-12-09", "response_due: 2026-09-01"),
        "12: 'response_due' is 2026-09-01, before the recommendation was adopted (2026-10-06, "
        "at '00-held'); check the date",
        id="due-before-adoption",
    ),
    pytest.param(
        ANSWERED.replace("date: 2026-11-10", "date: 2026-10-01"),
        "15: 'response.date' is 2026-10-01, before the recommendation was adopted "
        "(2026-10-06, at '00-held'); check the date",
        id="response-before-adoption",
    ),
    pytest.param(
        ANSWERED.replace(
            "---\nBody", "milestones:\n  - date: 2026-10-02\n    what: Early\n---\nBody"
        ),
        "19: 'milestones[0].date' is 2026-10-02, before the recommendation was adopted "
        "(2026-10-06, at '00-held'); check the date",
        id="milestone-before-adoption",
    ),
    pytest.param(
        rec("language: en", "language: English"),
        "6: 'language' is 'English': String should match pattern '^[a-z]{2}$'",
        id="language-not-a-code",
    ),
    pytest.param(
        ANSWERED.replace("https://example.org/response.pdf", "javascript:alert(1)"),
        "16: 'response.url' is 'javascript:alert(1)': uses the scheme 'javascript:'; only "
        "https:, http:, mailto: and relative links are allowed",
        id="response-link-unsafe",
    ),
    pytest.param(
        rec("owed_by: the council\n", ""),
        "1: missing required field 'owed_by'",
        id="owed-by-missing",
    ),
    pytest.param(
        rec("response_due: 2026-12-09", "response_due: 2026-12-32"),
        "12: 'response_due' is '2026-12-32': Input should be a valid date or datetime, day "
        "value is outside expected range",
        id="due-not-a-date",
    ),
]


@pytest.mark.parametrize("text, expected", RULES)
def test_each_rule(content, capsys, text, expected):
    check(content, capsys, R, text, expected)


def test_the_valid_recommendation_passes(content, capsys):
    assert validate(content, capsys)[0] == 0


def test_a_translation_sets_only_the_translated_fields(content, capsys):
    check(
        content,
        capsys,
        "committees/test/recommendations/01-ask.fr.md",
        "---\ntitle: Demander au conseil\nwording: Le conseil le fait.\n---\n",
        "3: 'wording' is not translated; a translation may set: area, summary, title",
    )


def test_a_committee_with_recommendations_needs_its_tracker(content, capsys):
    (content / "committees/test/recommendations/index.md").unlink()
    status, lines = validate(content, capsys)
    assert status == 1
    assert lines == [
        "committees/test/index.md:1: the committee has recommendations but no tracker: add "
        "committees/test/recommendations/index.md with 'type: listing', 'list: "
        "recommendations' and a title (`civicloop new recommendation` writes it)"
    ]


def test_a_recommendation_of_no_committee(content, capsys):
    check(
        content,
        capsys,
        "committees/gone/recommendations/01-x.md",
        RECOMMENDATION,
        "1: recommendation of committee 'gone', but committees/gone/index.md is missing or invalid",
    )


@pytest.mark.parametrize(
    "today, status, due, answered, said, overdue",
    [
        (
            date(2026, 11, 27),
            "awaiting-response",
            date(2026, 12, 9),
            None,
            "response due in 12 days",
            False,
        ),
        (
            date(2026, 12, 8),
            "awaiting-response",
            date(2026, 12, 9),
            None,
            "response due in 1 day",
            False,
        ),
        (
            date(2026, 12, 9),
            "awaiting-response",
            date(2026, 12, 9),
            None,
            "response due today",
            False,
        ),
        (
            date(2026, 12, 10),
            "awaiting-response",
            date(2026, 12, 9),
            None,
            "response overdue by 1 day",
            True,
        ),
        (
            date(2026, 11, 27),
            "awaiting-response",
            date(2026, 10, 18),
            None,
            "response overdue by 40 days",
            True,
        ),
        (
            date(2026, 11, 27),
            "awaiting-response",
            None,
            None,
            "no response deadline published",
            False,
        ),
        (
            date(2026, 11, 27),
            "accepted",
            date(2026, 10, 18),
            date(2026, 11, 10),
            "answered on 10 November 2026",
            False,
        ),
        (date(2026, 11, 27), "withdrawn", date(2026, 10, 18), None, "withdrawn", False),
    ],
)
def test_the_clock(today, status, due, answered, said, overdue):
    clock = Clock(today, status, due, answered)
    assert clock.text("en") == said
    assert clock.overdue is overdue


def test_the_clock_in_french():
    assert (
        Clock(date(2026, 11, 27), "awaiting-response", date(2026, 10, 18), None).text("fr")
        == "réponse en retard de 40 jours"
    )


def commit(folder: Path, when: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=e@example.org", "commit", "-qm", "x"],
        cwd=folder,
        check=True,
        env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "PATH": "/usr/bin:/bin"},
    )


def test_status_changes_come_from_git_and_reach_page_feed_and_data(content):
    subprocess.run(["git", "init", "-q"], cwd=content, check=True)
    commit(content, "2026-10-07T10:00:00+00:00")
    write(content, R, ANSWERED)
    commit(content, "2026-11-11T10:00:00+00:00")
    site = SiteContext.open(content, "http://x.test/", datetime(2026, 11, 27, 12, tzinfo=UTC))
    record = next(
        r
        for r in json.loads(data_files(site)["recommendations.json"])["recommendations"]
        if r["id"] == "test/01-ask"
    )
    assert record["history"] == [
        {"date": "2026-10-07T10:00:00Z", "status": "awaiting-response"},
        {"date": "2026-11-11T10:00:00Z", "status": "accepted"},
    ]
    entry = next(
        e for e in feedparser.parse(feed(site, "t", "en")).entries if e.link.endswith("/01-ask/")
    )
    assert entry.updated == "2026-11-11T10:00:00+00:00"
    assert "Status: accepted" in entry.summary


def test_an_overdue_response_updates_the_feed_entry_when_it_falls_due(content):
    subprocess.run(["git", "init", "-q"], cwd=content, check=True)
    commit(content, "2026-10-07T10:00:00+00:00")
    site = SiteContext.open(content, "http://x.test/", datetime(2026, 12, 12, 12, tzinfo=UTC))
    entry = next(
        e for e in feedparser.parse(feed(site, "t", "en")).entries if e.link.endswith("/01-ask/")
    )
    # due 9 December: overdue from the start of the 10th, Brussels time
    assert entry.updated == "2026-12-10T00:00:00+01:00"
    assert "response overdue by 3 days" in entry.summary


# -- the built sample site -------------------------------------------------------------------

SAMPLE = "committees/sample-neighbourhood-committee"


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(), "html.parser")


def test_the_site_tracker_shows_due_overdue_and_answered_with_the_date(sample_site):
    tracker = page(sample_site, "recommendations")
    text = tracker.get_text(" ", strip=True)
    assert "Computed on 27 November 2026, when the site was built." in text
    rows = {
        tr.find("a").get_text(): tr.find_all("td")[-1].get_text()
        for tr in tracker.select(".civicloop-tracker tbody tr")
    }
    assert rows["A school street at drop-off and pick-up times"] == "response due in 12 days"
    assert rows["A 20 km/h zone around the schools"] == "response overdue by 40 days"
    assert rows["Raised crossings on the school routes"] == "answered on 10 November 2026"
    assert rows["Covered cycle parking at each school"] == "answered on 28 October 2026"
    # filters without a script: status anchors and each committee's own tracker
    anchors = [a["href"] for a in tracker.select(".civicloop-tracker p a[href^='#status-']")]
    assert anchors == ["#status-awaiting-response", "#status-accepted", "#status-implemented"]
    assert all(tracker.find(id=a[1:]) for a in anchors)
    links = {a["href"] for a in tracker.select(".civicloop-tracker p a")}
    assert f"../{SAMPLE}/recommendations/" in links
    french = page(sample_site, "fr/recommendations").get_text(" ", strip=True)
    assert "réponse en retard de 40 jours" in french and "Calculé le 27 novembre 2026" in french


def test_the_committee_tracker_and_summary(sample_site):
    tracker = page(sample_site, f"{SAMPLE}/recommendations")
    heads = [th.get_text() for th in tracker.select(".civicloop-tracker thead th")]
    assert heads[:2] == ["Recommendation", "Response"]  # no committee column
    summary = page(sample_site, SAMPLE)
    section = summary.find(id="recommendations")
    assert section is not None
    text = section.find_next("p").get_text(" ", strip=True)
    items = [li.get_text(" ", strip=True) for li in section.find_next("ul").find_all("li")]
    assert items == ["Awaiting response : 2", "Accepted : 1", "Implemented : 1"]
    assert "Responses overdue: 1" in text and "computed on 27 November 2026" in text


def test_the_recommendation_page_has_its_timeline(sample_site):
    soup = page(sample_site, f"{SAMPLE}/recommendations/04-safe-cycle-parking")
    text = soup.get_text(" ", strip=True)
    assert "Answered on 28 October 2026 (computed on 27 November 2026" in text
    timeline = [
        li.get_text(" ", strip=True) for li in soup.find(id="timeline").find_next("ul")("li")
    ]
    assert timeline[0] == "14 October 2026: Adopted at: Kick-off"
    assert "28 October 2026: Response published · evidence" in timeline
    assert (
        "20 November 2026: The shelters are in place at the three schools (sample) · evidence"
        in timeline
    )
    wallonia = page(
        sample_site,
        "committees/wallonia-deliberative-committee/recommendations/1-1-permanent-joint-council",
    ).get_text(" ", strip=True)
    assert "How each group voted is not known." in wallonia
    assert "The wording as adopted is not known here" in wallonia


def test_deadlines_are_all_day_events_of_the_committee_calendar(sample_site):
    calendar = icalendar.Calendar.from_ical((sample_site / f"{SAMPLE}/calendar.ics").read_bytes())
    due = {
        str(e["SUMMARY"]): e.get("DTSTART").dt
        for e in calendar.walk("VEVENT")
        if str(e["SUMMARY"]).startswith("Response due: ")
    }
    assert due == {
        "Response due: A school street at drop-off and pick-up times": date(2026, 12, 9),
        "Response due: A 20 km/h zone around the schools": date(2026, 10, 18),
        "Response due: Raised crossings on the school routes": date(2026, 11, 14),
        "Response due: Covered cycle parking at each school": date(2026, 10, 31),
    }
    whole = icalendar.Calendar.from_ical((sample_site / "calendar.ics").read_bytes())
    assert not [e for e in whole.walk("VEVENT") if str(e["SUMMARY"]).startswith("Response due")]


def test_the_feed_has_the_recommendations(sample_site):
    entries = feedparser.parse((sample_site / "feed.xml").read_bytes()).entries
    overdue = next(e for e in entries if e.link.endswith("/02-20-kmh-zone/"))
    # never before it fell due (the file's own commit may be later: the git test checks when)
    assert datetime.fromisoformat(overdue.updated) >= datetime.fromisoformat(
        "2026-10-19T00:00:00+02:00"
    )
    assert overdue.summary == "Status: awaiting response; response overdue by 40 days"


def test_recommendations_json_is_schema_valid_and_says_the_clock(sample_site):
    data = json.loads((sample_site / "data/v1/recommendations.json").read_text())
    schema = json.loads((sample_site / "data/v1/schema/recommendations.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    records = {r["id"]: r for r in data["recommendations"]}
    overdue = records["sample-neighbourhood-committee/02-20-kmh-zone"]
    assert overdue["response_overdue"] is True and overdue["computed"] == "2026-11-27"
    assert overdue["votes"]["citizen"] == {"for": 7, "against": 2, "abstained": 1}
    assert overdue["url"] == "http://127.0.0.1:8000/" + SAMPLE + "/recommendations/02-20-kmh-zone/"
    assert len(overdue["hash"]) == 64 and overdue["sample"] is True
    wallonia = records["wallonia-deliberative-committee/1-1-permanent-joint-council"]
    assert wallonia["votes"] is None and wallonia["wording"] == "not known"
    assert wallonia["response"]["date"] == "2024-04-24" and wallonia["response"]["url"] is None
    assert wallonia["translations"]["fr"]["title"].startswith("Un dialogue citoyen permanent")


def test_the_rating_poll_is_in_polls_json(sample_site):
    polls = json.loads((sample_site / "data/v1/polls.json").read_text())["polls"]
    rating = next(p for p in polls if p["id"] == "sample-rating-raised-crossings")
    assert rating == {
        "id": "sample-rating-raised-crossings",
        "committee": "sample-neighbourhood-committee",
        "session": "sample-neighbourhood-committee/01-kick-off",
        "question": "How do you rate the response to: Raised crossings on the school routes?",
        "kind": "rating",
        "options": ["1", "2", "3", "4", "5"],
        "opens": "2026-11-12T09:00:00+01:00",
        "closes": "2026-12-15T20:00:00+01:00",
        "comments": False,
        "url": "http://127.0.0.1:8000/" + SAMPLE + "/recommendations/03-raised-crossings/",
        "results": None,
        "recommendation": "sample-neighbourhood-committee/03-raised-crossings",
        "sample": True,
    }
    assert all(p["recommendation"] is None for p in polls if p["id"] != rating["id"])


RATING_RESULTS = """\
---
type: results
title: 'Results: the rating'
poll: a-rating
session: test/00-held
question: 'How do you rate the response to: Ask the council?'
kind: rating
respondents: 3
suppressed: true
options:
{options}
closed: '2026-12-15T20:00:00+01:00'
generator: civicloop 0.1.0
---
"""
FIVE = "".join(f"- {{label: '{n}', count: null, share: null}}\n" for n in "12345")


def test_a_ratings_results_are_checked_against_its_recommendation(content, capsys):
    write(content, R, ANSWERED.replace("---\nBody", RATING + "---\nBody"))
    results = "committees/test/results/a-rating.md"
    write(content, results, RATING_RESULTS.format(options=FIVE.rstrip("\n")))
    status, lines = validate(content, capsys)
    assert status == 0, lines
    check(
        content,
        capsys,
        results,
        RATING_RESULTS.format(options=FIVE.rstrip("\n")).replace("test/00-held", "test/01-first"),
        "5: 'session' is 'test/01-first', but poll 'a-rating' belongs to 'test/00-held'",
    )
    check(
        content,
        capsys,
        results,
        RATING_RESULTS.format(options=FIVE.replace("'5'", "'6'").rstrip("\n")),
        "10: the options differ from poll 'a-rating': 1, 2, 3, 4, 5",
    )
