"""A session says what its sources say of its date and no more: its times, only its day (the
time is not published), only a window of days, or nothing. Each rule with its `path:line`; the
pages in words, in both languages; calendars with only what is known; open data without an
invented value; the bot without a reminder at an invented hour. Sample data says so wherever
it goes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import icalendar
import jsonschema
import pytest
import vobject
from bs4 import BeautifulSoup
from conftest import COMMITTEE, SESSION, write
from markdown import markdown

from bot import messages as say
from bot.outbox_key import OutboxKey, Purpose
from civicloop import draw_data
from civicloop.calendar import calendars
from civicloop.changes import session_changes
from civicloop.cli import main
from civicloop.labels import FRENCH
from civicloop.opendata import SessionRecord, data_files
from civicloop.pages import render
from civicloop.sitecontext import SiteContext
from civicloop.types.session import timeline
from civicloop.when import unknown_time

S = "committees/test/sessions/01-first.md"
TIMES = "starts: 2026-12-08T18:30:00+01:00\nends: 2026-12-08T21:00:00+01:00\n"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
DAY = "date: 2026-12-08\n"
REMINDERS = OutboxKey.like(Purpose.REMINDER).removesuffix("%")
WINDOW = "date_between: [2026-12-01, 2026-12-18]\n"


def when(text: str, status: str = "scheduled", session: str = SESSION) -> str:
    """The test session with `text` instead of its times (and `status`)."""
    assert TIMES in session
    return session.replace(TIMES, text).replace("status: scheduled", f"status: {status}")


def validate(content: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    status = main(["--content", str(content), "validate"])
    out = capsys.readouterr().out
    return status, [line.removeprefix(f"{content.as_posix()}/") for line in out.splitlines()]


BAD = [
    pytest.param(
        when("starts: 2026-12-08T18:30:00+01:00\n"),
        "1: 'ends' is missing: a session with 'starts' says when it ends too; add 'ends', or, "
        "if only the day is known, replace 'starts' with a line such as date: 2026-12-01",
        id="starts-without-ends",
    ),
    pytest.param(
        when("ends: 2026-12-08T21:00:00+01:00\n"),
        "5: 'ends' is '2026-12-08T21:00:00+01:00': is set without 'starts'; add 'starts', or "
        "remove 'ends' (a 'date' line says the day alone when the time is not published)",
        id="ends-without-starts",
    ),
    pytest.param(
        when(TIMES + DAY),
        "7: 'date' is '2026-12-08': is set with 'starts': 'date' is for a session whose time is "
        "not published; remove 'date' (the day is the one of 'starts') or remove 'starts' and "
        "'ends'",
        id="date-and-times",
    ),
    pytest.param(
        when(DAY + WINDOW),
        "6: 'date_between' is ['2026-12-01', '2026-12-18']: is set with 'starts' or 'date': "
        "'date_between' is for a session whose date is not known; remove it, or remove the "
        "known date",
        id="window-and-date",
    ),
    pytest.param(
        when("date_between: [2026-12-18, 2026-12-01]\n"),
        "5: 'date_between' is ['2026-12-18', '2026-12-01']: must name an earlier day then a "
        "later one; 2026-12-18 is not before 2026-12-01",
        id="window-backwards",
    ),
    pytest.param(
        when("date_between: [2026-12-18]\n"),
        "5: 'date_between' is ['2026-12-18']",
        id="window-of-one-day",
    ),
    pytest.param(
        when("date: 2026-12-08T18:30:00+01:00\n"),
        "5: 'date' is '2026-12-08T18:30:00+01:00'",
        id="date-with-a-time",
    ),
    pytest.param(
        when("date: 1700000000\n"),
        "5: 'date' is 1700000000: write a date like 2026-12-01",
        id="date-as-a-number",
    ),
    pytest.param(
        when("postponed_from: 2026-12-01T18:30:00+01:00\n", "postponed"),
        "5: 'postponed_from' is '2026-12-01T18:30:00+01:00': is set but the new date is not "
        "known: 'postponed_from' goes with the new 'starts' and 'ends' (or 'date'); without a "
        "new date, remove the line",
        id="postponed-to-an-unknown-date-from-a-known-one",
    ),
    pytest.param(
        when(DAY + "postponed_from: 2026-12-08T10:00:00+01:00\n", "postponed"),
        "6: 'postponed_from' is '2026-12-08T10:00:00+01:00': must be before 'date' (2026-12-08)",
        id="postponed-to-the-same-day",
    ),
    pytest.param(
        when(DAY).replace("place: Town hall\n", ""),
        "1: a scheduled session needs a 'place', an 'online' link, or both",
        id="to-come-without-a-place",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_what_is_known_of_a_date_is_said_one_way(content, capsys, text, expected):
    write(content, S, text)
    status, lines = validate(content, capsys)
    assert status == 1, lines
    assert any(line.startswith(f"{S}:{expected}") for line in lines), lines


GOOD = [
    pytest.param(when(DAY), id="day-only"),
    pytest.param(when(WINDOW), id="window"),
    pytest.param(when(""), id="nothing"),
    pytest.param(when(DAY, "held").replace("place: Town hall\n", ""), id="held-place-unknown"),
    pytest.param(
        when(DAY + "postponed_from: 2026-12-01T18:30:00+01:00\n", "postponed"),
        id="postponed-to-a-day",
    ),
]


@pytest.mark.parametrize("text", GOOD)
def test_sessions_with_what_their_sources_say_pass(content, capsys, text):
    write(content, S, text)
    assert validate(content, capsys)[0] == 0


def site(content: Path) -> SiteContext:
    return SiteContext.open(content, "https://civic.example.org/", NOW)


def page(content: Path, lang: str = "en") -> str:
    doc = site(content).catalog.docs[S]
    return markdown(
        render(site(content), doc, lang, doc.body), extensions=["attr_list", "md_in_html"]
    )


def text_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


WITHIN = "Date not known: between {first} and {last}"
SAID = [
    (DAY, "en", "When: Tuesday 8 December 2026, time not published"),
    (DAY, "fr", "Quand: mardi 8 décembre 2026, heure non publiée"),
    (WINDOW, "en", "When: Date not known: between 1 December 2026 and 18 December 2026"),
    (WINDOW, "fr", "Quand: Date inconnue : entre le 1 décembre 2026 et le 18 décembre 2026"),
    ("", "en", "When: Date not known"),
    ("", "fr", "Quand: Date inconnue"),
]


@pytest.mark.parametrize(
    ("known", "label"),
    [
        ({"date": date(2026, 12, 8)}, "{day}, time not published"),
        ({"date_between": [date(2026, 12, 1), date(2026, 12, 18)]}, WITHIN),
        ({}, "Date not known"),
    ],
)
def test_the_bot_says_what_is_known_as_the_site_does(monkeypatch, known, label):
    """One wording (civicloop.when, civicloop.labels): changed for the site, the bot's message
    changes with it."""
    shape = {"starts": None, "ends": None, "date": None, "date_between": None} | known
    record = SessionRecord.model_construct(timezone="Europe/Brussels", **shape)
    for lang in ("en", "fr"):
        assert say.when(record, lang) == unknown_time(record, lang)
    monkeypatch.setitem(FRENCH, label, f"[{label}]")
    said = say.when(record, "fr")
    assert said.startswith("[") and said.endswith("]") and said == unknown_time(record, "fr")


@pytest.mark.parametrize(("known", "lang", "said"), SAID)
def test_the_session_page_says_what_is_known_in_words(content, known, lang, said):
    write(content, S, when(known))
    assert said in text_of(page(content, lang))


def test_the_date_and_place_block_leads_with_a_map_link_and_no_invented_place(content):
    write(content, S, when(DAY, "held").replace("place: Town hall", "place: Hôtel de ville, Namur"))
    soup = BeautifulSoup(page(content), "html.parser")
    block = soup.select_one(".civicloop-when")
    (osm,) = [a["href"] for a in block.select("a") if "OpenStreetMap" in a.get_text()]
    assert osm == "https://www.openstreetmap.org/search?query=H%C3%B4tel%20de%20ville%2C%20Namur"
    assert "Status: held" in block.get_text(" ", strip=True)
    assert not soup.select("iframe, img[src*='openstreetmap']")
    write(content, S, when(DAY, "held").replace("place: Town hall\n", ""))
    block = BeautifulSoup(page(content), "html.parser").select_one(".civicloop-when")
    assert "Place: not published" in block.get_text(" ", strip=True)
    assert "OpenStreetMap" not in block.get_text()


def test_no_calendar_to_add_without_a_known_date(content):
    write(content, S, when(WINDOW))
    assert "Add this session to my calendar" not in text_of(page(content))
    assert S.removesuffix(".md") + ".ics" not in calendars(site(content), "x")
    write(content, S, when(DAY))
    assert "Add this session to my calendar" in text_of(page(content))


def test_a_day_without_a_time_is_an_all_day_event_both_parsers_read(content):
    write(content, S, when(DAY))
    data = calendars(site(content), "x")["calendar.ics"]
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2026, 12, 8), date(2026, 12, 9))
    assert str(event["DESCRIPTION"]).startswith("Time not published.")
    assert str(event["TRANSP"]) == "TRANSPARENT"  # it does not block the whole day
    assert b"DTSTART;VALUE=DATE:20261208" in data
    assert b"VTIMEZONE" not in data  # a date has no time zone
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value == date(2026, 12, 8)


def test_a_session_without_a_known_date_has_no_event(content):
    write(content, S, when(WINDOW))
    second = "committees/test/sessions/02-second.md"
    write(content, second, SESSION.replace("number: 1", "number: 2").replace("test-poll", "p2"))
    files = calendars(site(content), "x")
    for name in ("calendar.ics", "committees/test/calendar.ics"):
        (event,) = icalendar.Calendar.from_ical(files[name]).walk("VEVENT")
        assert str(event["URL"]).endswith("/02-second/")


def test_a_session_whose_date_is_not_known_is_listed_until_it_is_held(content):
    write(content, S, when(""))
    assert [s.path for s in timeline(site(content))[0]] == [S]
    write(content, S, when("", "held"))
    assert [s.path for s in timeline(site(content))[1]] == [S]
    write(content, S, when("date_between: [2026-11-01, 2026-11-20]\n", "held"))
    assert timeline(site(content))[0] == []  # the whole window is past


def data(content: Path) -> dict[str, dict]:
    return {k: json.loads(v) for k, v in data_files(site(content)).items()}


@pytest.mark.parametrize(
    ("known", "fields"),
    [
        (TIMES, {"date": "2026-12-08", "date_between": None}),
        (DAY, {"starts": None, "ends": None, "date": "2026-12-08", "date_between": None}),
        (WINDOW, {"starts": None, "date": None, "date_between": ["2026-12-01", "2026-12-18"]}),
        ("", {"starts": None, "ends": None, "date": None, "date_between": None, "calendar": None}),
    ],
)
def test_open_data_says_what_is_known_and_its_schema_agrees(content, known, fields):
    write(content, S, when(known))
    files = data(content)
    (record,) = files["sessions.json"]["sessions"]
    assert {k: record[k] for k in fields} == fields
    jsonschema.validate(files["sessions.json"], files["schema/sessions.json"])


def test_the_local_day_of_a_timed_session_is_its_committees(content):
    write(content, S, when("starts: 2026-12-08T23:30:00+00:00\nends: 2026-12-09T01:00:00+00:00\n"))
    (record,) = data(content)["sessions.json"]["sessions"]
    assert record["date"] == "2026-12-09"  # 00:30 in Brussels


def test_sample_data_is_marked_in_every_record_and_event(content):
    files = data(content)
    assert [r["sample"] for r in files["sessions.json"]["sessions"]] == [False]
    assert [r["sample"] for r in files["polls.json"]["polls"]] == [False]
    write(
        content,
        "committees/test/index.md",
        COMMITTEE.replace("type: committee", "type: committee\nsample: true"),
    )
    files = data(content)
    assert [r["sample"] for r in files["sessions.json"]["sessions"]] == [True]
    assert [r["sample"] for r in files["polls.json"]["polls"]] == [True]
    for name in ("sessions.json", "polls.json"):
        jsonschema.validate(files[name], files[f"schema/{name}"])
    ics = calendars(site(content), "All")
    for name in ("calendar.ics", "committees/test/calendar.ics", S.removesuffix(".md") + ".ics"):
        cal = icalendar.Calendar.from_ical(ics[name])
        assert str(cal["NAME"]).endswith("(sample data)"), name
        (event,) = cal.walk("VEVENT")
        assert str(event["SUMMARY"]).endswith("(sample data)")
        assert str(event["DESCRIPTION"]).startswith("Sample data: this session is invented")


def test_a_calendar_of_real_and_sample_sessions_is_not_named_sample(content):
    other = "committees/other/index.md"
    write(content, other, COMMITTEE.replace("type: committee", "type: committee\nsample: true"))
    write(content, "committees/other/sessions/01-first.md", SESSION.replace("test-poll", "p2"))
    ics = calendars(site(content), "All")
    assert str(icalendar.Calendar.from_ical(ics["calendar.ics"])["NAME"]) == "All"
    summaries = sorted(
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(ics["calendar.ics"]).walk("VEVENT")
    )
    assert [s.endswith("(sample data)") for s in summaries] == [False, True]


def test_the_sample_committees_draw_record_says_it_is_sample():
    root = Path(__file__).resolve().parent.parent / "content"
    files = draw_data.data_files(SiteContext.open(root, "https://civic.example.org/", NOW))
    records = json.loads(files["draws.json"])["draws"]
    assert [(r["committee"], r["sample"]) for r in records] == [
        ("sample-neighbourhood-committee", True)
    ]
    jsonschema.validate(json.loads(files["draws.json"]), json.loads(files["schema/draws.json"]))


def test_the_real_committees_publish_no_time_their_sources_do_not_give():
    root = Path(__file__).resolve().parent.parent / "content"
    real = SiteContext.open(root, "https://civic.example.org/", NOW)
    for slug, committee in real.catalog.committees.items():
        if committee.model.sample:
            continue
        for s in real.catalog.sessions_of(slug):
            assert s.model.starts is None, f"{s.path}: a time its sources do not give?"
            assert "illustrative" not in s.body and "sample" not in s.body.casefold(), s.path
    assert not any(
        r["sample"]
        for r in json.loads(data_files(real)["committees.json"])["committees"]
        if r["id"] == "wallonia-deliberative-committee"
    )


async def test_the_bot_has_no_reminder_at_an_invented_hour(make_harness, tmp_path):
    from test_bot_citizens import subscribe

    kit = await make_harness(
        data={"starts_in": timedelta(seconds=90)}, reminders=(timedelta(days=2),)
    )
    content = tmp_path / "content"
    today = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()  # the committee's
    second = when(f"date: {today}\n", session=SESSION).replace("number: 1", "number: 2")
    write(content, "committees/test/sessions/02-day-only.md", second.replace("test-poll", "p2"))
    for name, raw in data_files(SiteContext.open(content, "http://127.0.0.1:8000/")).items():
        (tmp_path / "data" / name).write_bytes(raw)
    await kit.until(
        lambda: kit.rows("SELECT 1 FROM sessions_seen WHERE session_id = 'test/02-day-only'")
    )
    await subscribe(kit, 1)
    reminders = await kit.until(
        lambda: [m for m in kit.messages(1) if m.get("text", "").startswith("Reminder\n")]
    )
    assert len(reminders) == 1 and "First session" in reminders[0]["text"]
    assert not kit.rows(f"SELECT 1 FROM outbox WHERE key LIKE '{REMINDERS}test/02-day-only%'")
    listing = await kit.command(1, "next", "time not published")
    assert "First session" in listing["text"]


def test_a_new_day_or_window_is_a_change_of_time_for_subscribers(content):
    write(content, S, when(WINDOW, "held"))
    (window,) = data(content)["sessions.json"]["sessions"]
    write(content, S, when(DAY, "held"))
    (day,) = data(content)["sessions.json"]["sessions"]
    write(content, S, when("date: 2026-12-09\n", "held"))
    (later,) = data(content)["sessions.json"]["sessions"]
    assert session_changes(window, day) == ["time"]
    assert session_changes(day, later) == ["time"]
    assert session_changes(day, day) == []


def test_new_session_with_only_its_day(content, capsys):
    argv = ["--content", str(content), "new", "session", "--committee", "test"]
    assert main([*argv, "--date", "2027-01-12"]) == 0
    written = content / "committees/test/sessions/02-session-2.md"
    meta = frontmatter.load(written).metadata
    assert meta["date"] in ("2027-01-12", date(2027, 1, 12)) and "starts" not in meta
    for wrong in ([], ["--date", "2027-01-12", "--starts", "2027-01-12T18:00+01:00"]):
        assert main([*argv, *wrong]) == 2
        assert "give --starts (its date and time) or --date" in capsys.readouterr().err
