"""Editors' commands: only for CIVICLOOP_ADMINS, with a preview before anything is sent."""

from __future__ import annotations

import json
import signal

import pytest
from botkit import TOKEN, buttons, latest, publish_data, start_bot, wait
from test_bot_citizens import subscribe

from bot.broadcast import Step
from bot.localapi import ControlClient
from bot.outbox_key import OutboxKey, Purpose
from bot.sitedata import short

BROADCASTS = OutboxKey.like(Purpose.BROADCAST)


async def test_broadcast_previews_then_sends_once(harness):
    kit = harness
    await subscribe(kit, 1)
    await subscribe(kit, 2)
    await kit.command(900, "start", "What I store")
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    ask = await kit.press(900, menu, f"bc:{short('test')}", containing="Send me the message")
    assert "Test committee" in ask["text"]
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "The session moves to <the library>")
    heading = await kit.reply_to(900, before, containing="Preview")
    assert "Test committee" in heading["text"] and "(34 characters)" in heading["text"]
    preview = await kit.reply_to(900, before, containing="moves to")
    assert preview["text"] == "The session moves to <the library>"  # as text, not markup
    assert buttons(preview) == ["bc-send", "bc-cancel"]

    await kit.press(900, preview, "bc-send", containing="Queued for 2")
    for user in (1, 2):
        await kit.until(
            lambda u=user: [m for m in kit.messages(u) if "moves to" in m.get("text", "")]
        )
    again = kit.ctl.press_button(900, preview["message_id"], data="bc-send")  # a second press
    answer = await kit.until(lambda: kit.ctl.callback_answer(again["callback_query"]["id"]))
    assert answer["text"] == "Nothing was sent."
    assert len(kit.rows(f"SELECT * FROM outbox WHERE key LIKE '{BROADCASTS}'")) == 2
    for user in (1, 2):
        sent = [m for m in kit.messages(user) if "moves to" in m.get("text", "")]
        assert len(sent) == 1


async def open_draft(kit) -> None:
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    await kit.press(900, menu, f"bc:{short('test')}", containing="Send me the message")


def filled(unit: str, length: int) -> str:
    """Text of `length` UTF-16 code units made of `unit`, ending in plain letters."""
    text = ""
    while len((text + unit).encode("utf-16-le")) // 2 <= length - 4:
        text += unit
    return text + "x" * (length - len(text.encode("utf-16-le")) // 2)


LONG_TEXTS = {
    "letters": filled("a", 4096),
    "markup and entities": filled("<b>&amp; ", 4096),
    "accents and newlines": filled("é\n", 4096),
    "emoji count two": filled("\U0001f600", 4096),
    "zero-width joiners": filled("\U0001f468\u200d\U0001f469\u200d\U0001f467 ", 4096),
}


@pytest.mark.parametrize("text", LONG_TEXTS.values(), ids=LONG_TEXTS.keys())
async def test_a_4096_character_broadcast_goes_out_whole(harness, text):
    kit = harness
    await subscribe(kit, 1)
    await open_draft(kit)
    before = len(kit.messages(900))
    kit.ctl.send_message(900, text, entities=[])
    preview = await kit.until(
        lambda: [m for m in kit.messages(900)[before:] if buttons(m) == ["bc-send", "bc-cancel"]]
    )
    assert preview[0]["text"] == text
    await kit.press(900, preview[0], "bc-send", containing="Queued for 1")
    got = await kit.until(lambda: [m for m in kit.messages(1) if m.get("text") == text])
    assert len(got) == 1


TOO_LONG = {
    "letters": (filled("a", 4097), 4097),
    "emoji count two": ("\U0001f600" * 2049, 4098),  # 2,049 code points, 4,098 UTF-16 units
    "far too long": ("word " * 2000, 10000),
}


@pytest.mark.parametrize(("text", "length"), TOO_LONG.values(), ids=TOO_LONG.keys())
async def test_a_longer_broadcast_is_refused_with_its_length(harness, text, length):
    kit = harness
    await subscribe(kit, 1)
    await open_draft(kit)
    before = len(kit.messages(900))
    kit.ctl.send_message(900, text, entities=[])
    refusal = await kit.reply_to(900, before, containing="Not sent")
    assert refusal["text"] == (
        f"Not sent: this message has {length} characters and Telegram allows at most 4096. "
        f"Shorten it by {length - 4096} and send it to me again."
    )
    kit.ctl.send_message(900, "Short now")  # the draft is still open for the shorter text
    preview = await kit.reply_to(900, before, containing="Short now")
    assert buttons(preview) == ["bc-send", "bc-cancel"]
    assert not kit.rows(f"SELECT 1 FROM outbox WHERE key LIKE '{BROADCASTS}'")
    assert not [m for m in kit.messages(900) if m.get("text") == text]


async def test_cancel_sends_nothing(harness):
    kit = harness
    await subscribe(kit, 1)
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    await kit.press(900, menu, f"bc:{short('test')}", containing="Send me")
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "Never mind")
    preview = await kit.reply_to(900, before, containing="Never mind")
    await kit.press_answered(900, preview, "bc-cancel", "Nothing was sent.")
    await kit.rows_become([], "SELECT 1 FROM drafts")
    assert kit.rows(f"SELECT * FROM outbox WHERE key LIKE '{BROADCASTS}'") == []


