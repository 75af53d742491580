"""Editors' commands: only for CIVICLOOP_ADMINS, with a preview before anything is sent."""

from __future__ import annotations

import pytest
from botkit import buttons
from test_bot_citizens import subscribe

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
