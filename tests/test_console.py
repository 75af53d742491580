"""The terminal console: parsing what the user types, rendering what the bot sends, and a real
conversation with the bot through the local Bot API's HTTP control interface."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.commands import COMMANDS
from bot.console import HELP, Action, Console, parse_input, render_message
from bot.localapi import ControlClient, ControlError


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("", Action("none")),
        ("  hello there ", Action("send", text="hello there")),
        ("/start", Action("send", text="/start")),
        ("3", Action("press", button=3)),
        ("2@14", Action("press", button=2, message_id=14)),
        ("vote 1 3", Action("vote", options=(1, 3))),
        ("vote", Action("vote")),
        ("block", Action("block")),
        ("Unblock", Action("unblock")),
        ("help", Action("help")),
        ("quit", Action("quit")),
        ("exit", Action("quit")),
        ("3 apples", Action("send", text="3 apples")),
    ],
)
def test_parse_input(line: str, action: Action) -> None:
    assert parse_input(line) == action


@pytest.mark.parametrize("line", ["0", "vote 0", "vote one", "vote 2 2"])
def test_parse_input_rejects_with_a_hint(line: str) -> None:
    with pytest.raises(ValueError):
        parse_input(line)


def test_render_text_with_inline_keyboard() -> None:
    message = {
        "message_id": 4,
        "text": "<b>Hello</b> &amp; welcome\n<pre>{}</pre>",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": "English", "callback_data": "lang:en"},
                    {"text": "Français", "callback_data": "lang:fr"},
                ],
                [{"text": "Site", "url": "https://example.org"}],
            ]
        },
    }
    assert render_message(message, "edited") == (
        "── bot #4 (edited)\n"
        "Hello & welcome\n{}\n"
        "  [1] English  [2] Français\n"
        "  [3] Site <https://example.org>"
    )


def poll_message(is_closed: bool = False, close_date: int | None = None) -> dict[str, Any]:
    poll = {
        "id": "p1",
        "question": "Which day suits you?",
        "options": [
            {"text": "Monday", "voter_count": 2},
            {"text": "Tuesday", "voter_count": 0},
        ],
        "total_voter_count": 2,
        "is_closed": is_closed,
        "allows_multiple_answers": False,
    }
    if close_date is not None:
        poll["close_date"] = close_date
    return {"message_id": 9, "poll": poll}


def test_render_open_poll() -> None:
    assert render_message(poll_message(), now=1000) == (
        "── bot #9\n"
        "poll (open, one answer, 2 voters): Which day suits you?\n"
        "  1. Monday  (2)\n"
        "  2. Tuesday  (0)\n"
        "  answer with: vote <number>"
    )


@pytest.mark.parametrize("message", [poll_message(is_closed=True), poll_message(close_date=999)])
def test_render_closed_poll(message: dict[str, Any]) -> None:
    text = render_message(message, now=1000)
    assert "poll (closed," in text and "vote <number>" not in text


class FakeControl:
    """Records control calls; serves fixed bot messages."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return self.messages

    def callback_answer(self, callback_query_id: str) -> dict[str, Any]:
        return {"text": "Done."}

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return {"callback_query": {"id": "q1"}} if name == "press_button" else None

        return call


def keyboard(*data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": d, "callback_data": d} for d in data]]}


def test_console_resolves_buttons_and_polls_to_api_calls() -> None:
    messages = [
        {"message_id": 1, "text": "old", "reply_markup": keyboard("a", "b")},
        poll_message(),
        {"message_id": 12, "text": "new", "reply_markup": keyboard("c", "d", "e")},
    ]
    control, shown = FakeControl(messages), []
    console = Console(control, 7, shown.append)

    console.execute(parse_input("3"))
    console.execute(parse_input("2@1"))
    assert console.execute(parse_input("vote 2")) == "voted 2 in #9"
    console.execute(parse_input("vote"))
    console.execute(parse_input("/start now"))
    console.execute(parse_input("hi"))
    assert control.calls == [
        ("press_button", {"user_id": 7, "message_id": 12, "data": "e"}),
        ("press_button", {"user_id": 7, "message_id": 1, "data": "b"}),
        ("answer_poll", {"user_id": 7, "option_ids": [1], "message_id": 9}),
        ("answer_poll", {"user_id": 7, "option_ids": [], "message_id": 9}),
        ("send_command", {"user_id": 7, "command": "start", "args": "now"}),
        ("send_message", {"user_id": 7, "text": "hi"}),
    ]
    assert shown[:3] == [render_message(m) for m in messages]
    assert "   (notice) Done." in shown

    with pytest.raises(ControlError, match="buttons 1..3"):
        console.execute(parse_input("4"))
    with pytest.raises(ControlError, match="options 1..2"):
        console.execute(parse_input("vote 3"))

    messages[2] = {**messages[2], "reply_markup": keyboard("c"), "edit_date": 1}
    console.poll()
    assert shown[-1] == "── bot #12 (edited)\nnew\n  [1] c"


async def test_console_talks_with_the_real_bot(harness) -> None:
    """/start, choose English, see the committee list, follow it (the keyboard is edited), vote
    in the poll the bot then sends: all through HTTP, as `python -m bot.console` does."""
    shown: list[str] = []
    console = Console(ControlClient(harness.api.url, timeout=10), 1001, shown.append)
    await asyncio.to_thread(console.register, "Ann", "en")

    async def do(line: str) -> str | None:
        return await asyncio.to_thread(console.execute, parse_input(line))

    async def shows(*parts: str) -> str:
        """The first block shown with all `parts`, polling as the background thread would."""

        async def found() -> str | None:
            await asyncio.to_thread(console.poll)
            return next((b for b in shown if all(p in b for p in parts)), None)

        deadline = asyncio.get_running_loop().time() + 10
        while (block := await found()) is None:
            assert asyncio.get_running_loop().time() < deadline, f"{parts} not in {shown}"
            await asyncio.sleep(0.05)
        return block

    await do("/start")
    welcome = await shows("What I store", "[1] English  [2] Français")
    assert "<b>" not in welcome

    await do("1")
    listing = await shows("Committees you can follow", "[1] ➕ Test committee")
    assert "Test committee\nHow should we decide?" in listing
    await shows("(notice) Language: English")

    await do("1")
    await shows("(edited)", "[1] ✅ Test committee")
    await shows("(notice) You now follow Test committee.")

    await shows("poll (open, one answer, 0 voters): Which day suits you?", "3. Wednesday")
    assert (await do("vote 2") or "").startswith("voted 2 in #")
    await shows("(updated)", "poll (open, one answer, 1 voter)", "2. Tuesday  (1)")

    await do("block")
    with pytest.raises(ControlError, match="blocked"):
        await do("/help")


def test_usage_lists_every_command_of_the_table():
    listed = [line.split()[0] for line in HELP.splitlines() if line.startswith("    /")]
    assert sorted(listed) == sorted(f"/{c.name}" for c in COMMANDS if c.help)
    assert "/cancel" in listed  # an editors' command, under their heading
