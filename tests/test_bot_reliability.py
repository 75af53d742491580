"""Reliability rules: nothing lost, nothing twice, bad input survived, Telegram's limits kept."""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import timedelta

import pytest
from botkit import SESSION_ID, publish_data
from test_bot_citizens import subscribe

from bot.logs import Redact
from bot.outbox_key import OutboxKey, Purpose
from bot.results_job import backoff
from bot.store import Store
from civicloop.publisher.gitrepo import GitPublisher

BROADCASTS = OutboxKey.like(Purpose.BROADCAST)


def texts(kit, user: int, needle: str) -> list[dict]:
    return [m for m in kit.messages(user) if needle in m.get("text", "")]


def reminders(kit, user: int) -> list[dict]:
    return [m for m in kit.messages(user) if m.get("text", "").startswith("Reminder\n")]


async def test_announcement_once_across_rereads_and_restarts(make_harness, tmp_path):
    kit = await make_harness()
    await subscribe(kit, 1)
    publish_data(tmp_path, place="Library")  # an editor merged a change; the site rebuilt
    await kit.until(lambda: texts(kit, 1, "New place"))
    await kit.until(lambda: kit.rows("SELECT 1 FROM sessions_seen WHERE record LIKE '%Library%'"))
    for _ in range(5):  # many more readings of the same data
        await kit.until(lambda: kit.ctl.stats()["calls"].get("getUpdates", 0) > 0)
    await kit.stop()
    await kit.start()  # restart
    await kit.command(1, "help", "/committees")
    assert len(texts(kit, 1, "New place")) == 1


async def test_cancellation_is_announced(make_harness, tmp_path):
    kit = await make_harness()
    await subscribe(kit, 1)
    content = tmp_path / "content/committees/test/sessions/01-first.md"
    content.write_text(content.read_text().replace("status: scheduled", "status: cancelled"))
    from civicloop.opendata import data_files
    from civicloop.sitecontext import SiteContext

    for name, data in data_files(SiteContext.open(tmp_path / "content", "http://x/")).items():
        (tmp_path / "data" / name).write_bytes(data)
    message = (await kit.until(lambda: texts(kit, 1, "Session cancelled")))[0]
    assert "First session" in message["text"]


async def test_reminder_once_even_after_restart(make_harness):
    kit = await make_harness(
        data={"starts_in": timedelta(seconds=90)}, reminders=(timedelta(minutes=2),)
    )
    await subscribe(kit, 1)
    await kit.until(lambda: reminders(kit, 1))
    await kit.stop()
    await kit.start()
    await kit.command(1, "help", "/committees")
    assert len(reminders(kit, 1)) == 1


async def test_reminders_off_means_none(make_harness):
    kit = await make_harness(
        data={"starts_in": timedelta(seconds=90)}, reminders=(timedelta(minutes=2),)
    )
    welcome = await kit.command(1, "start", "What I store")
    settings = await kit.command(1, "settings", containing="Reminders")
    await kit.press_answered(1, settings, "rem:off", "Reminders are off.")
    await kit.rows_become([(0,)], "SELECT reminders FROM users WHERE user_id = 1")
    await subscribe(kit, 1)
    await kit.command(1, "help", "/committees")
    assert not reminders(kit, 1) and welcome


async def test_poll_closes_with_stop_poll_and_later_answers_are_ignored(make_harness):
    kit = await make_harness(data={"poll_closes_in": timedelta(seconds=4)})
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    kit.ctl.answer_poll(1, [0], message_id=poll["message_id"])
    await kit.until(lambda: kit.rows("SELECT 1 FROM polls WHERE closed_at IS NOT NULL"), 15)
    await kit.until(lambda: kit.ctl.poll(poll["poll"]["id"])["is_closed"])
    assert kit.ctl.poll(poll["poll"]["id"])["is_closed"] is True
    assert [json.loads(r[0]) for r in kit.rows("SELECT options FROM answers")] == [[0]]


