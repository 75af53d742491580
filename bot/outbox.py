"""Sending what the bot queued: within Telegram's limits, retried when safe, never lost.

Handlers and jobs never call Telegram themselves; they queue a message under a key that names
it for good (`bot.outbox_key`: `r:<update>:<n>`, `bc:<broadcast>:<user>`, ...), in the same
transaction as the rest of their effects. This sender drains the queue, inside the sliding
windows of `bot.ratelimit` (never more than CIVICLOOP_RATE messages in any second, one per
second in a chat, 20 per minute in a group).

When a send fails, what happens depends on whether the request could have reached Telegram
(`bot.transport.may_have_arrived`):

- it cannot have arrived (connection refused or reset before the request was written, a pooled
  keep-alive connection the server had closed, an HTTP error status): sent again, with backoff,
  up to MAX_ATTEMPTS times, whatever the message;
- it may have arrived (written, then no answer: a read time-out, a reset, a dropped
  connection): the message is *uncertain*, and its kind decides:
  - a reply to a citizen (`r:`) is sent again: rather twice than never;
  - a poll (`poll:`) is sent again: a person's answers count once however many copies they
    got; closing a poll (`stop:`) is sent again too, as closing twice changes nothing;
  - a broadcast (`bc:`), an announcement (`ann:`), a reminder (`rem:`) or a note is never
    sent twice: it stays `uncertain`, and the uncertain broadcast messages are shown to the
    editors in /broadcast, with a button to send them again.

A crash while sending leaves the same doubt, and `Store.recover_outbox` applies the same rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.outbox_key import OutboxKey, Purpose
from bot.ratelimit import Limits, Window, retry_seconds
from bot.store import Store
from bot.transport import may_have_arrived

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
MAX_TEXT = 4096  # sendMessage: "1-4096 characters after entities parsing"


def text_length(text: str) -> int:
    """Length as Telegram's limits count it, in UTF-16 code units (the unit of its entity
    offsets): the stricter reading, as an emoji counts 2 in it and 1 in code points."""
    return len(text.encode("utf-16-le")) // 2


def message(text: str, keyboard: InlineKeyboardMarkup | None = None, **extra: Any) -> dict:
    payload = {"method": "send_message", "text": text, "parse_mode": "HTML", **extra}
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    return payload


class Outbox:
    def __init__(
        self,
        store: Store,
        bot: Bot,
        lock: asyncio.Lock,
        wake: asyncio.Event,
        rate: int = 30,
        concurrency: int = 16,
    ):
        self.store, self.bot, self.lock, self.wake = store, bot, lock, wake
        self.concurrency = concurrency
        self.limits = Limits(rate)
        self.sending: set[asyncio.Task] = set()
        self.stopping = False

    def stop(self) -> None:
        """Finish the messages in flight and send no more: `run` then returns."""
        self.stopping = True
        self.wake.set()

    async def run(self) -> None:
        """Send until stopped, then finish the messages in flight; woken as soon as something
        is queued or a send ends."""
        async with self.lock:
            recovered = self.store.recover_outbox()
        if recovered:
            log.warning("%d message(s) were being sent during a crash; not sent again", recovered)
        try:
            while not self.stopping:
                self.wake.clear()
                delay = await self.launch()
                if delay > 0:
                    await wait(self.wake, min(delay, 1.0))
            await asyncio.gather(*self.sending, return_exceptions=True)  # those in flight
        finally:
            for task in self.sending:  # cancelled: the stop's grace period is over
                task.cancel()
            await asyncio.gather(*self.sending, return_exceptions=True)

    async def launch(self) -> float:
        """Start the due messages that fit in the windows; the seconds until more may fit."""
        if len(self.sending) >= self.concurrency:
            return math.inf  # woken when one ends
        async with self.lock:
            rows = self.store.due(limit=self.concurrency * 8)
        now = time.monotonic()
        self.limits.forget_idle(now)
        batch: list[tuple[Any, list[Window]]] = []
        delay = 1.0  # look again for retries coming due
        for row in rows:
            if len(self.sending) + len(batch) >= self.concurrency:
                break
            windows: list[Window] = []
            if _counts(row):
                hold = self.limits.wait(row["chat_id"], now)
                if hold > 0:
                    delay = min(delay, hold)
                    continue
                windows = self.limits.start(row["chat_id"])
            batch.append((row, windows))
        if not batch:
            return delay
        async with self.lock:
            with self.store.transaction():
                for row, _ in batch:
                    self.store.set_state(row["id"], "sending", attempts=row["attempts"] + 1)
        for row, windows in batch:
            task = asyncio.create_task(self._send(row, windows))
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)
        return 0.0

    async def _send(self, row, windows: list[Window]) -> None:
        payload = json.loads(row["payload"])
        method = payload.pop("method")
        if method != "answer_callback_query":
            payload["chat_id"] = row["chat_id"]
        try:
            result = await getattr(self.bot, method)(**payload)
        except Exception as error:
            self._answered(windows)
            await self._failed(row, error)
        else:
            self._answered(windows)
            await self._done(row, result)

    def _answered(self, windows: list[Window]) -> None:
        now = time.monotonic()
        for window in windows:
            window.finish(now)
        self.wake.set()

    async def _failed(self, row, error: Exception) -> None:
        key = OutboxKey.parse(row["key"])
        # logs outlive /forget: a message is named by its row and kind, never by its key,
        # which holds user ids
        name = f"{row['id']} ({key.purpose})"
        if isinstance(error, RetryAfter):
            seconds = retry_seconds(error.retry_after)
            self.limits.paused_until = time.monotonic() + seconds
            await self._retry(row, seconds, "429 retry after")
        elif isinstance(error, Forbidden):
            async with self.lock:
                with self.store.transaction():
                    self.store.set_state(row["id"], "failed", error=str(error)[:200])
                    if row["user_id"] is not None:
                        self.store.unsubscribe_all(row["user_id"])  # blocked the bot: stop writing
            log.info("message %s: the chat blocked the bot; unsubscribed", name)
        elif isinstance(error, BadRequest) and "message is not modified" in str(error).lower():
            await self._done(row, None)
        elif isinstance(error, NetworkError) and may_have_arrived(error):
            if key.resent_when_unsure and row["attempts"] + 1 < MAX_ATTEMPTS:
                log.warning("message %s may have arrived (%s); sending again", name, error)
                await self._retry(row, 1.0, "uncertain: " + type(error).__name__)
            else:
                await self._set(row, "uncertain", error)
                log.warning("message %s may have arrived (%s); not sent again", name, error)
        elif isinstance(error, NetworkError) and row["attempts"] + 1 < MAX_ATTEMPTS:
            await self._retry(row, min(2 ** row["attempts"], 300), type(error).__name__)
        else:
            await self._set(row, "failed", error)
            if isinstance(error, TelegramError):
                log.warning("message %s failed: %s", name, error)
            else:
                log.error("message %s failed: %s", name, type(error).__name__)

    async def _set(self, row, state: str, error: Exception) -> None:
        async with self.lock:
            with self.store.transaction():
                self.store.set_state(row["id"], state, error=str(error)[:200])

    async def _retry(self, row, seconds: float, why: str) -> None:
        when = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
        async with self.lock:
            with self.store.transaction():
                self.store.set_state(row["id"], "pending", not_before=when, error=why)

    async def _done(self, row, result: Any) -> None:
        async with self.lock:
            with self.store.transaction():
                key = OutboxKey.parse(row["key"])
                if not key.kept:
                    self.store.delete_message(row["id"])
                else:
                    self.store.set_state(row["id"], "sent", sent_at=datetime.now(UTC).isoformat())
                poll_sent = key.purpose is Purpose.POLL and result is not None
                if poll_sent and row["user_id"] is not None:
                    poll_id = key.subject
                    telegram_poll = getattr(result, "poll", None)
                    self.store.record_poll_message(
                        poll_id,
                        row["user_id"],
                        row["chat_id"],
                        result.message_id,
                        telegram_poll.id if telegram_poll else None,
                    )


async def wait(event: asyncio.Event, seconds: float) -> None:
    """Until `event` is set, at most `seconds`. Not `asyncio.wait_for`: on Python 3.11 it
    swallows a cancellation that arrives as the event is set (a send ends as the bot is told to
    stop), and the loop around it then never stops."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


def _counts(row) -> bool:
    """Whether the call is a message, which Telegram's flood limits count (answers and edits are
    not)."""
    return '"method": "send_' in row["payload"]
