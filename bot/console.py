"""Chat with the bot as one citizen from a terminal: no Telegram account, no phone.

Newcomers (and developers trying a change) can walk the whole citizen flow, /start, buttons,
polls, blocking, against the local Bot API server, whose ``/control/*`` endpoints play the
citizen's side. Three terminals::

    python -m bot.localapi --port 8081 --no-limits
    TELEGRAM_BOT_TOKEN=123456:LOCAL-TEST-TOKEN TELEGRAM_API_URL=http://127.0.0.1:8081 python -m bot
    python -m bot.console --api http://127.0.0.1:8081 --user 1001 --name Ann --language en

The layers are separate so tests can drive them without a terminal: :func:`parse_input` turns a
typed line into an :class:`Action`, :func:`render_message` turns a Bot API message into text,
and :class:`Console` performs actions and reports what the bot sent (``poll``), over any object
with :class:`~bot.localapi.ControlClient`'s methods.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.commands import CITIZENS, EDITORS
from bot.localapi import ControlClient, ControlError

try:  # line editing and history at the prompt, where the platform has it
    import readline
except ImportError:  # pragma: no cover - Windows
    readline = None  # type: ignore[assignment]

DEFAULT_API = "http://127.0.0.1:8081"
PROMPT = "you> "
HELP = "\n".join(
    [
        "  hello there      send a text message to the bot",
        "  /start           send a command, one of:",
        *(f"    /{c.name:<13} {c.help}" for c in CITIZENS),
        "                   and for editors (a --user in CIVICLOOP_ADMINS):",
        *(f"    /{c.name:<13} {c.help}" for c in EDITORS),
        "  3                press button 3 of the latest message with buttons",
        "  3@12             press button 3 of message #12",
        "  vote 1 2         answer the latest poll with options 1 and 2 (vote alone retracts)",
        "  block, unblock   block the bot, or unblock it, as a Telegram user can",
        "  help, quit       this help; leave (Ctrl-D works too)",
    ]
)

# The tags Telegram's HTML parse mode accepts; anything else in a text is the citizen's content.
_TAGS = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|span|tg-spoiler|tg-emoji|blockquote)"
    r"(?:\s[^>]*)?>"
)


# --- what the user typed -----------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing the user asked for; ``kind`` is send, press, vote, block, unblock, help, quit
    or none (an empty line), so the loop and the tests share one vocabulary."""

    kind: str
    text: str = ""
    button: int = 0  # 1-based, as shown
    message_id: int | None = None  # None: the latest message that has buttons
    options: tuple[int, ...] = ()  # 1-based, as shown


def parse_input(line: str) -> Action:
    """Turn a typed line into an Action; raises ValueError with a hint when it cannot."""
    line = line.strip()
    word = line.lower()
    if not line:
        return Action("none")
    if word in ("quit", "exit", "help", "block", "unblock"):
        return Action("quit" if word == "exit" else word)
    if press := re.fullmatch(r"(\d+)(?:@(\d+))?", line):
        if int(press[1]) < 1:
            raise ValueError("buttons are numbered from 1")
        message_id = int(press[2]) if press[2] else None
        return Action("press", button=int(press[1]), message_id=message_id)
    if word == "vote" or word.startswith("vote "):
        numbers = line.split()[1:]
        if not all(n.isdigit() and int(n) >= 1 for n in numbers):
            raise ValueError("vote takes option numbers, like: vote 1 2")
        if len(set(numbers)) != len(numbers):
            raise ValueError("name each option once")
        return Action("vote", options=tuple(int(n) for n in numbers))
    return Action("send", text=line)


# --- what the bot sent -------------------------------------------------------------------------


