"""The bot reads the open data as the real build writes it (not as tests write it by hand): the
sample site's `recommendations.json` and its rating poll in `polls.json` (review 4)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_site

from bot.schedule import poll_payload
from bot.sitedata import fetch, short
from civicloop.catalog import Catalog
from civicloop.cli import main
from civicloop.loading import load
from civicloop.opendata import data_files
from civicloop.results import Answer, PollInfo, change_for, results_of
from civicloop.sitecontext import SiteContext

RATED = "sample-neighbourhood-committee/03-raised-crossings"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load(ROOT / "content")


async def test_the_bot_reads_the_built_sites_recommendations_and_rating_poll(
    sample_site: Path, catalog: Catalog
):
    folder = sample_site / "data/v1"
    for name in ("recommendations.json", "polls.json"):
        schema = json.loads((folder / "schema" / name).read_text())
        jsonschema.validate(json.loads((folder / name).read_text()), schema)
    data = await fetch(str(folder))
    written = [e for e in catalog.of("recommendation")]
    assert len(data.recommendations) == len(written) > 0
    for entry in written:
        record = data.recommendations[f"{entry.committee}/{entry.slug}"]
        assert record.committee == entry.committee
        assert record.status == entry.model.status
        assert record.url.endswith(f"/committees/{entry.committee}/recommendations/{entry.slug}/")
    rated = [e for e in written if e.model.rating]
    assert [f"{e.committee}/{e.slug}" for e in rated] == [RATED]
    block = rated[0].model.rating
    poll = data.polls[block.id]
    assert poll.recommendation == RATED and poll.recommendation in data.recommendations
    assert poll.kind == "rating" and poll.options == ["1", "2", "3", "4", "5"]
    assert (poll.opens, poll.closes) == (block.opens, block.closes)
    assert poll.committee == "sample-neighbourhood-committee" and poll.session in data.sessions
    assert poll.question.startswith("How do you rate the response to")
    for lang in ("en", "fr"):
        sent = poll_payload(poll, lang)
        keys = [b["callback_data"] for b in sent["reply_markup"]["inline_keyboard"][0]]
        assert keys == [f"rate:{short(poll.id)}:{n}" for n in range(1, 6)]
        assert data.find(short(poll.id)) == poll.id  # the bot finds the poll a press names
        assert "poll" not in sent  # buttons, never a Telegram poll: figures stay hidden


def test_results_of_the_sample_rating_poll_validate_and_show_on_the_site(
    sample_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """The results file the publisher makes for the sample recommendation's rating poll, merged
    into the sample content: it validates, has its page, and polls.json carries its figures."""
    polls = json.loads((sample_site / "data/v1/polls.json").read_text())["polls"]
    poll = next(p for p in polls if p["recommendation"] == RATED)
    info = PollInfo(
        poll["id"], poll["committee"], poll["session"], poll["question"], "rating", poll["options"]
    )
    answers = [Answer([n % 5], "en" if n % 3 else "fr") for n in range(25)]  # 5 of each
    closed = datetime.fromisoformat(poll["closes"])
    change = change_for(results_of(info, answers), datetime.fromisoformat(poll["opens"]), closed)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "content", root / "content")
    (root / change.path).write_bytes(change.content)
    assert main(["--content", str(root / "content"), "validate"]) == 0, capsys.readouterr().out
    out = tmp_path / "site"
    built = build_site(root / "content", out)
    assert built.returncode == 0, built.stderr
    page = out / change.path.removeprefix("content/").removesuffix(".md") / "index.html"
    text = BeautifulSoup(page.read_text(), "html.parser").get_text(" ", strip=True)
    assert "How do you rate the response to" in text and "25" in text
    link = change.path.removeprefix("content/").removesuffix(".md") + "/"
    for listing in ("results/index.html", "committees/sample-neighbourhood-committee/index.html"):
        hrefs = [a["href"] for a in BeautifulSoup((out / listing).read_text(), "html.parser")("a")]
        assert any(h.endswith(link.split("/", 2)[2]) for h in hrefs), listing
    rated = out / "committees" / RATED.replace("/", "/recommendations/") / "index.html"
    soup = BeautifulSoup(rated.read_text(), "html.parser")
    (results_link,) = [a for a in soup("a") if a.get_text() == "The results of the rating"]
    assert results_link["href"].rstrip("/").endswith(link.rstrip("/").split("/")[-1])
    assert "Results stay hidden" not in soup.get_text()
    rebuilt = json.loads((out / "data/v1/polls.json").read_text())["polls"]
    results = next(p for p in rebuilt if p["id"] == poll["id"])["results"]
    assert results["respondents"] == 25 and not results["suppressed"]
    assert [o["count"] for o in results["options"]] == [5, 5, 5, 5, 5]


async def test_the_real_bot_sends_the_sample_rating_to_a_member_and_records_the_press(tmp_path):
    """Through python-telegram-bot against the local Bot API server, on the open data built
    from the sample content (its rating block moved to open now: the bot runs on the clock):
    a citizen member of the sample committee gets the rating as buttons, and a press counts."""
    from botkit import Harness
    from test_bot_members import run_invite, start_with

    from bot.localapi import ThreadedLocalBotApi
    from bot.settings import Settings

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    rated = (
        content / "committees/sample-neighbourhood-committee/recommendations/03-raised-crossings.md"
    )
    now = datetime.now(UTC)
    text, moved = re.subn(
        r"^rating:\n  id: (.*)\n  opens: .*\n  closes: .*\n",
        lambda m: (
            f"rating:\n  id: {m[1]}\n  opens: {(now - timedelta(minutes=1)).isoformat()}\n"
            f"  closes: {(now + timedelta(hours=1)).isoformat()}\n"
        ),
        rated.read_text(),
        flags=re.MULTILINE,
    )
    assert moved == 1
    rated.write_text(text)
    site = SiteContext.open(content, "http://127.0.0.1:8000/")
    assert not site.catalog.problems, site.catalog.problems
    data = tmp_path / "data"
    for name, made in data_files(site).items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(made)
    api = ThreadedLocalBotApi().start()
    settings = Settings(
        token=api.token,
        api_url=api.url,
        data=str(data),
        db=tmp_path / "bot.sqlite3",
        admins=frozenset({900}),
        secret=b"a-test-secret-of-at-least-32-bytes!",
        tick=0.1,
        refresh=0.2,
    )
    ctl = api.control()
    ctl.add_user(1, "User1", language_code="en")
    kit = Harness(api, ctl, settings)
    await kit.start()
    try:
        welcome = await kit.command(1, "start", "What I store")
        listing = await kit.press(1, welcome, "lang:en", "Committees you can follow")
        await kit.press_answered(
            1, listing, f"sub:{short('sample-neighbourhood-committee')}", "You now follow"
        )
        done = run_invite(
            settings.db,
            settings.data,
            ["--committee", "sample-neighbourhood-committee", "--role", "citizen", "--count", "1"],
        )
        assert done.returncode == 0, done.stderr
        token = done.stdout.strip().rpartition("start=")[2]
        await start_with(kit, 1, token, "citizen member")

        def ratings() -> list[dict]:
            return [
                m for m in kit.messages(1) if "How do you rate the response to" in m.get("text", "")
            ]

        sent = (await kit.until(ratings))[0]
        assert "Raised crossings on the school routes" in sent["text"] and "poll" not in sent
        key = short("sample-rating-raised-crossings")
        await kit.press_answered(1, sent, f"rate:{key}:4", "Thank you: you answered 4.")
        await kit.rows_become(
            [("[3]",)],
            "SELECT options FROM answers WHERE poll_id = ?",
            "sample-rating-raised-crossings",
        )
    finally:
        await kit.stop()
        api.stop()
