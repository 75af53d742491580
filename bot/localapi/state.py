"""What one bot's Telegram looks like: users, chats, message history, polls, commands, counters.

Everything is plain dicts in Bot API shape, so the same objects are returned to the bot and shown
through the control interface. All mutation happens on the server's event loop.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request, forbidden, too_many_requests
from .faults import FaultInjector
from .limits import Limiter, RateLimits
from .updates import Signal, UpdateQueue

BLOCKED = "bot was blocked by the user"


@dataclass
class MessageRecord:
    data: dict[str, Any]  # the Message object, kept current through edits
    from_bot: bool
    deleted: bool = False


@dataclass
class ChatRecord:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    blocked: bool = False
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None  # last ReplyKeyboardMarkup shown to the user
    members: set[int] = field(default_factory=set)

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                chat[key] = value
        return chat


@dataclass
class SentPoll:
    poll: dict[str, Any]  # the Poll object
    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)  # user id -> option ids


@dataclass
class CallbackRecord:
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


@dataclass
class Stats:
    """Counters benchmarks assert on, e.g. 'nobody messaged twice' and 'no 429s'."""

    sent_per_chat: Counter[int] = field(default_factory=Counter)
    messages_sent: int = 0
    rate_limited: int = 0  # 429s from the flood limits
    responses_429: int = 0  # every 429 answered, injected ones included
    forbidden: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    faults_fired: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent_per_chat": {str(k): v for k, v in self.sent_per_chat.items()},
            "messages_sent": self.messages_sent,
            "rate_limited": self.rate_limited,
            "responses_429": self.responses_429,
            "forbidden": self.forbidden,
            "calls": dict(self.calls),
            "errors": {str(k): v for k, v in self.errors.items()},
            "faults_fired": self.faults_fired,
        }


class _PollTicket:
    __slots__ = ("conflict",)

    def __init__(self) -> None:
        self.conflict: str | None = None


def bot_id_from_token(token: str) -> int:
    head = token.split(":", 1)[0]
    if head.isdigit():
        return int(head)
    return 5_000_000_000 + int(hashlib.sha256(token.encode()).hexdigest()[:8], 16)


class BotState:
    def __init__(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        limits: RateLimits | None = None,
        first_update_id: int = 1,
        poll_state_updates: bool = False,
    ) -> None:
        self.token = token
        self.id = bot_id_from_token(token)
        self.user: dict[str, Any] = {
            "id": self.id,
            "is_bot": True,
            "first_name": first_name or "Local Bot",
            "username": username or f"local{self.id}_bot",
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.polls: dict[str, SentPoll] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[Any, ...], list[dict[str, str]]] = {}
        self.queue = UpdateQueue(first_update_id)
        self.limiter = Limiter(limits or RateLimits())
        self.faults = FaultInjector()
        self.stats = Stats()
        self.poll_state_updates = poll_state_updates
        self.webhook: Any = None  # WebhookDelivery, attached by the server
        self._poller: _PollTicket | None = None
        self._ids = itertools.count(1)

    @property
    def changed(self) -> Signal:
        """One signal for queue and history changes; control waits re-check on each."""
        return self.queue.changed

    # --- lookup ---------------------------------------------------------------------------

    def resolve_chat(self, chat_id: int | str) -> ChatRecord:
        chat = None
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def find_message(self, chat: ChatRecord, message_id: int | None) -> MessageRecord | None:
        record = chat.messages.get(message_id) if message_id is not None else None
        return None if record is None or record.deleted else record

    # --- sending --------------------------------------------------------------------------

    def check_writable(self, chat: ChatRecord) -> None:
        if chat.blocked:
            self.stats.forbidden += 1
            raise forbidden(BLOCKED)

    def acquire_send(self, chat: ChatRecord) -> None:
        """Blocked users and flood limits, checked in the order Telegram reports them."""
        self.check_writable(chat)
        retry_after = self.limiter.acquire(chat.id, chat.type)
        if retry_after is not None:
            self.stats.rate_limited += 1
            raise too_many_requests(retry_after)

    def add_message(
        self, chat: ChatRecord, sender: dict[str, Any], content: dict[str, Any], *, from_bot: bool
    ) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        message.update(content)
        chat.messages[message_id] = MessageRecord(message, from_bot)
        if from_bot:
            self.stats.sent_per_chat[chat.id] += 1
            self.stats.messages_sent += 1
        self.changed.notify()
        return message

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{self.id}{next(self._ids):06d}{secrets.randbelow(10**6):06d}"

    # --- long polling ---------------------------------------------------------------------

    def begin_poll(self, conflict: str) -> _PollTicket:
        """A new getUpdates ends the one in progress with 409, like Telegram."""
        self.terminate_poll(conflict)
        ticket = _PollTicket()
        self._poller = ticket
        return ticket

    def end_poll(self, ticket: _PollTicket) -> None:
        if self._poller is ticket:
            self._poller = None

    def terminate_poll(self, conflict: str) -> None:
        if self._poller is not None:
            self._poller.conflict = conflict
            self._poller = None
            self.changed.notify()

    # --- helpers used by several methods --------------------------------------------------

    def user_for(self, user_id: int) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user


def conflict(description: str) -> ApiError:
    return ApiError(409, f"Conflict: {description}")