async def test_user_who_blocks_the_bot_is_unsubscribed(make_harness, tmp_path):
    kit = await make_harness()
    await subscribe(kit, 1)
    await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")])  # what following
    await kit.until(lambda: texts(kit, 1, "How clear was the briefing?"))  # sends, then:
    kit.ctl.block(1, notify=False)  # Telegram answers 403 to the next message
    publish_data(tmp_path, place="Library")  # which is this announcement
    await kit.until(lambda: not kit.rows("SELECT 1 FROM subscriptions WHERE user_id = 1"))
    assert kit.ctl.stats()["forbidden"] == 1
    await subscribe(kit, 3)
    kit.ctl.block(3, notify=True)  # the my_chat_member update says so
    await kit.until(lambda: not kit.rows("SELECT 1 FROM subscriptions WHERE user_id = 3"))


USER = {"id": 1, "is_bot": False, "first_name": "A"}
PRIVATE = {"id": 1, "type": "private"}


def text_message(**fields) -> dict:
    return {"message": {"message_id": 9, "date": 0, "chat": PRIVATE, "from": USER, **fields}}


def press(data, **fields) -> dict:
    query = {"id": f"forged-{abs(hash(repr(data)))}", "from": USER, "chat_instance": "c"}
    return {"callback_query": {**query, "data": data, **fields}}


# Each logs exactly one line (no traceback) and leaves the inbox; none stops the ones after it.
MALFORMED = {
    "fields missing": {"message": {"message_id": 5}},
    "not an object": {"message": "not an object"},
    "null": {"message": None},
    "a list": {"message": [1, 2, 3]},
    "wrong types": {"message": {"message_id": "x", "date": "y", "chat": [], "from": 5, "text": 7}},
    "date out of range": text_message(date=10**20, text="/help"),
    "huge user id": {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 2**70, "type": "private"},
            "from": {"id": 2**70, "is_bot": False, "first_name": "A"},
            "text": "/start",
        }
    },
    "huge poll answer": {
        "poll_answer": {"poll_id": "p", "option_ids": [2**80], "user": {**USER, "id": 2**70}}
    },
    "unknown kind": {"some_future_update_kind": {"anything": [1, 2, 3]}},
    "unknown kind with a hostile name": {"kind\nFAKE LOG LINE": {}},
    "nothing at all": {},
    "edited message": {"edited_message": text_message(text="/stop")["message"]},
    "channel post": {
        "channel_post": {"message_id": 1, "date": 0, "chat": {"id": -100, "type": "channel"}}
    },
    "command in a group": {
        "message": {
            "message_id": 2,
            "date": 0,
            "chat": {"id": -5, "type": "group", "title": "G"},
            "from": USER,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
    },
    "button press without a sender": {
        "callback_query": {"id": "forged-nofrom", "chat_instance": "c", "data": "lang:en"}
    },
}
# Odd but possible: handled (or a handler fails: one line); button presses answered.
ODD = {
    "chat member half there": {"my_chat_member": {"chat": PRIVATE}},
    "longest text": text_message(text="x" * 4096),
    "control and bidi characters": text_message(
        text="\u202e\u0000\U0001f600 /start \ufeff<b>&amp; e\u0301\u200d"
    ),
    "unknown poll": {"poll_answer": {"poll_id": "unknown", "option_ids": [99], "user": USER}},
    "forged rating": press("rate:000000000000:9"),
    "button never issued": press("delete-everything"),
    "malformed data": press("sub:../../etc"),
    "data too long": press("sub:" + "f" * 200),
    "data not text": press(12345),
    "no data": press(None),
    "valid pattern, unknown committee": press("sub:000000000000"),
    "editor's button from a citizen": press("bc-send"),
}