def plain_text(text: str) -> str:
    """The text as a citizen reads it. The local server already turns parse_mode HTML into plain
    text and entities, but a message sent without parse_mode keeps its markup verbatim."""
    return html.unescape(_TAGS.sub("", text))


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Inline buttons in reading order: their 1-based position is the number the user types."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def render_keyboard(message: dict[str, Any]) -> list[str]:
    """One line per keyboard row, buttons numbered across rows: ``[1] English  [2] Français``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    lines, number = [], 0
    for row in rows:
        labels = []
        for button in row:
            number += 1
            link = f" <{button['url']}>" if "url" in button else ""
            labels.append(f"[{number}] {button.get('text', '')}{link}")
        lines.append("  " + "  ".join(labels))
    return lines


def poll_is_closed(poll: dict[str, Any], now: float | None = None) -> bool:
    """Closed by stopPoll or by its close_date, the two ways Telegram ends a poll."""
    close_date = poll.get("close_date")
    return bool(poll.get("is_closed")) or bool(
        close_date and close_date <= (time.time() if now is None else now)
    )


def render_poll(poll: dict[str, Any], now: float | None = None) -> list[str]:
    """Question, numbered options with their counts, and whether a vote is still possible."""
    state = "closed" if poll_is_closed(poll, now) else "open"
    answers = "several answers" if poll.get("allows_multiple_answers") else "one answer"
    votes = poll.get("total_voter_count", 0)
    lines = [f"poll ({state}, {answers}, {votes} voter{'s' if votes != 1 else ''}): "]
    lines[0] += plain_text(poll.get("question", ""))
    for number, option in enumerate(poll.get("options", []), 1):
        lines.append(f"  {number}. {option.get('text', '')}  ({option.get('voter_count', 0)})")
    if state == "open":
        lines.append("  answer with: vote <number>")
    return lines


def render_message(message: dict[str, Any], note: str = "", now: float | None = None) -> str:
    """A bot message as a block of text, headed by its id so ``3@<id>`` can name it."""
    header = f"── bot #{message['message_id']}" + (f" ({note})" if note else "")
    lines = [header]
    if "text" in message:
        lines.append(plain_text(message["text"]))
    if "poll" in message:
        lines.extend(render_poll(message["poll"], now))
    if not ("text" in message or "poll" in message):
        kinds = [k for k in message if k not in ("message_id", "from", "chat", "date")]
        lines.append(f"[a message this console cannot show: {', '.join(kinds)}]")
    lines.extend(render_keyboard(message))
    return "\n".join(lines)


# --- doing it ----------------------------------------------------------------------------------


class Console:
    """One citizen's side of the conversation: performs actions and reports the bot's messages.

    ``out`` receives every block to show; the terminal prints it, tests collect it. ``poll`` may
    run in a background thread while ``execute`` runs in another: a lock keeps each message
    reported once and button numbers resolved against what was last shown.
    """

    def __init__(self, control: Any, user_id: int, out: Callable[[str], None] = print) -> None:
        self.control = control
        self.user_id = user_id
        self.out = out
        self.seen: dict[int, str] = {}  # message id -> its JSON when last shown
        self.messages: dict[int, dict[str, Any]] = {}  # what was last shown, oldest first
        self.toasts: dict[str, float] = {}  # pressed callback id -> when to stop waiting
        self._lock = threading.RLock()

    def register(self, name: str, language: str | None = None) -> dict[str, Any]:
        """Create (or update) the citizen and the private chat, as a first contact would."""
        return self.control.add_user(
            user_id=self.user_id, first_name=name, language_code=language or None
        )

    def poll(self) -> None:
        """Show new, edited and deleted bot messages, and answers to pressed buttons."""
        with self._lock:
            current = self.control.bot_messages(chat_id=self.user_id)
            ids = {m["message_id"] for m in current}
            for message_id in [i for i in self.seen if i not in ids]:
                self.out(f"── bot #{message_id} (deleted)")
                del self.seen[message_id], self.messages[message_id]
            for message in current:
                message_id = message["message_id"]
                fingerprint = json.dumps(message, sort_keys=True)
                if self.seen.get(message_id) == fingerprint:
                    continue
                note = ""
                if message_id in self.seen:
                    note = "edited" if "edit_date" in message else "updated"
                self.seen[message_id], self.messages[message_id] = fingerprint, message
                self.out(render_message(message, note))
            self._poll_toasts()

    def _poll_toasts(self) -> None:
        """Telegram shows answerCallbackQuery texts as a brief notice; so does the console."""
        for query_id, deadline in list(self.toasts.items()):
            answer = self.control.callback_answer(callback_query_id=query_id)
            if answer is not None:
                del self.toasts[query_id]
                if answer.get("text"):
                    alert = "alert" if answer.get("show_alert") else "notice"
                    self.out(f"   ({alert}) {answer['text']}")
            elif time.monotonic() > deadline:
                del self.toasts[query_id]

    def execute(self, action: Action) -> str | None:
        """Perform one action; returns a line to show the user, if any. Errors from the server
        (blocked, closed poll, no such button) raise ControlError with Telegram-like wording."""
        if action.kind == "send":
            return self._send(action.text)
        if action.kind == "press":
            return self._press(action.button, action.message_id)
        if action.kind == "vote":
            return self._vote(action.options)
        if action.kind in ("block", "unblock"):
            getattr(self.control, action.kind)(user_id=self.user_id)
            return "you blocked the bot" if action.kind == "block" else "you unblocked the bot"
        if action.kind == "help":
            return HELP
        return None

    def _send(self, text: str) -> None:
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            self.control.send_command(user_id=self.user_id, command=command, args=args.strip())
        else:
            self.control.send_message(user_id=self.user_id, text=text)

    def _press(self, number: int, message_id: int | None) -> None:
        self.poll()  # resolve the number against what the user has seen, including just now
        with self._lock:
            if message_id is None:
                with_buttons = [m for m in self.messages.values() if buttons_of(m)]
                if not with_buttons:
                    raise ControlError("no message with buttons yet")
                message = with_buttons[-1]
            elif message_id in self.messages:
                message = self.messages[message_id]
            else:
                raise ControlError(f"the bot sent no message #{message_id}")
            buttons = buttons_of(message)
            if not 1 <= number <= len(buttons):
                raise ControlError(
                    f"message #{message['message_id']} has buttons 1..{len(buttons)}"
                )
            button = buttons[number - 1]
        if "callback_data" not in button:
            target = button.get("url") or "something this console cannot open"
            raise ControlError(f"button {number} opens {target}")
        update = self.control.press_button(
            user_id=self.user_id, message_id=message["message_id"], data=button["callback_data"]
        )
        if update is not None:
            with self._lock:
                self.toasts[update["callback_query"]["id"]] = time.monotonic() + 10

    def _vote(self, options: tuple[int, ...]) -> str:
        self.poll()
        with self._lock:
            polls = [m for m in self.messages.values() if "poll" in m]
        if not polls:
            raise ControlError("the bot sent no poll yet")
        message = polls[-1]
        count = len(message["poll"]["options"])
        if any(n > count for n in options):
            raise ControlError(f"the poll in #{message['message_id']} has options 1..{count}")
        self.control.answer_poll(
            user_id=self.user_id,
            option_ids=[n - 1 for n in options],
            message_id=message["message_id"],
        )
        if not options:
            return f"vote retracted in #{message['message_id']}"
        return f"voted {' '.join(map(str, options))} in #{message['message_id']}"


# --- the terminal ------------------------------------------------------------------------------


class Terminal:
    """Prints blocks from the watcher thread above the line being typed, then redraws it, so
    the bot's messages never end up in the middle of what the user is writing."""

    def __init__(self) -> None:
        self.at_prompt = threading.Event()
        self._lock = threading.Lock()
        self._interactive = sys.stdin.isatty() and sys.stdout.isatty()

    def show(self, text: str) -> None:
        with self._lock:
            if self._interactive and self.at_prompt.is_set():
                typed = readline.get_line_buffer() if readline else ""
                sys.stdout.write(f"\r\x1b[K{text}\n{PROMPT}{typed}")
                sys.stdout.flush()
            else:
                print(text, flush=True)

    def read(self) -> str:
        self.at_prompt.set()
        try:
            return input(PROMPT if self._interactive else "")
        finally:
            self.at_prompt.clear()


