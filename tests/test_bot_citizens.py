"""Citizens' flows end to end: the real bot, over HTTP, against the local Bot API server."""

from __future__ import annotations

import json

from botkit import SESSION_ID, buttons

from bot.sitedata import short


async def subscribe(kit, user: int) -> None:
    welcome = await kit.command(user, "start")
    listing = await kit.press(user, welcome, "lang:en" if user != 2 else "lang:fr")
    await kit.press(user, listing, f"sub:{short('test')}")
    await kit.until(lambda: kit.rows("SELECT 1 FROM subscriptions WHERE user_id = ?", user))


async def test_start_explains_privacy_and_offers_languages(harness):
    welcome = await harness.command(1, "start")
    assert "What I store" in welcome["text"] and "/forget" in welcome["text"]
    assert buttons(welcome) == ["lang:en", "lang:fr"]


async def test_french_citizen_subscribes_and_reads_the_agenda(harness):
    kit = harness
    welcome = await kit.command(2, "start")
    assert "Ce que je conserve" in welcome["text"]  # from the user's Telegram language
    listing = await kit.press(2, welcome, "lang:fr")
    assert "Comités que vous pouvez suivre" in listing["text"]
    key = f"sub:{short('test')}"
    assert key in buttons(listing)
    kit.ctl.press_button(2, listing["message_id"], data=key)
    await kit.until(lambda: kit.rows("SELECT 1 FROM subscriptions WHERE user_id = 2"))
    edited = await kit.until(
        lambda: [
            m
            for m in kit.messages(2)
            if "✅" in json.dumps(m.get("reply_markup"), ensure_ascii=False)
        ]
    )
    assert edited[0]["message_id"] == listing["message_id"]  # the keyboard itself shows it

    upcoming = await kit.command(2, "next", containing="First session")
    assert "First session" in upcoming["text"]
    agenda = await kit.press(2, upcoming, f"agenda:{short(SESSION_ID)}", containing="Ordre")
    assert "Ordre du jour" in agenda["text"] and "Hearing of experts" in agenda["text"]


async def test_next_without_subscription_says_how(harness):
    reply = await harness.command(1, "next")
    assert "/committees" in reply["text"]


async def test_settings_turn_reminders_off(harness):
    settings = await harness.command(1, "settings", containing="Reminders")
    assert "rem:off" in buttons(settings)
    await harness.press(1, settings, "rem:off")
    assert harness.rows("SELECT reminders FROM users WHERE user_id = 1")[0][0] == 0


async def test_stop_unsubscribes_from_everything(harness):
    await subscribe(harness, 1)
    await harness.command(1, "stop")
    assert harness.rows("SELECT * FROM subscriptions WHERE user_id = 1") == []


async def test_mydata_then_forget_leaves_no_row_about_the_user(harness):
    kit = harness
    await subscribe(kit, 3)
    poll = await kit.until(lambda: [m for m in kit.messages(3) if m.get("poll")])
    kit.ctl.answer_poll(3, [1], message_id=poll[0]["message_id"])
    await kit.until(lambda: kit.rows("SELECT 1 FROM answers"))

    mine = await kit.command(3, "mydata", containing="stored about you")
    assert '"test"' in mine["text"] and "test-poll" in mine["text"]

    question = await kit.command(3, "forget", containing="Erase")
    await kit.press(3, question, "forget:yes")
    await kit.until(lambda: not kit.rows("SELECT 1 FROM outbox"))  # farewell sent, no trace
    from bot.store import Store

    pseudonym = Store(":memory:", kit.settings.secret).voter(3)
    with kit.db() as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                text = json.dumps(list(row), default=str)
                assert pseudonym not in text, (table, text)
                if table not in ("state", "sessions_seen", "polls"):
                    assert " 3," not in text.replace("[", " ").replace("]", ","), (table, text)


async def test_poll_answers_replace_and_retract(harness):
    kit = harness
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    assert poll["poll"]["is_anonymous"] is False
    for choice in ([0], [2], []):
        kit.ctl.answer_poll(1, choice, message_id=poll["message_id"])
    await kit.until(lambda: not kit.rows("SELECT 1 FROM inbox"))
    assert kit.rows("SELECT * FROM answers") == []  # retracted
    kit.ctl.answer_poll(1, [1], message_id=poll["message_id"])
    rows = await kit.until(lambda: kit.rows("SELECT voter, options FROM answers"))
    assert [json.loads(r["options"]) for r in rows] == [[1]]
    assert rows[0]["voter"] != "1" and len(rows[0]["voter"]) == 64  # a pseudonym, not the id


async def test_rating_poll_by_buttons(harness):
    kit = harness
    await subscribe(kit, 1)
    key = short("test-rating")
    rating = (
        await kit.until(lambda: [m for m in kit.messages(1) if f"rate:{key}:5" in buttons(m)])
    )[0]
    kit.ctl.press_button(1, rating["message_id"], data=f"rate:{key}:4")
    rows = await kit.until(
        lambda: kit.rows("SELECT options FROM answers WHERE poll_id = 'test-rating'")
    )
    assert json.loads(rows[0][0]) == [3]


async def test_buttons_it_did_not_issue_are_refused_politely(harness):
    kit = harness
    welcome = await kit.command(1, "start")
    update = {
        "callback_query": {
            "id": "forged-1",
            "from": {"id": 1, "is_bot": False, "first_name": "User1"},
            "chat_instance": "x",
            "message": welcome,
            "data": "sub:ffffffffffff",
        }
    }
    kit.ctl.enqueue_raw(update)
    answer = await kit.until(lambda: kit.ctl.callback_answer("forged-1"))
    assert "no longer valid" in answer["text"]
    assert kit.rows("SELECT * FROM subscriptions") == []