async def test_bad_updates_log_one_line_and_never_stop_the_bot(harness, caplog):
    kit = harness
    caplog.set_level(logging.INFO, logger="bot")
    ids = {kit.ctl.enqueue_raw(update): name for name, update in {**MALFORMED, **ODD}.items()}

    def processed() -> bool:
        pending = {u["update_id"] for u in kit.ctl.pending_updates()}
        stored = {r[0] for r in kit.rows("SELECT update_id FROM inbox")}
        return not (set(ids) & (pending | stored))

    await kit.until(processed, timeout=20)
    reply = await kit.command(1, "start", containing="What I store")  # still answering
    assert "What I store" in reply["text"]
    lines = {name: [] for name in ids.values()}
    for record in caplog.records:
        for uid, name in ids.items():
            if record.getMessage().startswith(f"update {uid} "):
                lines[name].append(record)
    assert {name: len(lines[name]) for name in MALFORMED} == dict.fromkeys(MALFORMED, 1)
    assert [name for name in ODD if len(lines[name]) > 1] == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text and "FAKE LOG LINE" not in caplog.text
    assert kit.rows("SELECT * FROM answers") == [] and kit.rows("SELECT * FROM subscriptions") == []
    assert not kit.messages(-5)  # no reply in a group


@pytest.mark.parametrize(
    "name", [n for n, u in {**MALFORMED, **ODD}.items() if "callback_query" in u]
)
async def test_every_button_press_is_answered(harness, name):
    """Forged, stale, malformed or failing: the press is answered, so no spinner runs on."""
    kit = harness
    update = {**MALFORMED, **ODD}[name]
    kit.ctl.enqueue_raw(update)
    answer = await kit.until(lambda: kit.ctl.callback_answer(update["callback_query"]["id"]))
    assert answer["text"] == (
        "Sorry, only the committee's editors can do that."
        if name == "editor's button from a citizen"
        else "This button is no longer valid."
    )


@pytest.mark.parametrize(
    ("fault", "extra"),
    [
        ("429", {"retry_after": 1}),
        ("500", {}),
        ("502", {}),
        ("hang", {"seconds": 7}),  # longer than PTB's 5 s read time-out: the client gives up
    ],
)
async def test_send_faults_are_retried_and_delivered_once(harness, fault, extra):
    kit = harness
    kit.ctl.inject_fault(fault, method="sendMessage", count=2, **extra)
    kit.ctl.send_command(1, "help")
    await kit.until(lambda: texts(kit, 1, "/committees"), timeout=40)
    await kit.command(1, "next", "You follow no committee yet")
    assert len(texts(kit, 1, "/committees Choose")) == 1
    assert kit.ctl.stats()["faults_fired"] == 2


async def test_replies_overtake_a_broadcast(harness):
    from bot.outbox import message

    kit = harness
    with kit.db() as db:  # a large broadcast already queued
        for n in range(200):
            db.execute(
                "INSERT INTO outbox (key, chat_id, payload, not_before, created_at, priority) "
                "VALUES (?, ?, ?, '', '', ?)",
                (
                    str(key := OutboxKey.broadcast("x", 10_000 + n)),
                    10_000 + n,
                    json.dumps(message("news")),
                    key.priority,
                ),
            )
    await kit.command(1, "help", "/committees")
    assert (
        kit.rows(
            f"SELECT count(*) FROM outbox WHERE key LIKE '{BROADCASTS}' AND state = 'pending'"
        )[0][0]
        > 100
    )


async def test_getupdates_faults_lose_nothing(harness):
    kit = harness
    kit.ctl.inject_fault("500", method="getUpdates", count=2)
    kit.ctl.send_command(1, "help")
    await kit.until(lambda: texts(kit, 1, "/committees"), timeout=20)


def test_redelivered_update_changes_nothing(tmp_path):
    store = Store(tmp_path / "db.sqlite3", b"s")
    update = {"update_id": 7, "message": {"text": "hi"}}
    assert store.receive([update]) == 1
    assert store.receive([update]) == 0  # delivered again before processing
    with store.transaction():
        store.mark_processed(7)
    assert store.receive([update]) == 0  # and again after
    assert store.pending_updates() == []
    assert store.last_update_id() == 7
    store.close()


