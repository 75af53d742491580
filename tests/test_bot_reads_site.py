"""The bot reads the open data as the real build writes it (not as tests write it by hand): the
sample site's `recommendations.json` and its rating poll in `polls.json` (review 4)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

from bot.schedule import poll_payload
from bot.sitedata import fetch, short
from civicloop.catalog import Catalog
from civicloop.loading import load

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
