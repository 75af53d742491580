"""The bot reads the open data as the real build writes it (not as tests write it by hand): the
sample site's `recommendations.json` and its rating poll in `polls.json` (review 4)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
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
from civicloop.results import Answer, PollInfo, change_for, results_of

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
    rebuilt = json.loads((out / "data/v1/polls.json").read_text())["polls"]
    results = next(p for p in rebuilt if p["id"] == poll["id"])["results"]
    assert results["respondents"] == 25 and not results["suppressed"]
    assert [o["count"] for o in results["options"]] == [5, 5, 5, 5, 5]