def test_older_answer_never_overrides_a_newer_one(tmp_path):
    store = Store(tmp_path / "db.sqlite3", b"s")
    with store.transaction():
        store.record_answer("p", 1, [2], update_id=10)
        store.record_answer("p", 1, [0], update_id=9)  # re-delivered late
        store.record_answer("p", 1, [], update_id=8)  # an old retraction
    assert store.answers("p") == [[2]]
    store.close()


def test_a_savepoint_undoes_its_part_and_the_transaction_goes_on(tmp_path):
    """What the inbox does with a failed handler: its writes go, the update's own commit stays."""
    store = Store(tmp_path / "db.sqlite3", b"s")
    with store.transaction():
        store.record_answer("p", 1, [0], update_id=1)
        with store.savepoint() as undo:
            store.record_answer("p", 2, [1], update_id=2)
            undo()
            store.record_answer("p", 3, [2], update_id=3)  # after the undo: kept
        with pytest.raises(LookupError), store.savepoint():
            store.record_answer("p", 4, [1], update_id=4)
            raise LookupError("a handler failed")
        store.record_answer("p", 5, [0], update_id=5)
    assert sorted(store.answers("p")) == [[0], [0], [2]]
    with pytest.raises(LookupError), store.transaction():
        with store.savepoint():
            store.record_answer("p", 6, [1], update_id=6)
        raise LookupError("after the part")  # the whole transaction goes, the part with it
    assert sorted(store.answers("p")) == [[0], [0], [2]]


def test_logs_never_show_the_token(caplog):
    token = "123456:SECRET-token"
    logger = logging.getLogger("civicloop.test")
    handler = logging.StreamHandler()
    redact = Redact([token])
    records = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(redact)
    logger.addHandler(handler)
    try:
        logger.error("POST https://api.telegram.org/bot%s/sendMessage", token)
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{token}/getMe")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    shown = "\n".join(r.getMessage() + (r.exc_text or "") for r in records)
    assert token not in shown and shown.count("[redacted]") == 2  # message, exception


async def test_session_agenda_button_survives_unknown_session(harness):
    kit = harness
    await subscribe(kit, 1)
    upcoming = await kit.command(1, "next", containing="First session")
    assert any(SESSION_ID not in b for b in upcoming["reply_markup"]["inline_keyboard"][0][0])


async def test_closed_poll_results_reach_a_branch_and_failures_are_retried(make_harness, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    # The repository has no commit to branch from yet: publishing fails like a host that is down.
    kit = await make_harness(
        # time enough, on a busy machine, for the poll to reach the voter and the answer to
        # come back before it closes (the answer is awaited below, not assumed)
        data={"poll_closes_in": timedelta(seconds=15)},
        publisher=GitPublisher(repo),
    )
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    kit.ctl.answer_poll(1, [1], message_id=poll["message_id"])
    await kit.until(lambda: kit.rows("SELECT 1 FROM answers"))
    failed = await kit.until(
        lambda: kit.rows(
            "SELECT publish_error, publish_attempts FROM polls "
            "WHERE poll_id = 'test-poll' AND publish_error IS NOT NULL"
        ),
        40,
    )
    assert failed[0]["publish_attempts"] == 1 and backoff(1).total_seconds() == 60
    status = await kit.command(900, "pollstatus", containing="test-poll")
    assert "Publishing failed" in status["text"]
    assert kit.rows("SELECT count(*) FROM answers")[0][0] == 1  # the answers are kept

    (repo / "README.md").write_text("x\n")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=E", "-c", "user.email=e@x", "commit", "-qm", "x"],
        cwd=repo,
        check=True,
    )
    with kit.db() as db:  # bring the retry forward instead of waiting a minute
        db.execute("UPDATE polls SET publish_after = NULL")
    await kit.until(lambda: kit.rows("SELECT 1 FROM polls WHERE published_at IS NOT NULL"), 20)
    text = subprocess.run(
        ["git", "show", "results/test-poll:content/committees/test/results/test-poll.md"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "respondents: 1" in text and "suppressed: true" in text  # 1 < 5: withheld
