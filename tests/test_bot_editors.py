"""Editors' commands: only for CIVICLOOP_ADMINS, with a preview before anything is sent."""

from __future__ import annotations

from botkit import buttons
from test_bot_citizens import subscribe

from bot.sitedata import short


async def test_broadcast_previews_then_sends_once(harness):
    kit = harness
    await subscribe(kit, 1)
    await subscribe(kit, 2)
    await kit.command(900, "start")
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    ask = await kit.press(900, menu, f"bc:{short('test')}", containing="Send me the message")
    assert "Test committee" in ask["text"]
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "The session moves to <the library>")
    preview = await kit.reply_to(900, before, containing="Preview")
    assert "&lt;the library&gt;" not in preview["text"]  # shown as text, not markup
    assert "<the library>" in preview["text"]
    assert buttons(preview) == ["bc-send", "bc-cancel"]

    await kit.press(900, preview, "bc-send", containing="Queued for 2")
    for user in (1, 2):
        await kit.until(
            lambda u=user: [m for m in kit.messages(u) if "moves to" in m.get("text", "")]
        )
    again = kit.ctl.press_button(900, preview["message_id"], data="bc-send")  # a second press
    answer = await kit.until(lambda: kit.ctl.callback_answer(again["callback_query"]["id"]))
    assert answer["text"] == "Nothing was sent."
    assert len(kit.rows("SELECT * FROM outbox WHERE key LIKE 'bc:%'")) == 2
    for user in (1, 2):
        sent = [m for m in kit.messages(user) if "moves to" in m.get("text", "")]
        assert len(sent) == 1


async def test_cancel_sends_nothing(harness):
    kit = harness
    await subscribe(kit, 1)
    menu = await kit.command(900, "broadcast", containing="Broadcast")
    await kit.press(900, menu, f"bc:{short('test')}", containing="Send me")
    before = len(kit.messages(900))
    kit.ctl.send_message(900, "Never mind")
    preview = await kit.reply_to(900, before, containing="Preview")
    kit.ctl.press_button(900, preview["message_id"], data="bc-cancel")
    await kit.until(lambda: not kit.rows("SELECT 1 FROM drafts"))
    assert kit.rows("SELECT * FROM outbox WHERE key LIKE 'bc:%'") == []


async def test_citizens_are_refused_politely(harness):
    kit = harness
    for command in ("broadcast", "pollstatus", "stats"):
        reply = await kit.command(1, command)
        assert "only the committee's editors" in reply["text"]
    assert kit.rows("SELECT * FROM drafts") == []


async def test_pollstatus_and_stats(harness):
    kit = harness
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    kit.ctl.answer_poll(1, [1], message_id=poll["message_id"])
    await kit.until(lambda: kit.rows("SELECT 1 FROM answers"))
    status = await kit.command(900, "pollstatus", containing="test-poll")
    assert "1 respondents" in status["text"] and "Tuesday: 1" in status["text"]
    stats = await kit.command(900, "stats", containing="users")
    assert "test: 1" in stats["text"]