async def test_citizens_are_refused_politely(harness):
    kit = harness
    for command in ("broadcast", "pollstatus", "stats"):
        await kit.command(1, command, "only the committee's editors")
    assert kit.rows("SELECT * FROM drafts") == []


async def test_pollstatus_and_stats(harness):
    kit = harness
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    kit.ctl.answer_poll(1, [1], message_id=poll["message_id"])
    await kit.rows_become([("[1]",)], "SELECT options FROM answers")
    status = await kit.command(900, "pollstatus", containing="test-poll")
    assert "1 respondents" in status["text"] and "Tuesday: 1" in status["text"]
    stats = await kit.command(900, "stats", containing="users")
    assert "test: 1" in stats["text"]


# --- the broadcast's steps (bot/broadcast.py): every input in every step ----------------------

PICK = f"bc:{short('test')}"


async def reach(kit, step: Step) -> dict[str, dict]:
    """Bring editor 900 to `step`, leaving a committee list and a preview to press buttons on."""
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    await kit.press(900, menu, PICK, containing="Send me the message")
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "Draft")
    preview = await kit.reply_to(900, before, containing="Draft")
    if step is Step.TEXT:
        await kit.press(900, menu, PICK, containing="Send me the message")
    elif step is Step.COMMITTEE:
        menu = await kit.command(900, "broadcast", containing="Broadcast")
    return {"menu": menu, "preview": preview}


async def give(kit, messages: dict[str, dict], given: str, answer: str) -> None:
    """Send `given` (a command, a button's data or a text); wait for the reply, or the button's
    notice, that contains `answer`."""
    before = len(kit.messages(900))
    notice = None
    if given.startswith("/"):
        kit.ctl.send_command(900, given)
    elif given.startswith("bc"):
        where = messages["menu"] if given == PICK else messages["preview"]
        notice = kit.ctl.press_button(900, where["message_id"], data=given)["callback_query"]
    else:
        kit.ctl.send_message(900, given)

    def answered() -> bool:
        said = (kit.ctl.callback_answer(notice["id"]) or {}).get("text", "") if notice else ""
        return answer in said or any(
            answer in m.get("text", "") for m in kit.messages(900)[before:]
        )

    await kit.until(answered)


DRAFT = [("test", "Draft")]
CASES = [  # step, what the editor gives, the draft after (committee, text), the answer
    (Step.COMMITTEE, "/broadcast", [], "Broadcast to which"),
    (Step.TEXT, "/broadcast", [], "Broadcast to which"),
    (Step.CONFIRM, "/broadcast", [], "Broadcast to which"),
    (Step.COMMITTEE, PICK, [("test", None)], "Send me the message"),
    (Step.TEXT, PICK, [("test", None)], "Send me the message"),
    (Step.CONFIRM, PICK, [("test", None)], "Send me the message"),
    (Step.COMMITTEE, "Another text", [], "Use the buttons"),
    (Step.TEXT, "Another text", [("test", "Another text")], "Preview"),
    (Step.CONFIRM, "Another text", [("test", "Another text")], "Preview"),
    (Step.COMMITTEE, "bc-send", [], "Nothing was sent."),
    (Step.TEXT, "bc-send", [], "Nothing was sent."),
    (Step.CONFIRM, "bc-send", [], "Queued for 0 subscribers."),
    (Step.COMMITTEE, "bc-cancel", [], "Nothing was sent."),
    (Step.TEXT, "bc-cancel", [], "Nothing was sent."),
    (Step.CONFIRM, "bc-cancel", [], "Nothing was sent."),
    (Step.COMMITTEE, "/cancel", [], "Nothing was sent."),
    (Step.TEXT, "/cancel", [], "Nothing was sent."),
    (Step.CONFIRM, "/cancel", [], "Nothing was sent."),
]


