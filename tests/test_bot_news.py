""" "You said, we did" in the chat, end to end against the local Bot API server: the people who
answered hear once when the results are published, followers hear once when a recommendation
moves, each can turn either off in /settings; a rating of a recommendation's response goes to
those who took part and shows no figure until it closes."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from botkit import (
    SESSION_ID,
    TOKEN,
    add_rating,
    buttons,
    latest,
    merge_results,
    publish_data,
    rebuild_data,
    recommendation,
    start_bot,
    wait,
    write_recommendations,
)
from pydantic import ValidationError
from test_bot_citizens import subscribe

from bot import messages as say
from bot.localapi import ControlClient
from bot.sitedata import fetch, short
from bot.store import Store
from civicloop.labels import FRENCH
from civicloop.opendata import PollRecord
from civicloop.publisher.gitrepo import GitPublisher
from civicloop.tally import GROUP_NAMES

RESULTS = "You said, we did: the results are published"
MOVED = "You said, we did: a recommendation moved"


def texts(kit, user: int, containing: str) -> list[dict]:
    return [m for m in kit.messages(user) if containing in m.get("text", "")]


async def answer_poll(kit, user: int, option: int) -> None:
    poll = (await kit.until(lambda: [m for m in kit.messages(user) if m.get("poll")]))[0]
    kit.ctl.answer_poll(user, [option], message_id=poll["message_id"])
    await kit.until(lambda: kit.rows("SELECT 1 FROM answers WHERE voter = ?", voter(kit, user)))


def voter(kit, user: int) -> str:
    with contextlib.closing(Store(":memory:", kit.settings.secret)) as store:
        return store.voter(user)


async def close_now(kit, poll_id: str) -> None:
    """An editor closes the poll with /closepoll."""
    menu = await kit.command(900, "closepoll", "Close which poll now?")
    await kit.press(900, menu, f"close:{short(poll_id)}", "Closed.")
    await kit.until(
        lambda: kit.rows("SELECT 1 FROM polls WHERE poll_id = ? AND closed_at IS NOT NULL", poll_id)
    )


async def test_results_published_reach_each_person_who_answered_once(make_harness, tmp_path):
    kit = await make_harness()
    for user in (1, 2, 3):
        await subscribe(kit, user)
    await answer_poll(kit, 1, 1)
    await answer_poll(kit, 2, 0)  # French; user 3 answers nothing
    await close_now(kit, "test-poll")
    merge_results(tmp_path, kit.settings.db, "test-poll")  # merged by editors, site rebuilt

    english = (await kit.until(lambda: texts(kit, 1, RESULTS)))[0]
    assert "Which day suits you?" in english["text"]
    assert "Fewer than 5 people answered" in english["text"]  # 2 < 5: no figure, even here
    assert "http://127.0.0.1:8000/committees/test/results/test-poll/" in english["text"]
    french = (await kit.until(lambda: texts(kit, 2, "les résultats sont publiés")))[0]
    assert "Moins de 5 personnes" in french["text"]

    for _ in range(3):  # more readings of the same data, and a restart
        merge_results(tmp_path, kit.settings.db, "test-poll")
        await kit.command(1, "help", "/committees")
    await kit.stop()
    await kit.start()
    await kit.command(1, "help", "/committees")
    await kit.rows_become(
        [("res:test-poll:1", "sent"), ("res:test-poll:2", "sent")],
        "SELECT key, state FROM outbox WHERE key LIKE 'res:%' ORDER BY key",
    )
    assert len(texts(kit, 1, RESULTS)) == 1 and len(texts(kit, 2, "sont publiés")) == 1
    assert texts(kit, 3, RESULTS) == []  # did not answer


async def test_the_loop_closes_from_a_vote_to_the_message_through_a_merged_branch(
    make_harness, tmp_path
):
    """As in `make demo`: the bot publishes the results on a branch of the content's
    repository, an editor merges it, the site is rebuilt, and the person who voted is told."""
    kit = await make_harness(publisher=GitPublisher(tmp_path, base="main"))
    git = ["git", "-c", "user.name=E", "-c", "user.email=e@x"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "content"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "content"], cwd=tmp_path, check=True)
    await subscribe(kit, 1)
    await answer_poll(kit, 1, 1)
    await close_now(kit, "test-poll")
    await kit.until(lambda: kit.rows("SELECT 1 FROM polls WHERE published_at IS NOT NULL"), 30)
    assert texts(kit, 1, RESULTS) == []  # published on a branch is not merged yet
    subprocess.run([*git, "merge", "-q", "results/test-poll"], cwd=tmp_path, check=True)
    rebuild_data(tmp_path)
    message = (await kit.until(lambda: texts(kit, 1, RESULTS)))[0]
    assert "/committees/test/results/test-poll/" in message["text"]


async def test_the_results_message_can_be_turned_off(make_harness, tmp_path):
    kit = await make_harness()
    for user in (1, 3):
        await subscribe(kit, user)
        await answer_poll(kit, user, 2)
    settings = await kit.command(3, "settings", "When results are published: on.")
    off = "No more messages when results are published."
    await kit.press_answered(3, settings, "news:results:off", off)
    await kit.rows_become(
        [(0, 1)], "SELECT results_news, recommendation_news FROM users WHERE user_id = 3"
    )
    again = await kit.command(3, "settings", "When results are published: off.")
    assert "news:results:on" in buttons(again)
    assert texts(kit, 3, off) == []  # the button's answer says it; no message repeats it
    await close_now(kit, "test-poll")
    merge_results(tmp_path, kit.settings.db, "test-poll")
    await kit.until(lambda: texts(kit, 1, RESULTS))
    # queued for all in one transaction: none for the person who turned them off
    assert kit.rows("SELECT key FROM outbox WHERE key LIKE 'res:%:3'") == []
    assert texts(kit, 3, RESULTS) == []


async def test_a_recommendation_that_moves_is_told_to_followers_once(make_harness, tmp_path):
    data = tmp_path / "data"
    kit = await make_harness()
    write_recommendations(data, recommendation())
    for user in (1, 2, 3):
        await subscribe(kit, user)
    settings = await kit.command(3, "settings", "News of recommendations: on.")
    off = "No more news of recommendations."
    await kit.press_answered(3, settings, "news:recommendations:off", off)
    await kit.until(lambda: kit.rows("SELECT 1 FROM recommendations_seen"))
    assert kit.rows("SELECT key FROM outbox WHERE key LIKE 'rec:%'") == []  # learnt, not news

    write_recommendations(data, recommendation(overdue=True))  # the site rebuilt: overdue
    late = (await kit.until(lambda: texts(kit, 1, MOVED)))[0]
    assert "Open the <archives> to all" in late["text"]  # escaped in HTML, shown as written
    assert "overdue (it was due 2026-03-01)" in late["text"]
    french = (await kit.until(lambda: texts(kit, 2, "une recommandation a avancé")))[0]
    assert "Ouvrir les <archives> à tous" in french["text"] and "en retard" in french["text"]

    write_recommendations(data, recommendation("accepted"))  # the authority answered
    accepted = await kit.until(lambda: texts(kit, 1, "New status: accepted."))
    assert "http://127.0.0.1:8000/committees/test/recommendations/r-01/" in accepted[0]["text"]
    await kit.until(lambda: texts(kit, 2, "Nouveau statut : acceptée."))
    await kit.stop()
    await kit.start()
    await kit.command(1, "help", "/committees")
    await kit.rows_become(
        [("rec:test/r-01:accepted:1",), ("rec:test/r-01:accepted:2",)]
        + [("rec:test/r-01:overdue:1",), ("rec:test/r-01:overdue:2",)],
        "SELECT key FROM outbox WHERE key LIKE 'rec:%' ORDER BY key",
    )
    assert len(texts(kit, 1, MOVED)) == 2  # one per move, none repeated
    assert texts(kit, 3, MOVED) == []  # turned off


def test_each_message_once_across_a_sigkill_and_restart(local_api, tmp_path):
    """The bot as its own process, killed with SIGKILL once both messages arrived: started
    again on the same store and data, it sends neither again."""
    data = publish_data(tmp_path)
    write_recommendations(data, recommendation())
    ctl = ControlClient(local_api, TOKEN)
    env = {"CIVICLOOP_REFRESH": "0.2", "CIVICLOOP_ADMINS": "900"}
    bot = start_bot(local_api, tmp_path, **env)
    try:
        for user in (1, 900):
            ctl.add_user(user_id=user, first_name=f"U{user}")
        ctl.send_command(user_id=1, command="start", args="c-test")
        welcome = latest(ctl, 1, lambda m: "lang:en:c:" in json.dumps(m))
        ctl.press_button(
            user_id=1, message_id=welcome["message_id"], data=f"lang:en:c:{short('test')}"
        )
        poll = latest(ctl, 1, lambda m: "poll" in m)
        ctl.answer_poll(user_id=1, option_ids=[0], message_id=poll["message_id"])
        db = tmp_path / "bot.sqlite3"
        wait(lambda: rows(db, "SELECT 1 FROM answers"))
        ctl.send_command(user_id=900, command="closepoll")
        menu = latest(ctl, 900, lambda m: "close:" in json.dumps(m))
        ctl.press_button(
            user_id=900, message_id=menu["message_id"], data=f"close:{short('test-poll')}"
        )
        wait(lambda: rows(db, "SELECT 1 FROM polls WHERE closed_at IS NOT NULL"))
        merge_results(tmp_path, db, "test-poll")
        write_recommendations(data, recommendation("rejected"))
        latest(ctl, 1, lambda m: RESULTS in m.get("text", ""))
        latest(ctl, 1, lambda m: "New status: rejected." in m.get("text", ""))

        bot.send_signal(signal.SIGKILL)
        bot.wait()
        bot = start_bot(local_api, tmp_path, **env)
        ctl.send_command(user_id=1, command="help")
        latest(ctl, 1, lambda m: "/committees" in m.get("text", ""))  # started, data read
        merge_results(tmp_path, db, "test-poll")  # and read again
        ctl.send_command(user_id=1, command="next")
        latest(ctl, 1, lambda m: "First session" in m.get("text", ""))
        sent = [m.get("text", "") for m in ctl.bot_messages(chat_id=1)]
        assert len([t for t in sent if RESULTS in t]) == 1
        assert len([t for t in sent if MOVED in t]) == 1
        # one row each; killed between the delivery and its record, a message is 'uncertain'
        # (it may have left): such a kind is then never sent again
        kept = rows(db, "SELECT key, state FROM outbox WHERE key LIKE 're_:%' ORDER BY key")
        assert [key for key, _ in kept] == ["rec:test/r-01:rejected:1", "res:test-poll:1"]
        assert {state for _, state in kept} <= {"sent", "uncertain"}
    finally:
        bot.kill()
        bot.wait()


def rows(db, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()


async def test_a_rating_goes_to_those_who_took_part_and_hides_results_until_it_closes(
    make_harness, tmp_path
):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=E", "-c", "user.email=e@x"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    (repo / "README.md").write_text("x\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    kit = await make_harness(publisher=GitPublisher(repo))
    rating = add_rating(tmp_path / "data", "test/r-01")
    for user in (1, 2):
        await subscribe(kit, user)
    await answer_poll(kit, 1, 1)  # user 1 took part; user 2 only follows

    def ratings(user: int) -> list[dict]:
        return [
            m for m in kit.messages(user) if "How do you rate the response" in m.get("text", "")
        ]

    sent = (await kit.until(lambda: ratings(1)))[0]
    assert "poll" not in sent  # no Telegram poll, which shows its figures once one votes
    assert "The results are shown only when the rating closes." in sent["text"]
    key = short(rating)
    assert buttons(sent) == [f"rate:{key}:{n}" for n in range(1, 6)]
    notice = await kit.press_answered(1, sent, f"rate:{key}:4", "Thank you: you answered 4.")
    assert "%" not in notice
    await kit.rows_become([("[3]",)], "SELECT options FROM answers WHERE poll_id = ?", rating)
    status = await kit.command(900, "pollstatus", "test-response")
    block = next(b for b in status["text"].split("\n\n") if "test-response" in b)
    assert "1 respondents" in block and "4: " not in block  # no figure while it is open
    assert ratings(2) == []  # never took part
    await kit.rows_become([], "SELECT key FROM outbox WHERE key = 'poll:test-response:2'")

    await close_now(kit, rating)
    closed = await kit.until(
        lambda: [
            m for m in kit.messages(1) if m["message_id"] == sent["message_id"] and not buttons(m)
        ]
    )
    assert closed  # the buttons are gone
    late = {  # a client that still shows the buttons: the press is refused
        "callback_query": {
            "id": "late-1",
            "from": {"id": 1, "is_bot": False, "first_name": "User1"},
            "chat_instance": "x",
            "message": sent,
            "data": f"rate:{key}:1",
        }
    }
    kit.ctl.enqueue_raw(late)
    answer = await kit.until(lambda: kit.ctl.callback_answer("late-1"))
    assert answer["text"] == "This poll is closed."
    assert kit.rows("SELECT options FROM answers WHERE poll_id = ?", rating)[0][0] == "[3]"
    await kit.until(
        lambda: kit.rows(
            "SELECT 1 FROM polls WHERE published_at IS NOT NULL AND poll_id = ?", rating
        ),
        30,
    )
    text = subprocess.run(
        ["git", "show", f"results/{rating}:content/committees/test/results/{rating}.md"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "kind: rating" in text and "respondents: 1" in text and "suppressed: true" in text
    assert f"session: {SESSION_ID}" in text


async def test_a_member_who_never_answered_gets_the_rating(make_harness, tmp_path):
    from test_bot_members import invite, start_with

    kit = await make_harness()
    (payload,) = invite(kit, "politician", 1)
    rating = add_rating(tmp_path / "data", "test/r-01", closes_in=timedelta(hours=2))
    await kit.command(3, "start", "What I store")
    await start_with(kit, 3, payload, "Welcome: your role")
    sent = await kit.until(
        lambda: [m for m in kit.messages(3) if f"rate:{short(rating)}:1" in buttons(m)]
    )
    await kit.press_answered(3, sent[0], f"rate:{short(rating)}:5", "you answered 5")
    await kit.rows_become(
        [("[4]", "politician")], "SELECT options, role FROM answers WHERE poll_id = ?", rating
    )


def test_the_results_message_gives_each_groups_figures_in_the_persons_language(monkeypatch):
    option = {"label": "Monday", "count": None, "share": None}
    withheld = {"respondents": None, "suppressed": True, "options": [option, option]}
    poll = PollRecord.model_validate(
        {
            "id": "p",
            "committee": "test",
            "session": SESSION_ID,
            "question": "Which <day>?",
            "kind": "single",
            "options": ["Monday", "Tuesday"],
            "opens": "2026-12-01T09:00:00+01:00",
            "closes": "2026-12-20T20:00:00+01:00",
            "comments": False,
            "url": "http://x/",
            "results": {
                "respondents": 23,
                "suppressed": False,
                "options": [
                    {"label": "Monday", "count": 13, "share": 0.565},
                    {"label": "Tuesday", "count": 10, "share": 0.435},
                ],
                "by_role": {
                    "public": {
                        "respondents": 13,
                        "suppressed": False,
                        "options": [
                            {"label": "Monday", "count": 8, "share": 0.615},
                            {"label": "Tuesday", "count": 5, "share": 0.385},
                        ],
                    },
                    "citizen": withheld,
                    "politician": withheld,
                    "other": {"respondents": 0, "suppressed": False, "options": [option, option]},
                },
                "closed": "2026-12-20T20:00:00+01:00",
                "url": "http://x/results/p/",
            },
        }
    )
    english = say.results_news(poll, "en").splitlines()
    assert "Which &lt;day&gt;?" in english and "23 people answered." in english
    assert "Monday: 13 (56%)" in english and "The public (13): Monday 8, Tuesday 5" in english
    assert "Citizen members: not published, to protect who answered" in english
    assert not [line for line in english if line.startswith("Other members")]  # nobody
    assert english[-1] == "http://x/results/p/"
    french = say.results_news(poll, "fr")
    assert "23 personnes ont répondu." in french and "Le public (13)" in french
    # the groups' names are the site's (civicloop.tally, civicloop.labels): change one, both follow
    for name in ("The public", "Citizen members", "Politicians"):
        monkeypatch.setitem(FRENCH, name, f"[{name}]")
    french = say.results_news(poll, "fr")
    assert "[The public] (13)" in french and "[Citizen members] : non publié" in french
    assert [GROUP_NAMES[g] for g in ("public", "citizen")] == ["The public", "Citizen members"]


async def test_the_site_data_reads_with_or_without_recommendations(tmp_path):
    """A site built before recommendations has no recommendations.json: the bot reads the rest.
    A record it could not key a message by is refused with the whole reading (the old data
    is kept, as for the other files)."""
    data = publish_data(tmp_path)
    assert (await fetch(str(data))).recommendations == {}
    write_recommendations(data, recommendation("accepted"))
    assert (await fetch(str(data))).recommendations["test/r-01"].status == "accepted"
    write_recommendations(data, recommendation(ident="test/r:01"))
    with pytest.raises(ValidationError):
        await fetch(str(data))
