"""The per-bot update queue with Telegram's confirmation semantics.

Updates stay queued until confirmed: by a getUpdates call whose ``offset`` is higher than their
``update_id``, or by a 2xx answer from the webhook. Each update is JSON-encoded once on arrival so
that a busy long-polling bot costs one ``bytes.join`` per answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ALL_UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "guest_message",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "managed_bot",
)
# Telegram's default when allowed_updates is empty or never set.
DEFAULT_ALLOWED = frozenset(ALL_UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class Signal:
    """Wakes every waiter on each change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait(self, timeout: float) -> None:
        """Wait for the next :meth:`notify` or the timeout, whichever comes first."""
        if timeout <= 0:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
        except TimeoutError:
            pass
        finally:
            if not fut.done():
                fut.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self.wait(remaining)
        return True


@dataclass(slots=True)
class QueuedUpdate:
    update_id: int
    data: dict[str, Any]
    encoded: bytes
    chat_key: int | None  # webhook deliveries for one chat are kept in order

    @property
    def type(self) -> str:
        return update_type(self.data)


def update_type(update: dict[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _chat_key(update: dict[str, Any]) -> int | None:
    for value in update.values():
        if not isinstance(value, dict):
            continue
        for path in (("chat",), ("message", "chat"), ("user",), ("from",)):
            node: Any = value
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict) and isinstance(node.get("id"), int):
                return node["id"]
    return None


class UpdateQueue:
    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: deque[QueuedUpdate] = deque()
        self.next_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.allowed_list: list[str] | None = None
        self.delivered_upto = 0  # highest update_id handed to the bot at least once
        self.in_flight: dict[int, int | None] = {}  # update_id -> chat_key, webhook only
        self.changed = Signal()

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """allowed_updates as Telegram applies it: None keeps, empty list restores the default."""
        if allowed is None:
            return
        names = [str(a) for a in allowed]
        self.allowed_list = names
        self.allowed = frozenset(n for n in names if n in ALL_UPDATE_TYPES) or DEFAULT_ALLOWED

    def push(
        self, update: dict[str, Any], *, filtered: bool = True, assign_id: bool = True
    ) -> int | None:
        """Queue an update; returns its update_id, or None if allowed_updates filters it out."""
        if filtered and update_type(update) not in self.allowed:
            return None
        if assign_id or not isinstance(update.get("update_id"), int):
            update = {
                "update_id": self.next_id,
                **{k: v for k, v in update.items() if k != "update_id"},
            }
        elif update["update_id"] < self.next_id:
            raise ValueError(f"update_id must be >= {self.next_id} (ids only grow)")
        uid = update["update_id"]
        self.next_id = uid + 1
        try:
            encoded = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
        except UnicodeEncodeError:  # unpaired surrogates: valid JSON only as \u escapes
            encoded = json.dumps(update, separators=(",", ":")).encode()
        self.pending.append(QueuedUpdate(uid, update, encoded, _chat_key(update)))
        self.changed.notify()
        return uid

    def confirm(self, offset: int) -> None:
        """getUpdates offset: positive drops ids < offset, negative keeps the last -offset."""
        pending = self.pending
        if offset > 0:
            while pending and pending[0].update_id < offset:
                pending.popleft()
        elif offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        self.changed.notify()

    def take(self, limit: int) -> list[QueuedUpdate]:
        items = list(itertools.islice(self.pending, limit))
        if items and items[-1].update_id > self.delivered_upto:
            self.delivered_upto = items[-1].update_id
            self.changed.notify()
        return items

    def clear(self) -> None:
        self.pending.clear()
        self.in_flight.clear()
        self.changed.notify()

    # --- webhook delivery -----------------------------------------------------------------

    def next_deliverable(self) -> QueuedUpdate | None:
        busy = set(self.in_flight.values())
        for item in self.pending:
            if item.update_id in self.in_flight:
                continue
            if item.chat_key is not None and item.chat_key in busy:
                continue
            self.in_flight[item.update_id] = item.chat_key
            return item
        return None

    def ack(self, item: QueuedUpdate) -> None:
        self.in_flight.pop(item.update_id, None)
        with contextlib.suppress(ValueError):  # dropped meanwhile by drop_pending_updates
            self.pending.remove(item)
        self.delivered_upto = max(self.delivered_upto, item.update_id)
        self.changed.notify()

    def release(self, item: QueuedUpdate) -> None:
        self.in_flight.pop(item.update_id, None)
        self.changed.notify()

    # --- conditions for control waits -----------------------------------------------------

    def is_confirmed(self, update_id: int) -> bool:
        if update_id >= self.next_id:
            return False
        return not any(q.update_id <= update_id for q in itertools.islice(self.pending, 1))

    def is_delivered(self, update_id: int) -> bool:
        return self.delivered_upto >= update_id or self.is_confirmed(update_id)
