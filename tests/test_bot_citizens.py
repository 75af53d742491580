"""Citizens' flows end to end: the real bot, over HTTP, against the local Bot API server."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace

import httpx
import pytest
from botkit import SESSION_ID, buttons

from bot.commands import COMMANDS
from bot.i18n import DEFAULT, LANGUAGES, t
from bot.sitedata import short


async def subscribe(kit, user: int) -> None:
    """/start, English, follow the test committee (user 2 speaks French)."""
    french = user == 2
    welcome = await kit.command(user, "start", "Ce que je conserve" if french else "What I store")
    listing = await kit.press(
        user,
        welcome,
        "lang:fr" if french else "lang:en",
        "Comités que vous pouvez suivre" if french else "Committees you can follow",
    )
    follows = "Vous suivez désormais" if french else "You now follow"
    await kit.press_answered(user, listing, f"sub:{short('test')}", follows)
    await kit.rows_become(
        [("test",)], "SELECT committee FROM subscriptions WHERE user_id = ?", user
    )


async def test_start_explains_privacy_and_offers_languages(harness):
    welcome = await harness.command(1, "start", "What I store")
    assert "/forget" in welcome["text"]
    assert buttons(welcome) == ["lang:en", "lang:fr"]


async def test_french_citizen_subscribes_and_reads_the_agenda(harness):
    kit = harness
    welcome = await kit.command(2, "start", "Ce que je conserve")  # the Telegram language
    listing = await kit.press(2, welcome, "lang:fr", "Comités que vous pouvez suivre")
    key = f"sub:{short('test')}"
    assert key in buttons(listing)
    await kit.press_answered(2, listing, key, "Vous suivez désormais Test committee.")
    await kit.rows_become([("test",)], "SELECT committee FROM subscriptions WHERE user_id = 2")
    edited = await kit.until(
        lambda: [
            m
            for m in kit.messages(2)
            if "✅" in json.dumps(m.get("reply_markup"), ensure_ascii=False)
        ]
    )
    assert edited[0]["message_id"] == listing["message_id"]  # the keyboard itself shows it

    upcoming = await kit.command(2, "next", "First session")
    agenda = await kit.press(2, upcoming, f"agenda:{short(SESSION_ID)}", "Ordre du jour")
    assert "Hearing of experts" in agenda["text"]


async def test_next_without_subscription_says_how(harness):
    reply = await harness.command(1, "next", "You follow no committee yet")
    assert "/committees" in reply["text"]


async def test_settings_turn_reminders_off_and_on_in_the_same_message(harness):
    """A toggle says what it did in a notice and changes the settings message itself (its
    state and its button), so that pressing again undoes it; no message is added."""
    settings = await harness.command(1, "settings", "Reminders: on")
    assert "rem:off" in buttons(settings)
    count = len(harness.messages(1))
    await harness.press_answered(1, settings, "rem:off", "Reminders are off.")
    await harness.rows_become([(0,)], "SELECT reminders FROM users WHERE user_id = 1")

    def shown(state: str, button: str) -> dict | None:
        now = next(m for m in harness.messages(1) if m["message_id"] == settings["message_id"])
        return now if f"Reminders: {state}." in now["text"] and button in buttons(now) else None

    edited = await harness.until(lambda: shown("off", "rem:on"))
    await harness.press_answered(1, edited, "rem:on", "Reminders are on.")
    await harness.rows_become([(1,)], "SELECT reminders FROM users WHERE user_id = 1")
    edited = await harness.until(lambda: shown("on", "rem:off"))
    await harness.press_answered(1, edited, "news:results:off", "No more messages when results")
    edited = await harness.until(lambda: shown("on", "news:results:on"))
    assert "When results are published: off." in edited["text"]
    assert len(harness.messages(1)) == count


async def test_stop_unsubscribes_from_everything(harness):
    await subscribe(harness, 1)
    await harness.command(1, "stop", "You follow no committee any more.")
    await harness.rows_become([], "SELECT * FROM subscriptions WHERE user_id = 1")


async def test_mydata_then_forget_leaves_no_row_about_the_user(harness):
    kit = harness
    await subscribe(kit, 3)
    poll = await kit.until(lambda: [m for m in kit.messages(3) if m.get("poll")])
    kit.ctl.answer_poll(3, [1], message_id=poll[0]["message_id"])
    await kit.rows_become([("test-poll", "[1]")], "SELECT poll_id, options FROM answers")

    mine = await kit.command(3, "mydata", "Everything stored about you")
    assert '"test"' in mine["text"] and "test-poll" in mine["text"]

    question = await kit.command(3, "forget", "Erase")
    await kit.press(3, question, "forget:yes", "Everything about you is erased.")
    # The farewell's own row goes once Telegram has taken it: then there is no trace left.
    await kit.rows_become([], "SELECT key FROM outbox WHERE chat_id = 3")
    from bot.store import Store

    with contextlib.closing(Store(":memory:", kit.settings.secret)) as store:
        pseudonym = store.voter(3)
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
    for choice in ([0], [2]):
        kit.ctl.answer_poll(1, choice, message_id=poll["message_id"])
    await kit.rows_become([("[2]",)], "SELECT options FROM answers")  # replaced, not added
    for choice in ([0], []):
        retraction = kit.ctl.answer_poll(1, choice, message_id=poll["message_id"])
    await kit.handled(retraction)  # an absence: wait for the update itself, not an empty inbox
    assert kit.rows("SELECT * FROM answers") == []
    kit.ctl.answer_poll(1, [1], message_id=poll["message_id"])
    await kit.rows_become([("[1]",)], "SELECT options FROM answers")
    (voter,) = kit.rows("SELECT voter FROM answers")[0]
    assert voter != "1" and len(voter) == 64  # a pseudonym, not the id


async def test_rating_poll_by_buttons(harness):
    kit = harness
    await subscribe(kit, 1)
    key = short("test-rating")
    rating = (
        await kit.until(lambda: [m for m in kit.messages(1) if f"rate:{key}:5" in buttons(m)])
    )[0]
    kit.ctl.press_button(1, rating["message_id"], data=f"rate:{key}:4")
    await kit.rows_become([("[3]",)], "SELECT options FROM answers WHERE poll_id = 'test-rating'")


async def test_buttons_it_did_not_issue_are_refused_politely(harness):
    kit = harness
    welcome = await kit.command(1, "start", "What I store")
    update = {
        "callback_query": {
            "id": "forged-1",
            "from": {"id": 1, "is_bot": False, "first_name": "User1"},
            "chat_instance": "x",
            "message": welcome,
            "data": "sub:ffffffffffff",
        }
    }
    update_id = kit.ctl.enqueue_raw(update)
    answer = await kit.until(lambda: kit.ctl.callback_answer("forged-1"))
    assert "no longer valid" in answer["text"]
    await kit.handled({"update_id": update_id})
    assert kit.rows("SELECT * FROM subscriptions") == []


CITIZENS_COMMANDS = [
    "start",
    "help",
    "committees",
    "next",
    "settings",
    "mydata",
    "leave",
    "forget",
    "stop",
]


@pytest.mark.parametrize(("user", "lang"), [(1, "en"), (2, "fr")])
async def test_menu_and_help_list_the_citizens_commands(harness, user, lang):
    """The menu Telegram shows (setMyCommands, as the server recorded it for the language) and
    /help say the same: one line per citizens' command of `COMMANDS`, in the user's language."""
    citizens = [c for c in COMMANDS if c.help and not c.editors]
    table = [(c.name, t(lang, c.help)) for c in citizens]
    assert [name for name, _ in table] == CITIZENS_COMMANDS  # no editors' command among them
    if lang != DEFAULT:  # every line translated
        assert all(text != c.help for (_, text), c in zip(table, citizens, strict=True))
    language_code = "" if lang == DEFAULT else lang
    menu = await harness.until(lambda: harness.ctl.commands(language_code=language_code))
    assert [(c["command"], c["description"]) for c in menu] == table
    reply = await harness.command(user, "help", "/committees")
    assert reply["text"].splitlines() == [f"/{name} {text}" for name, text in table]


async def test_citizens_are_served_while_telegram_refuses_the_menus_at_start(make_harness, caplog):
    """Telegram limits how often a restarting bot sets its menus (a 429 may ask for an hour):
    the bot does not wait for them to serve citizens, and says when it will try again."""
    kit = await make_harness()
    await kit.stop()
    kit.ctl.inject_fault("429", method="setMyCommands", retry_after=3600)
    kit.ctl.reset_stats()
    await kit.start()
    await kit.until(lambda: "trying again in 3600 s" in caplog.text)
    assert "setMyCommands failed (Flood control exceeded" in caplog.text
    reply = await kit.command(1, "help", "/committees")
    assert reply["text"].startswith("/")
    assert kit.ctl.stats()["calls"]["setMyCommands"] == 1  # not asked again within the hour


async def test_a_connection_lost_at_start_only_delays_polling(make_harness, caplog):
    """Before polling, the bot deletes any webhook (Telegram refuses getUpdates while one is
    set): a dropped connection or a 502 there is tried again, as getUpdates' own failures are,
    instead of stopping the bot."""
    kit = await make_harness()
    await kit.stop()
    for kind in ("reset", "502"):
        kit.ctl.inject_fault(kind, method="deleteWebhook")
    kit.ctl.reset_stats()
    await kit.start()  # until getUpdates is called
    assert kit.ctl.stats()["calls"]["deleteWebhook"] == 3
    assert caplog.text.count("deleteWebhook failed") == 2
    reply = await kit.command(1, "help", "/committees")
    assert reply["text"].startswith("/")


async def test_telegram_down_at_start_only_delays_the_bot(make_harness, caplog):
    """The bot's first call, getMe (the token checked, the bot's name read), is tried again
    after a dropped connection, a 502 and a 429, each said in the log, instead of stopping the
    bot: a restart while Telegram or the network is down only waits."""
    kit = await make_harness()
    await kit.stop()
    for kind in ("reset", "502", "429"):
        kit.ctl.inject_fault(kind, method="getMe", retry_after=1)
    kit.ctl.reset_stats()
    await kit.start()  # until getUpdates is called
    assert kit.ctl.stats()["calls"]["getMe"] == 4
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("getMe failed")]
    assert len(said) == 3, said
    assert [s.rpartition(": ")[2] for s in said] == [
        "trying again in 1 s",
        "trying again in 2 s",
        "trying again in 1 s",  # what the 429 asked
    ]
    reply = await kit.command(1, "help", "/committees")
    assert reply["text"].startswith("/")


async def test_a_conflict_while_polling_is_waited_out(make_harness, caplog):
    """A webhook set behind the bot's back makes Telegram refuse getUpdates (409 Conflict):
    the bot says so and tries again, and serves citizens once the webhook is gone."""
    kit = await make_harness()
    base = f"{kit.settings.api_url}/bot{kit.settings.token}/"
    async with httpx.AsyncClient(base_url=base) as api:
        hook = {"url": "https://elsewhere.example.org/hook"}
        assert (await api.post("setWebhook", json=hook)).json()["result"] is True
        await kit.until(lambda: "getUpdates failed (Conflict" in caplog.text, 60)
        assert (await api.post("deleteWebhook")).json()["result"] is True
    reply = await kit.command(1, "help", "/committees")
    assert reply["text"].startswith("/")


async def test_menus_refused_at_start_are_set_once_telegram_answers(make_harness, caplog):
    """After a server error, a dropped connection and a 429, each said in the log, the menus
    of every language are set: a 429 waits what Telegram asks, a failure longer each time."""
    kit = await make_harness()
    await kit.stop()
    base = f"{kit.settings.api_url}/bot{kit.settings.token}/"
    async with httpx.AsyncClient(base_url=base) as api:
        for lang in LANGUAGES:  # the menus of the first start, taken back
            code = {} if lang == DEFAULT else {"language_code": lang}
            assert (await api.post("deleteMyCommands", json=code)).json()["result"] is True
    assert not any(kit.ctl.commands(language_code=c) for c in ("", *LANGUAGES))
    for kind in ("500", "reset", "429"):
        kit.ctl.inject_fault(kind, method="setMyCommands", retry_after=1)
    await kit.start()
    citizens = [c for c in COMMANDS if c.help and not c.editors]
    for lang in LANGUAGES:
        code = "" if lang == DEFAULT else lang
        table = [{"command": c.name, "description": t(lang, c.help)} for c in citizens]
        assert await kit.until(lambda c=code: kit.ctl.commands(language_code=c), 15) == table
    assert not kit.ctl.faults()
    said = [r.getMessage() for r in caplog.records if "setMyCommands failed" in r.getMessage()]
    assert len(said) == 3, said
    assert "Internal Server Error" in said[0] and "trying again in 1 s" in said[0]
    assert "trying again in 2 s" in said[1]
    assert "Flood control exceeded" in said[2] and "trying again in 1 s" in said[2]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_editors_see_their_commands_in_their_own_menu(make_harness, caplog, lang):
    """In an editor's private chat, Telegram's menu lists the citizens' commands, then the
    editors'; an editor who never opened the bot (no chat: Telegram says "chat not found")
    is said in the log, and the others' menus and the bot go on."""
    kit = await make_harness(admins=frozenset({900, 901}))  # 901 never opened the bot
    everyone = [c for c in COMMANDS if c.help and not c.editors]
    editors = [c for c in COMMANDS if c.help and c.editors]
    table = [(c.name, t(lang, c.help)) for c in everyone + editors]
    scope = {"type": "chat", "chat_id": 900}
    language_code = "" if lang == DEFAULT else lang
    menu = await kit.until(lambda: kit.ctl.commands(scope=scope, language_code=language_code))
    assert [(c["command"], c["description"]) for c in menu] == table
    assert [c.name for c in editors] == ["broadcast", "cancel", "pollstatus", "closepoll", "stats"]
    await kit.until(lambda: "an editor's menu is not set (Chat not found)" in caplog.text)
    assert kit.ctl.commands(scope={"type": "chat", "chat_id": 901}) == []
    await kit.command(1, "help", "/committees")  # the bot runs on


