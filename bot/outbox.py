"""Sending what the bot queued: within Telegram's limits, retried when safe, never twice.

Handlers and jobs never call Telegram themselves; they queue a message under a key that names
it for good (`reply:<update>:<n>`, `poll:<poll>:<user>`, ...), in the same transaction as the
rest of their effects. This sender drains the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.store import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# One message per second per chat on average, with a short burst, as Telegram tolerates.
PER_CHAT_RATE, PER_CHAT_BURST = 1.0, 3.0


def message(text: str, keyboard: InlineKeyboardMarkup | None = None, **extra: Any) -> dict:
    payload = {"method": "send_message", "text": text, "parse_mode": "HTML", **extra}
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    return payload


class Outbox:
    def __init__(
        self, store: Store, bot: Bot, lock: asyncio.Lock, wake: asyncio.Event, concurrency: int = 16
    ):
        self.store, self.bot, self.lock, self.wake = store, bot, lock, wake
        self.concurrency = concurrency
        self.allowance: dict[int, tuple[float, float]] = {}  # chat -> (tokens, when)
        self.sent = 0
        self.stopping = False

    def stop(self) -> None:
        """Finish the messages in flight and send no more: `run` then returns."""
        self.stopping = True
        self.wake.set()

    async def run(self) -> None:
        """Drain the queue until stopped; woken as soon as something is queued."""
        async with self.lock:
            recovered = self.store.recover_outbox()
        if recovered:
            log.warning("%d message(s) were being sent during a crash; not sent again", recovered)
        while not self.stopping:
            busy = await self.drain()
            if not busy:
                self.wake.clear()
                # asyncio.timeout, not wait_for: in Python 3.11 wait_for swallows a
                # cancellation that comes as the event is set, and the bot never stopped.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self.wake.wait()

    async def drain(self) -> bool:
        """Send one round of due messages; True when there may be more right away."""
        async with self.lock:
            rows = self.store.due(limit=self.concurrency * 8)
        now = time.monotonic()
        batch, chats = [], set()
        for row in rows:
            chat = row["chat_id"]
            if _counts(row):
                if chat in chats or not self._take(chat, now):
                    continue
                chats.add(chat)
            batch.append(row)
            if len(batch) >= self.concurrency:
                break
        if not batch:
            if rows:
                await asyncio.sleep(0.05)  # every due message waits for its chat's allowance
            return bool(rows)
        async with self.lock:
            with self.store.transaction():
                for row in batch:
                    self.store.set_state(row["id"], "sending", attempts=row["attempts"] + 1)
        await asyncio.gather(*(self._send(row) for row in batch))
        return True

    def _take(self, chat: int, now: float) -> bool:
        """Spend one of the chat's message tokens if it has one (a per-chat token bucket)."""
        tokens, then = self.allowance.get(chat, (PER_CHAT_BURST, now))
        tokens = min(PER_CHAT_BURST, tokens + (now - then) * PER_CHAT_RATE)
        if tokens < 1:
            self.allowance[chat] = (tokens, now)
            return False
        self.allowance[chat] = (tokens - 1, now)
        return True

    async def _send(self, row) -> None:
        payload = json.loads(row["payload"])
        method = payload.pop("method")
        if method != "answer_callback_query":
            payload["chat_id"] = row["chat_id"]
        try:
            result = await getattr(self.bot, method)(**payload)
        except RetryAfter as error:
            await self._retry(row, _seconds(error.retry_after), "429 retry after")
        except Forbidden as error:
            async with self.lock:
                with self.store.transaction():
                    self.store.set_state(row["id"], "failed", error=str(error)[:200])
                    if row["user_id"] is not None:
                        self.store.unsubscribe_all(row["user_id"])  # blocked the bot: stop writing
            log.info("chat %s blocked the bot; unsubscribed", row["chat_id"])
        except BadRequest as error:
            if "message is not modified" in str(error).lower():
                await self._done(row, None)
                return
            async with self.lock:
                with self.store.transaction():
                    self.store.set_state(row["id"], "failed", error=str(error)[:200])
            log.warning("message %s refused: %s", row["key"], error)
        except (TimedOut, NetworkError) as error:
            delay = min(2 ** row["attempts"], 300)
            if _maybe_delivered(error) and not row["key"].startswith("poll:"):
                async with self.lock:
                    with self.store.transaction():
                        self.store.set_state(row["id"], "uncertain", error=str(error)[:200])
                log.warning("message %s may have arrived (%s); not sent again", row["key"], error)
            elif row["attempts"] + 1 >= MAX_ATTEMPTS:
                async with self.lock:
                    with self.store.transaction():
                        self.store.set_state(row["id"], "failed", error=str(error)[:200])
                log.error(
                    "message %s failed after %d attempts: %s", row["key"], MAX_ATTEMPTS, error
                )
            else:
                await self._retry(row, delay, type(error).__name__)
        else:
            await self._done(row, result)

    async def _retry(self, row, seconds: float, why: str) -> None:
        when = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
        async with self.lock:
            with self.store.transaction():
                self.store.set_state(row["id"], "pending", not_before=when, error=why)

    async def _done(self, row, result: Any) -> None:
        async with self.lock:
            with self.store.transaction():
                key = row["key"]
                if key.startswith("r:"):
                    self.store.delete_message(row["id"])  # a reply has no later use: keep no trace
                else:
                    self.store.set_state(row["id"], "sent", sent_at=datetime.now(UTC).isoformat())
                if key.startswith("poll:") and result is not None and row["user_id"] is not None:
                    poll_id = key.split(":")[1]
                    telegram_poll = getattr(result, "poll", None)
                    self.store.record_poll_message(
                        poll_id,
                        row["user_id"],
                        row["chat_id"],
                        result.message_id,
                        telegram_poll.id if telegram_poll else None,
                    )
        self.sent += 1


def _maybe_delivered(error: NetworkError) -> bool:
    """Whether Telegram may have acted on a request that failed: the connection broke after
    the request went out. Time-outs are retried all the same (Telegram's advice, and ours);
    a refused connection or an HTTP error status means nothing happened."""
    cause = error.__cause__
    if isinstance(error, TimedOut) or not isinstance(cause, httpx.TransportError):
        return False  # an HTTP status from the server (its body may be unreadable): not sent
    return not isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _counts(row) -> bool:
    """Whether the message counts against Telegram's one-message-per-second-per-chat limit."""
    return '"method": "send_' in row["payload"]


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
