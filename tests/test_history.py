"""Calendar entries keep their UID and bump SEQUENCE as reviewed commits change a session."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import icalendar

from civicloop.calendar import calendars
from civicloop.sitecontext import SiteContext


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=e@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def event(content):
    site = SiteContext.open(content, "https://civic.example.org/", datetime.now(UTC))
    data = calendars(site, "Test")["calendar.ics"]
    (only,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return only


def test_sequence_grows_with_each_commit_and_uid_stays(content):
    repo = content.parent
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    first = event(content)
    assert first["SEQUENCE"] == 0

    session = content / "committees/test/sessions/01-first.md"
    session.write_text(session.read_text().replace("Town hall", "Library"))
    dirty = event(content)  # an uncommitted edit already counts, so a local preview shows it
    assert dirty["SEQUENCE"] == 1

    git(repo, "commit", "-qam", "move to the library")
    second = event(content)
    assert second["SEQUENCE"] == 1
    assert second["UID"] == first["UID"] == "test.01-first@civic.example.org"
    assert str(second["LOCATION"]) == "Library"


def test_outside_git_the_sequence_is_zero(content):
    assert event(content)["SEQUENCE"] == 0