async def test_an_editor_taken_off_the_admins_loses_their_menu_at_the_next_start(
    make_harness, caplog
):
    """Telegram keeps a chat's menu until it is deleted: at start, the bot deletes the editors'
    menu (in every language) of each chat it gave one to whose editor is no longer listed.
    When Telegram cannot be asked, the chat stays listed and the next start deletes it."""
    kit = await make_harness(admins=frozenset({900, 3}))
    editors_menu = [{"type": "chat", "chat_id": chat} for chat in (900, 3)]
    codes = ["" if code == DEFAULT else code for code in LANGUAGES]
    for scope in editors_menu:
        for code in codes:
            await kit.until(lambda s=scope, c=code: kit.ctl.commands(scope=s, language_code=c))
    assert [r[0] for r in kit.rows("SELECT chat_id FROM editor_menus ORDER BY 1")] == [3, 900]

    await kit.stop()
    kit.ctl.inject_fault("500", method="deleteMyCommands")
    kit.settings = replace(kit.settings, admins=frozenset({900}))
    kit.ctl.reset_stats()
    await kit.start()
    await kit.until(lambda: "a former editor's menu is not deleted yet" in caplog.text)
    assert kit.ctl.stats()["calls"]["deleteMyCommands"] == 1  # failed: no other language tried
    assert not kit.ctl.faults()
    assert [r[0] for r in kit.rows("SELECT chat_id FROM editor_menus ORDER BY 1")] == [3, 900]
    assert kit.ctl.commands(scope=editors_menu[1], language_code=codes[0])

    await kit.stop()
    kit.ctl.reset_stats()
    await kit.start()
    await kit.rows_become([(900,)], "SELECT chat_id FROM editor_menus")
    assert kit.ctl.stats()["calls"]["deleteMyCommands"] == len(codes)
    for code in codes:
        assert kit.ctl.commands(scope=editors_menu[1], language_code=code) == []
        assert kit.ctl.commands(scope=editors_menu[0], language_code=code)
    await kit.command(3, "stats", "only the committee's editors")