def watch(console: Console, stop: threading.Event, interval: float = 0.3) -> None:
    """Poll until stopped; says once when the server goes away and once when it is back."""
    lost = False
    while not stop.wait(interval):
        try:
            console.poll()
        except (OSError, ControlError, ValueError) as exc:
            if not lost:
                console.out(f"!! cannot read the bot's messages: {exc}")
            lost = True
        else:
            if lost:
                console.out("!! connected again")
            lost = False


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.console",
        description="Chat with the bot as one citizen through the local Bot API server.",
    )
    parser.add_argument(
        "--api",
        default=os.environ.get("CIVICLOOP_LOCALAPI", DEFAULT_API),
        help="local Bot API server (default: $CIVICLOOP_LOCALAPI or %(default)s)",
    )
    parser.add_argument("--token", help="which bot, when the server runs several")
    parser.add_argument("--user", type=int, default=1001, help="Telegram user id to play")
    parser.add_argument("--name", default="Ann", help="first name")
    parser.add_argument("--language", default="en", help="Telegram language code, '' for none")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between polls")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    terminal = Terminal()
    console = Console(ControlClient(args.api, token=args.token), args.user, terminal.show)
    try:
        console.register(args.name, args.language)
    except (OSError, ControlError) as exc:
        print(f"cannot register user {args.user} at {args.api}: {exc}", file=sys.stderr)
        print("is the local Bot API running? python -m bot.localapi --port 8081", file=sys.stderr)
        return 2
    print(f"chatting as {args.name} (user {args.user}) via {args.api}; type help for commands")
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch, args=(console, stop, args.interval), name="watch", daemon=True
    )
    watcher.start()
    try:
        while True:
            try:
                line = terminal.read()
            except EOFError:
                break
            try:
                action = parse_input(line)
                if action.kind == "quit":
                    break
                reply = console.execute(action)
            except (ValueError, ControlError, OSError) as exc:
                reply = f"!! {exc}"
            if reply:
                terminal.show(reply)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        watcher.join(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