@pytest.mark.parametrize(
    ("step", "given", "draft", "answer"), CASES, ids=[f"{c[0].name}-{c[1]}" for c in CASES]
)
async def test_every_input_in_every_step(harness, step, given, draft, answer):
    kit = harness
    messages = await reach(kit, step)
    expected = {Step.COMMITTEE: [], Step.TEXT: [("test", None)], Step.CONFIRM: DRAFT}[step]
    assert [tuple(r) for r in kit.rows("SELECT committee, text FROM drafts")] == expected
    await give(kit, messages, given, answer)
    # The answer is queued in the transaction that moved the draft: it is committed now.
    assert [tuple(r) for r in kit.rows("SELECT committee, text FROM drafts")] == draft


def test_a_bot_killed_between_the_steps_resumes_the_broadcast(local_api, tmp_path):
    """SIGKILL once the committee is picked, and again once the preview is shown: each new bot
    takes the conversation up where it was, and the subscriber gets the message once."""
    publish_data(tmp_path)
    ctl = ControlClient(local_api, TOKEN)
    ctl.add_user(user_id=1, first_name="Citizen", language_code="en")
    ctl.add_user(user_id=900, first_name="Editor", language_code="en")
    bots = [start_bot(local_api, tmp_path, CIVICLOOP_ADMINS="900")]

    def kill_and_restart() -> None:
        bots[-1].send_signal(signal.SIGKILL)
        bots[-1].wait()
        bots.append(start_bot(local_api, tmp_path, CIVICLOOP_ADMINS="900"))

    def said(user: int, text: str) -> dict:
        return latest(ctl, user, lambda m: text in m.get("text", ""))

    ctl.send_command(user_id=1, command="start")
    ctl.press_button(user_id=1, message_id=said(1, "What I store")["message_id"], data="lang:en")
    ctl.press_button(
        user_id=1,
        message_id=said(1, "Committees you can follow")["message_id"],
        data=f"sub:{short('test')}",
    )
    ctl.send_command(user_id=900, command="broadcast")
    ctl.press_button(
        user_id=900, message_id=said(900, "Broadcast to which")["message_id"], data=PICK
    )
    said(900, "Send me the message")
    kill_and_restart()
    ctl.send_message(user_id=900, text="Moved to the library")
    preview = latest(ctl, 900, lambda m: buttons(m) == ["bc-send", "bc-cancel"])
    assert preview["text"] == "Moved to the library"
    assert "Send to 1 subscribers" in json.dumps(preview["reply_markup"])
    kill_and_restart()
    ctl.press_button(user_id=900, message_id=preview["message_id"], data="bc-send")
    said(900, "Queued for 1 subscribers.")
    got = wait(
        lambda: [m for m in ctl.bot_messages(chat_id=1) if m.get("text") == "Moved to the library"]
    )
    assert len(got) == 1
    assert len(bots) == 3


async def test_editors_help_adds_their_commands(harness):
    """/help from an editor: the citizens' lines, then the editors' commands of `COMMANDS`."""
    reply = await harness.command(900, "help", "For editors:")
    citizens, editors = reply["text"].split("\n\nFor editors:\n")
    assert [line.split()[0] for line in citizens.splitlines()][:2] == ["/start", "/help"]
    assert [line.split()[0] for line in editors.splitlines()] == [
        "/broadcast",
        "/cancel",
        "/pollstatus",
        "/closepoll",
        "/stats",
    ]
    citizen = await harness.command(1, "help", "/committees")
    assert "For editors" not in citizen["text"] and "/broadcast" not in citizen["text"]
