"""Calendars people subscribe to: the links on the pages and what they point at, sessions' own
UIDs, local times with their VTIMEZONE (read by two independent parsers), cancelled and
postponed sessions."""

from __future__ import annotations

import json
import random
import re
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from bs4 import BeautifulSoup
from conftest import COMMITTEE, SESSION, write
from icalendar.parser.string import _foldline

from civicloop import __version__
from civicloop.calendar import STATUS, calendars, fold, uid
from civicloop.cli import main
from civicloop.escaping import clean, clean_line
from civicloop.markup import to_html
from civicloop.pages import render
from civicloop.sitecontext import SiteContext
from civicloop.types.session import timeline

SITE_URL = "http://127.0.0.1:8000/"
SESSION_FILE = "committees/test/sessions/01-first.md"
ID = "0b6f3c52-7d1e-4a8b-9c2f-5e4d3a2b1c0d"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def session(old: str, new: str, text: str = SESSION) -> str:
    assert old in text
    return text.replace(old, new, 1)


def with_id(text: str = SESSION, given: str = ID) -> str:
    return session("type: session\n", f"type: session\nid: {given}\n", text)


def validate(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--content", str(content), "validate"])
    out = capsys.readouterr().out
    return status, [line.removeprefix(f"{content.as_posix()}/") for line in out.splitlines()]


def site(content: Path, base: str = "https://civic.example.org/") -> SiteContext:
    return SiteContext.open(content, base, NOW)


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


# -- validation: each rule with the exact path:line message ----------------------------------

POSTPONED = session("status: scheduled", "status: postponed")
BAD = [
    pytest.param(
        with_id(given="1234"),
        "3: 'id' is 1234: Input should be a valid string",
        id="id-number",
    ),
    pytest.param(
        with_id(given="kick-off"),
        "3: 'id' is 'kick-off': is not a UUID in lowercase, such as "
        "0b6f3c52-7d1e-4a8b-9c2f-5e4d3a2b1c0d; `civicloop new session` writes one, "
        "python3 -c 'import uuid; print(uuid.uuid4())' prints one",
        id="id-slug",
    ),
    pytest.param(
        with_id(given=ID.upper()),
        f"3: 'id' is '{ID.upper()}': is not a UUID in lowercase",
        id="id-uppercase",
    ),
    pytest.param(
        with_id(given="{" + ID + "}"),
        "3: 'id' is",
        id="id-braces",
    ),
    pytest.param(
        with_id(given="urn:uuid:" + ID),
        f"3: 'id' is 'urn:uuid:{ID}': is not a UUID in lowercase",
        id="id-urn",
    ),
    pytest.param(
        with_id(given=ID.replace("-", "")),
        f"3: 'id' is '{ID.replace('-', '')}': is not a UUID in lowercase",
        id="id-without-hyphens",
    ),
    pytest.param(
        with_id(given=ID + " x"),
        f"3: 'id' is '{ID} x': is not a UUID in lowercase",
        id="id-trailing-text",
    ),
    pytest.param(
        session(
            "status: scheduled\n", "status: scheduled\npostponed_from: 2026-12-01T18:30:00+01:00\n"
        ),
        "8: 'postponed_from' is '2026-12-01T18:30:00+01:00': is set but 'status' is "
        "'scheduled'; 'postponed_from' is for a postponed session (or one held after it was "
        "postponed): set 'status: postponed' or remove the line",
        id="postponed-from-but-scheduled",
    ),
    pytest.param(
        session(
            "status: scheduled\n", "status: cancelled\npostponed_from: 2026-12-01T18:30:00+01:00\n"
        ),
        "8: 'postponed_from' is '2026-12-01T18:30:00+01:00': is set but 'status' is 'cancelled'",
        id="postponed-from-but-cancelled",
    ),
    pytest.param(
        session(
            "status: postponed\n",
            "status: postponed\npostponed_from: 2026-12-15T18:30:00+01:00\n",
            POSTPONED,
        ),
        "8: 'postponed_from' is '2026-12-15T18:30:00+01:00': must be before 'starts' "
        "(2026-12-08T18:30:00+01:00): 'starts' and 'ends' are the new date, 'postponed_from' "
        "the date it was planned for",
        id="postponed-to-an-earlier-date",
    ),
    pytest.param(
        session(
            "status: postponed\n",
            "status: postponed\npostponed_from: 2026-12-08T18:30:00+01:00\n",
            POSTPONED,
        ),
        "8: 'postponed_from' is '2026-12-08T18:30:00+01:00': must be before 'starts'",
        id="postponed-to-the-same-time",
    ),
    pytest.param(
        session(
            "status: postponed\n",
            "status: postponed\npostponed_from: 2026-12-08T17:30:00+00:00\n",
            POSTPONED,
        ),
        "8: 'postponed_from' is '2026-12-08T17:30:00+00:00': must be before 'starts'",
        id="postponed-to-the-same-instant-in-another-offset",
    ),
    pytest.param(
        session(
            "status: postponed\n",
            "status: postponed\npostponed_from: 2026-12-01 18:30\n",
            POSTPONED,
        ),
        "8: 'postponed_from' is '2026-12-01 18:30' without a UTC offset",
        id="postponed-from-without-offset",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_ids_and_postponements_are_refused_with_their_line(content, capsys, text, expected):
    write(content, SESSION_FILE, text)
    status, lines = validate(content, capsys)
    assert status == 1, lines
    assert any(line.startswith(f"{SESSION_FILE}:{expected}") for line in lines), lines


def test_a_wrong_status_is_the_only_problem_of_a_postponement(content, capsys):
    text = session(
        "status: scheduled\n", "status: later\npostponed_from: 2026-12-01T18:30:00+01:00\n"
    )
    write(content, SESSION_FILE, text)
    status, lines = validate(content, capsys)
    assert status == 1
    assert [line.split(": ", 1)[0] for line in lines] == [f"{SESSION_FILE}:7"], lines


def test_an_id_twice_is_refused_in_the_second_file(content, capsys):
    write(content, SESSION_FILE, with_id())
    copy = "committees/test/sessions/02-copy.md"
    write(content, copy, with_id(session("number: 1", "number: 2").replace("test-poll", "p2")))
    status, lines = validate(content, capsys)
    assert status == 1
    assert lines == [
        f"{copy}:3: 'id' is {ID}, already the id of {SESSION_FILE} (a copied file?); give this "
        "session a new one, such as the line python3 -c 'import uuid; print(uuid.uuid4())' prints"
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(with_id(), id="with-id"),
        pytest.param(
            session(
                "status: postponed\n",
                "status: postponed\npostponed_from: 2026-12-01T18:30:00+01:00\n",
                POSTPONED,
            ),
            id="postponed-to-a-later-date",
        ),
        pytest.param(
            session(
                "status: scheduled\n",
                "status: held\npostponed_from: 2026-12-01T18:30:00+01:00\n",
            ),
            id="held-after-a-postponement",
        ),
    ],
)
def test_good_ids_and_postponements_pass(content, capsys, text):
    write(content, SESSION_FILE, text)
    assert validate(content, capsys)[0] == 0


def test_new_session_writes_an_id_once(content, capsys):
    made = []
    for _ in range(2):
        assert main(["--content", str(content), "new", "session", "--committee", "test",
                     "--starts", "2027-01-12T18:00+01:00"]) == 0  # fmt: skip
        capsys.readouterr()
    for path in sorted((content / "committees/test/sessions").glob("0[23]-*.md")):
        line = next(x for x in path.read_text().splitlines() if x.startswith("id: "))
        made.append(line.removeprefix("id: "))
    assert len(made) == len(set(made)) == 2
    assert all(str(uuid.UUID(x)) == x for x in made)
    assert validate(content, capsys)[0] == 0


# -- UIDs ------------------------------------------------------------------------------------


def test_uid_is_the_sessions_id_across_a_domain_move_and_a_rename(content):
    write(content, SESSION_FILE, with_id())
    before = events(calendars(site(content, "http://127.0.0.1:8000/"), "x")["calendar.ics"])
    (content / SESSION_FILE).rename(content / "committees/test/sessions/01-renamed.md")
    after = events(calendars(site(content, "https://city.example.eu/civic/"), "x")["calendar.ics"])
    assert list(before) == list(after) == [ID]


def test_without_an_id_the_uid_is_the_earlier_one(content):
    uids = events(calendars(site(content), "x")["calendar.ics"])
    assert list(uids) == ["test.01-first@civic.example.org"]


# -- local times with their VTIMEZONE, read by two parsers -------------------------------------

ZONES = {
    # committee slug: (time zone, a winter and a summer session in local time)
    "test": ("Europe/Brussels", ("2026-12-08T18:30:00+01:00", "2027-06-08T18:30:00+02:00")),
    "other": ("America/New_York", ("2027-03-13T19:00:00-05:00", "2027-03-15T19:00:00-04:00")),
    "south": ("Australia/Sydney", ("2027-04-03T10:00:00+11:00", "2027-04-05T10:00:00+10:00")),
}


@pytest.fixture
def zoned(content: Path) -> Path:
    (content / SESSION_FILE).unlink()
    for slug, (zone, starts) in ZONES.items():
        committee = COMMITTEE.replace("Europe/Brussels", zone)
        write(content, f"committees/{slug}/index.md", committee)
        for n, start in enumerate(starts, 1):
            ends = start.replace(start[11:13], f"{int(start[11:13]) + 2:02d}", 1)
            text = session("starts: 2026-12-08T18:30:00+01:00", f"starts: {start}")
            text = session("ends: 2026-12-08T21:00:00+01:00", f"ends: {ends}", text)
            text = session("id: test-poll", f"id: {slug}-poll-{n}", text)
            write(content, f"committees/{slug}/sessions/0{n}-s.md", text)
    return content


def expected_starts(content: Path) -> dict[str, tuple[str, datetime]]:
    """Each event's UID: its committee's zone and the instant it starts."""
    return {
        f"{slug}.0{n}-s@civic.example.org": (zone, datetime.fromisoformat(start))
        for slug, (zone, starts) in ZONES.items()
        for n, start in enumerate(starts, 1)
    }


def test_events_are_in_local_time_with_a_vtimezone_icalendar_reads(zoned):
    files = calendars(site(zoned), "x")
    expected = expected_starts(zoned)
    for path in (
        "calendar.ics",
        "committees/other/calendar.ics",
        "committees/test/sessions/01-s.ics",
    ):
        cal = icalendar.Calendar.from_ical(files[path])
        rules = {str(tz["TZID"]): tz.to_tz() for tz in cal.walk("VTIMEZONE")}
        found = cal.walk("VEVENT")
        assert found
        assert sorted(rules) == sorted({expected[str(e["UID"])][0] for e in found})
        for e in found:
            zone, instant = expected[str(e["UID"])]
            start = e["DTSTART"]
            assert start.params["TZID"] == zone
            assert b"DTSTART;TZID=" + zone.encode() + b":" in e.to_ical()
            wall = start.dt.replace(tzinfo=None)  # the local time as written, by the file's rules
            assert wall == instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            assert wall.replace(tzinfo=rules[zone]).astimezone(UTC) == instant.astimezone(UTC)


def test_events_are_in_local_time_with_a_vtimezone_vobject_reads(zoned):
    """vobject turns each VTIMEZONE into its own tzinfo (from the file's rules, not from IANA's
    database), so the instants it reads check the VTIMEZONE the build wrote."""
    expected = expected_starts(zoned)
    data = calendars(site(zoned), "x")["calendar.ics"].decode()
    cal = vobject.readOne(data)
    rules = {tz.tzid.value: tz.gettzinfo() for tz in cal.vtimezone_list}
    assert sorted(rules) == sorted(zone for zone, _ in ZONES.values())
    assert len(cal.vevent_list) == 6
    for e in cal.vevent_list:
        zone, instant = expected[e.uid.value]
        assert e.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == [zone]  # its TZID, as read
        wall = e.dtstart.value.replace(tzinfo=None)
        assert wall.replace(tzinfo=rules[zone]).astimezone(UTC) == instant.astimezone(UTC)
        assert e.dtstart.value.astimezone(UTC) == instant.astimezone(UTC)


# -- cancelled and postponed -------------------------------------------------------------------


def test_statuses_and_the_new_date_of_a_postponed_session(content):
    later = session("starts: 2026-12-08T18:30:00+01:00", "starts: 2026-12-15T18:30:00+01:00")
    later = session("ends: 2026-12-08T21:00:00+01:00", "ends: 2026-12-15T21:00:00+01:00", later)
    moved = session(
        "status: scheduled\n",
        "status: postponed\npostponed_from: 2026-12-08T18:30:00+01:00\n",
        later,
    )
    cases = {
        "01-first": ("scheduled", SESSION),
        "02-cancelled": ("CANCELLED", session("status: scheduled", "status: cancelled")),
        "03-unknown": ("TENTATIVE", session("status: scheduled", "status: postponed")),
        "04-moved": ("CONFIRMED", moved),
    }
    for n, (name, (_, text)) in enumerate(cases.items(), 1):
        text = session("number: 1", f"number: {n}", text)
        write(content, f"committees/test/sessions/{name}.md", session("test-poll", f"p{n}", text))
    found = events(calendars(site(content), "x")["calendar.ics"])
    for name, (status, _) in cases.items():
        e = found[f"test.{name}@civic.example.org"]
        assert str(e["STATUS"]) == ("CONFIRMED" if status == "scheduled" else status)
    e = found["test.04-moved@civic.example.org"]
    assert e["DTSTART"].dt == datetime(2026, 12, 15, 18, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    assert str(e["DESCRIPTION"]).startswith("Postponed from 2026-12-08 18:30 (Europe/Brussels).")


def test_a_postponement_carries_its_new_time_and_a_higher_sequence(content):
    repo = content.parent

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=E", "-c", "user.email=e@example.org", *args],
                       cwd=repo, check=True, capture_output=True)  # fmt: skip

    write(content, SESSION_FILE, with_id())
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first")
    (first,) = events(calendars(site(content), "x")["calendar.ics"]).values()
    text = session("starts: 2026-12-08T18:30", "starts: 2026-12-15T18:30", with_id())
    text = session("ends: 2026-12-08T21:00", "ends: 2026-12-15T21:00", text)
    text = session(
        "status: scheduled\n",
        "status: postponed\npostponed_from: 2026-12-08T18:30:00+01:00\n",
        text,
    )
    write(content, SESSION_FILE, text)
    git("commit", "-qam", "postponed by a week")
    (second,) = events(calendars(site(content), "x")["calendar.ics"]).values()
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)
    assert str(first["UID"]) == str(second["UID"]) == ID
    assert second["DTSTART"].dt.isoformat() == "2026-12-15T18:30:00+01:00"
    assert str(second["STATUS"]) == "CONFIRMED"


def test_a_cancelled_session_to_come_is_listed_with_those_to_come(content):
    write(content, SESSION_FILE, session("status: scheduled", "status: cancelled"))
    upcoming, past = timeline(site(content))
    assert [s.path for s in upcoming] == [SESSION_FILE]
    assert past == []


# -- the pages' links and what they point at ---------------------------------------------------


def page(built: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((built / rel / "index.html").read_text(), "html.parser")


def served(built: Path, url: str) -> Path:
    """The file of the built site an absolute address of it names."""
    assert url.startswith(SITE_URL), url
    return built / url.removeprefix(SITE_URL)


def subscription_links(soup: BeautifulSoup, base: str) -> list[dict[str, str]]:
    """Each subscription line: its name and its four addresses (made absolute)."""
    found = []
    for item in soup.select("li"):
        hrefs = {a.get_text(strip=True): urljoin(base, a["href"]) for a in item.select("a")}
        if "Google Calendar" in hrefs:
            found.append({"name": item.select_one("strong").get_text(), **hrefs})
    return found


WALLONIA = "First Deliberative Committee of the Parliament of Wallonia"
SAMPLE = "Sample: safer streets to school"
GENTOFTE = "Sample: a Gentofte-style Political Task Committee"
CALENDAR_PAGES = {
    "calendar": ["All sessions", WALLONIA, GENTOFTE, SAMPLE],  # each in its committee's section
    "committees/wallonia-deliberative-committee": [WALLONIA],
    "committees/sample-neighbourhood-committee/sessions/02-listening-to-families": [SAMPLE],
    "": ["All sessions"],
}


@pytest.mark.parametrize("rel", CALENDAR_PAGES)
def test_subscription_links_point_at_calendars_that_parse(sample_site, rel):
    base = SITE_URL + (rel + "/" if rel else "")
    links = subscription_links(page(sample_site, rel), base)
    assert [x["name"] for x in links] == CALENDAR_PAGES[rel]
    text = page(sample_site, rel).select_one("article").get_text(" ", strip=True)
    assert "a download is a copy that does not change" in text
    for x in links:
        download = x["Download (.ics)"]
        assert download.endswith("calendar.ics")
        webcal = x["Calendar app"]
        assert webcal == "webcal" + download.removeprefix("http")
        assert parse_qs(urlsplit(x["Google Calendar"]).query) == {"cid": [webcal]}
        assert x["Google Calendar"].startswith("https://calendar.google.com/calendar/render?")
        outlook = urlsplit(x["Outlook"])
        assert outlook.netloc + outlook.path == "outlook.live.com/calendar/0/addfromweb"
        assert parse_qs(outlook.query) == {"url": [download], "name": [x["name"]]}
        cal = icalendar.Calendar.from_ical(served(sample_site, download).read_bytes())
        assert str(cal["URL"]) == download
        events = cal.walk("VEVENT")
        timed = [e for e in events if isinstance(e.DTSTART, datetime)]
        assert events and bool(cal.walk("VTIMEZONE")) == bool(timed)  # all-day: no zone


def test_french_pages_say_it_in_french(sample_site):
    soup = page(sample_site, "fr/calendar")
    links = subscription_links(soup, SITE_URL + "fr/calendar/")
    assert links[0]["name"] == "Toutes les séances"
    assert "Télécharger (.ics)" in links[0] and "Application d'agenda" in links[0]
    assert "un téléchargement est une copie" in soup.get_text()


SESSIONS = "committees/sample-neighbourhood-committee/sessions/"


def test_a_session_offers_its_own_calendar_unless_cancelled(sample_site):
    held = page(sample_site, SESSIONS + "02-listening-to-families")
    add = [a for a in held.select("article a") if "Add this session" in a.get_text()]
    assert [a["href"] for a in add] == ["../02-listening-to-families.ics"]
    target = sample_site / SESSIONS / "02-listening-to-families.ics"
    assert len(icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 1

    cancelled = page(sample_site, SESSIONS + "03-school-route-walk")
    text = cancelled.select_one("article").get_text(" ", strip=True)
    assert "This session is cancelled." in text
    assert not [a for a in cancelled.select("article a") if a["href"].endswith("walk.ics")]
    assert "Add this session" not in text


def test_a_cancelled_session_to_come_stays_under_upcoming(sample_site):
    soup = page(sample_site, "committees/sample-neighbourhood-committee")
    (head,) = [h for h in soup.select("article h2") if "Upcoming sessions" in h.get_text()]
    rows = [tr.get_text(" ", strip=True) for tr in head.find_next("table").select("tbody tr")]
    assert any("Walk along the routes to school" in r and "cancelled" in r for r in rows), rows


def test_a_postponed_session_says_whether_its_new_date_is_known(sample_site):
    text = page(sample_site, SESSIONS + "05-draft-proposals").get_text(" ", strip=True)
    assert "Postponed: the new date is not known yet." in text


HOSTILE = "Q&A <b>\"x\"</b> #1 ?a=b&c=d % + 'it' (x)[y] \u202eevil"


def test_links_are_percent_encoded_for_any_title_and_site_address(content):
    title = HOSTILE.replace("'", "''")
    write(content, "committees/test/index.md", COMMITTEE.replace("Test committee", f"'{title}'"))
    base = "https://civic.example.org/a path/é/"
    context = SiteContext.open(content, base, NOW)
    doc = context.catalog.docs["committees/test/index.md"]
    html = to_html(render(context, doc, "en", doc.body))
    (line,) = subscription_links(BeautifulSoup(html, "html.parser"), base + "committees/test/")
    url = "https://civic.example.org/a%20path/%C3%A9/committees/test/calendar.ics"
    webcal = "webcal" + url.removeprefix("https")
    assert line["name"] == HOSTILE.replace("\u202e", "")  # bidirectional override left out
    assert line["Calendar app"] == webcal
    assert parse_qs(urlsplit(line["Google Calendar"]).query) == {"cid": [webcal]}
    assert parse_qs(urlsplit(line["Outlook"]).query) == {"url": [url], "name": [line["name"]]}
    assert "<b>" not in html
    for href in (line["Google Calendar"], line["Outlook"]):  # every reserved character encoded
        assert not set(urlsplit(href).query) & set(" +'()[]<>\"#"), href


# -- the bytes: written as icalendar's own objects write them ----------------------------------

# Values that test the escaping and folding: RFC 5545 escapes (and icalendar's reading of `\N`),
# a backslash or caret where a line folds, characters of 2 to 4 octets across a fold, long lines.
AWKWARD = [
    "Commas, semicolons; a backslash \\ and \\N, \\n, \\; written out",
    "x" * 69 + "\\y" + "z" * 140,
    "y" * 70 + "^^" + "é" * 60 + "\\" * 30,
    "Réunion à l’hôtel de ville — « ordre du jour » 😀 " * 4,
    "🏛️" * 40 + "a\\" * 40,
    "Ünïcödé" + "\\" * 200,
]
AWKWARD_ZONES = ["Europe/Brussels", "UTC", "Etc/UTC", "America/St_Johns", "Asia/Kathmandu"]


def library_calendars(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The calendars built with icalendar's objects, as civicloop did before writing the lines
    itself: the reference for their bytes."""
    catalog = site.catalog

    def event(session):
        model = session.model
        committee = catalog.committee_of(session)
        zone = ZoneInfo(committee.timezone)
        revision = site.revision(session)
        where = ", ".join(str(x) for x in (model.place, model.online) if x)
        url = clean_line(site.absolute(session.url))
        moved = model.postponed_from
        notes = [
            "Sample data: this session is invented for demonstration." if committee.sample else "",
            "" if model.time_known else "Time not published.",
            (
                f"Postponed from {moved.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})."
                if moved
                else ""
            ),
        ]
        if model.time_known:
            start, end = model.starts.astimezone(zone), model.ends.astimezone(zone)
        else:
            start, end = model.date, model.date + timedelta(days=1)
        sample = " (sample data)" if committee.sample else ""
        agenda = "\n".join(f"- {item.title}" for item in model.agenda)
        note = " ".join(n for n in notes if n)
        return icalendar.Event.new(
            uid=uid(site, session),
            summary=clean_line(f"{committee.title}: {model.title}{sample}"),
            start=start,
            end=end,
            stamp=revision.updated,
            last_modified=revision.updated,
            created=revision.created,
            sequence=max(revision.count - 1, 0),
            status="CONFIRMED" if model.new_date_known else STATUS[model.status],
            location=clean_line(where) or None,
            description=clean("\n\n".join(x for x in (note, agenda, url) if x)),
            url=url,
            transparency="OPAQUE" if model.time_known else "TRANSPARENT",
        ).to_ical()

    def zone_bytes(sessions):
        spans = {}
        for s in (s for s in sessions if s.model.time_known):
            zone = catalog.committee_of(s).timezone
            first, last = s.model.starts.date(), s.model.ends.date()
            if zone in spans:
                first, last = min(first, spans[zone][0]), max(last, spans[zone][1])
            spans[zone] = (first, last)
        return [
            icalendar.Timezone.from_tzid(
                zone, first_date=first - timedelta(days=1), last_date=last + timedelta(days=1)
            ).to_ical()
            for zone, (first, last) in sorted(spans.items())
        ]

    def calendar(path, name, sessions):
        sessions = [s for s in sessions if s.model.date_known]
        if sessions and all(catalog.committee_of(s).sample for s in sessions):
            name += " (sample data)"
        url = site.absolute(path)
        cal = icalendar.Calendar.new(
            prodid=f"-//civicloop//civicloop {__version__}//EN",
            method="PUBLISH",
            uid=uuid.uuid5(uuid.NAMESPACE_URL, url),
            url=clean_line(url),
        )
        # a TEXT value, escaped (icalendar's `name=` writes it as it is: RFC 7986 says TEXT)
        cal.add("NAME", icalendar.vText(clean_line(name)))
        cal.add("X-WR-CALNAME", icalendar.vText(clean_line(name)))
        head, tail = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
        parts = [*zone_bytes(sessions), *(event(s) for s in sessions)]
        return head + b"".join(parts) + b"END:VCALENDAR" + tail

    files = {"calendar.ics": calendar("calendar.ics", site_name, catalog.sessions)}
    for slug, committee in catalog.committees.items():
        sessions = catalog.sessions_of(slug)
        files[site.calendar_url(slug)] = calendar(
            site.calendar_url(slug), committee.model.title, sessions
        )
        for s in (s for s in sessions if s.model.date_known):
            name = f"{committee.model.title}: {s.model.title}"
            files[site.session_calendar_url(s)] = calendar(site.session_calendar_url(s), name, [s])
    return files


@pytest.fixture
def awkward(content: Path) -> Path:
    """Committees in zones with and without `Z` times and odd offsets, sessions whose every text
    is awkward, across a change of summer time, postponed with and without a new date."""
    for n, zone in enumerate(AWKWARD_ZONES):
        title = AWKWARD[n % len(AWKWARD)].replace("\\", "/")[:180]  # titles are one line
        committee = COMMITTEE.replace("Europe/Brussels", zone)
        if n == 1:  # a sample committee: its events and calendars say so
            committee = committee.replace("\ntimezone:", "\nsample: true\ntimezone:")
        write(content, f"committees/c{n}/index.md", committee.replace("Test committee", title))
        for k, text in enumerate(AWKWARD):
            quoted = json.dumps(text, ensure_ascii=False)
            body = session("title: First session", f"title: {quoted}")
            body = session(
                "place: Town hall", f"place: {quoted}\nonline: https://x.org/a,b;c", body
            )
            body = session("title: Welcome", f"title: {quoted}", body)
            body = session("2026-12-08T18:30", f"2027-03-{10 + k:02d}T01:30", body)
            body = session("2026-12-08T21:00", f"2027-03-{10 + k:02d}T23:00", body)
            body = session("id: test-poll", f"id: p{n}-{k}", body)
            body = session("number: 1", f"number: {k + 1}", body)
            if k % 2:
                moved = "postponed_from: 2027-03-01T18:30:00+01:00\n" if k % 4 == 1 else ""
                body = session("status: scheduled\n", f"status: postponed\n{moved}", body)
            if k == 2:  # only the day is known: an all-day event
                body = re.sub(r"starts: .*\nends: .*\n", "date: 2027-03-12\n", body)
            if k == 4:  # only a window: no event
                body = re.sub(
                    r"starts: .*\nends: .*\n", "date_between: [2027-03-01, 2027-03-20]\n", body
                )
            write(content, f"committees/c{n}/sessions/0{k}-s.md", body)
    return content


def test_calendars_are_the_bytes_icalendar_objects_write(awkward):
    """civicloop writes events and calendars line by line (a build writes thousands): the same
    bytes as icalendar's Event, Calendar and Timezone objects, including its escaping, its
    folding and the order of properties."""
    built = site(awkward)
    assert not built.catalog.problems
    files = calendars(built, "Site, with; a \\ name")
    reference = library_calendars(built, "Site, with; a \\ name")
    # the site's, the fixture's committee and session, and each awkward committee with its own
    # sessions' (but the undated one's)
    assert len(files) == len(reference) == 3 + len(AWKWARD_ZONES) * len(AWKWARD)
    assert b"DTSTART;VALUE=DATE:20270312" in files["calendar.ics"]
    assert b"(sample data)" in files[built.calendar_url("c1")]
    for path, data in reference.items():
        assert files[path] == data, path


@pytest.mark.parametrize("seed", range(4))
def test_lines_fold_as_icalendar_folds(seed):
    rng = random.Random(seed)
    pieces = ["a", " ", "\\", "^", "é", "€", "😀", "\\n", "x" * 60]
    for _ in range(2000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))
        assert fold(line) == _foldline(line), line


def test_calendar_names_read_back_as_written(awkward):
    """NAME and X-WR-CALNAME are TEXT: a `,` `;` or `\\` in a committee's title (or the site's
    name) is escaped, so that an RFC 5545 parser reads the name, not a list of values cut at
    the first comma (review 7)."""
    built = site(awkward)
    files = calendars(built, "Site, with; a \\ name")
    names = {path: vobject.readOne(data.decode()) for path, data in files.items()}
    expected = {"calendar.ics": "Site, with; a \\ name"} | {
        built.calendar_url(slug): clean_line(committee.model.title)
        + (" (sample data)" if committee.model.sample else "")
        for slug, committee in built.catalog.committees.items()
    }
    assert sum("," in name and ";" in name for name in expected.values()) > 1
    for path, name in expected.items():
        assert names[path].contents["name"][0].value == name, path
        assert names[path].contents["x-wr-calname"][0].value == name, path
