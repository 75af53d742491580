"""Receiving updates so none is lost: stored first, confirmed after, processed from the store.

python-telegram-bot's Updater confirms an update (next getUpdates offset, or the webhook's 200)
before its handler has run; a crash in between would lose it. Here the raw update is committed
to the `inbox` table first, and only then confirmed; processing reads from the table, and each
update's effects commit together with its removal from the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from typing import Any

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes

from bot.store import Store

log = logging.getLogger(__name__)
handler_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("failed", default=False)


class Inbox:
    def __init__(self, application: Application, store: Store, lock: asyncio.Lock):
        self.application, self.store, self.lock = application, store, lock
        self.wake = asyncio.Event()
        self.processed = 0

    async def receive(self, updates: list[dict[str, Any]]) -> None:
        async with self.lock:
            self.store.receive(updates)
        self.wake.set()

    async def poll(self, timeout: int = 30) -> None:
        """Long-poll getUpdates; the offset confirms only what is already committed."""
        bot = self.application.bot
        await bot.delete_webhook()
        delay = 1.0
        while True:
            async with self.lock:
                offset = self.store.last_update_id() + 1
            try:
                # Raw dicts, not Update objects: one malformed update must not block the batch.
                # (Method names are case-insensitive; this spelling keeps PTB from suggesting
                # Bot.get_updates, which parses.)
                raw = await bot.do_api_request(
                    "getupdates",
                    api_kwargs={"offset": offset, "timeout": timeout, "limit": 100},
                    read_timeout=timeout + 10,
                )
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except (TimedOut, NetworkError, Conflict) as error:
                log.warning(
                    "getUpdates failed (%s); retrying in %.0f s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
                continue
            delay = 1.0
            updates = [
                u for u in raw if isinstance(u, dict) and isinstance(u.get("update_id"), int)
            ]
            if updates:
                await self.receive(updates)

    async def process(self) -> None:
        """Run handlers for stored updates, in order, for ever."""
        while True:
            if not await self.process_pending():
                self.wake.clear()
                # asyncio.timeout, not wait_for: in Python 3.11 wait_for swallows a
                # cancellation that comes as the event is set, and the bot never stopped.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self.wake.wait()

    async def process_pending(self, limit: int = 200) -> int:
        async with self.lock:
            pending = self.store.pending_updates(limit)
            for update_id, payload in pending:
                await self._process_one(update_id, payload)
        self.processed += len(pending)
        return len(pending)

    async def _process_one(self, update_id: int, payload: dict[str, Any]) -> None:
        """One update's effects and its removal from the inbox commit together, or not at all."""
        with self.store.transaction() as db:
            db.execute("SAVEPOINT handler")
            handler_failed.set(False)
            try:
                update = Update.de_json(payload, self.application.bot)
                await self.application.process_update(update)
            except Exception:
                log.exception("update %d could not be read; skipped", update_id)
                handler_failed.set(True)
            if handler_failed.get():
                db.execute("ROLLBACK TO handler")  # a failed handler leaves nothing half-done
            db.execute("RELEASE handler")
            self.store.mark_processed(update_id)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler's failure without personal data; the update's effects are rolled back."""
    handler_failed.set(True)
    kind = type(context.error).__name__
    update_id = getattr(update, "update_id", "?")
    log.error("handler failed on update %s: %s", update_id, kind, exc_info=context.error)


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def parse_webhook_body(body: bytes) -> dict[str, Any] | None:
    """A webhook POST's update, or None when it is not one (answered 400, not stored)."""
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return None
    return update
