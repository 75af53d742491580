"""Receiving updates so none is lost: stored first, confirmed after, processed from the store.

python-telegram-bot's Updater confirms an update (next getUpdates offset, or the webhook's 200)
before its handler has run; a crash in between would lose it. Here the raw update is committed
to the `inbox` table first, and only then confirmed; processing reads from the table, and each
update's effects commit together with its removal from the inbox.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import traceback
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import Conflict
from telegram.ext import Application, ContextTypes

from bot.i18n import DEFAULT, t
from bot.outbox import wait
from bot.outbox_key import OutboxKey
from bot.retry import until_answered
from bot.store import Store

log = logging.getLogger(__name__)
# The first error of the update being processed (set by `on_error`), None while all goes well.
handler_failed: contextvars.ContextVar[BaseException | None] = contextvars.ContextVar(
    "failed", default=None
)
KIND = re.compile(r"[a-z_]{1,40}")


class Inbox:
    def __init__(self, application: Application, store: Store, lock: asyncio.Lock):
        self.application, self.store, self.lock = application, store, lock
        self.wake = asyncio.Event()

    async def receive(self, updates: list[dict[str, Any]]) -> None:
        async with self.lock:
            self.store.receive(updates)
        self.wake.set()

    async def poll(self, timeout: int = 30) -> None:
        """Long-poll getUpdates; the offset confirms only what is already committed."""
        bot = self.application.bot
        # Telegram refuses getUpdates while a webhook is set
        await until_answered(bot.delete_webhook, "deleteWebhook")
        while True:
            async with self.lock:
                offset = self.store.last_update_id() + 1
            # Raw dicts, not Update objects: one malformed update must not block the batch.
            # (Method names are case-insensitive; this spelling keeps PTB from suggesting
            # Bot.get_updates, which parses.) A Conflict (another poller, a webhook set since)
            # is waited out as a failure is.
            raw = await until_answered(
                lambda offset=offset: bot.do_api_request(
                    "getupdates",
                    api_kwargs={"offset": offset, "timeout": timeout, "limit": 100},
                    read_timeout=timeout + 10,
                ),
                "getUpdates",
                also=(Conflict,),
            )
            updates = [u for u in raw if is_update(u)]
            if updates:
                await self.receive(updates)

    async def process(self) -> None:
        """Run handlers for stored updates, in order, for ever."""
        while True:
            if not await self.process_pending():
                self.wake.clear()
                await wait(self.wake, 1.0)

    async def process_pending(self, limit: int = 200) -> int:
        async with self.lock:
            pending = self.store.pending_updates(limit)
            for update_id, payload in pending:
                await self._process_one(update_id, payload)
        return len(pending)

    async def _process_one(self, update_id: int, payload: dict[str, Any]) -> None:
        """One update's effects and its removal from the inbox commit together, or not at all.
        Whatever it holds, it costs one log line at most, and a button press is answered."""
        with self.store.transaction():
            with self.store.savepoint() as undo:
                handler_failed.set(None)
                try:
                    update = Update.de_json(payload, self.application.bot)
                    if self._handled(update):
                        await self.application.process_update(update)
                    else:
                        log.info(
                            "update %d ignored: nothing handles %s", update_id, _kinds(payload)
                        )
                except Exception as error:
                    handler_failed.set(error)
                error = handler_failed.get()
                if error is not None:
                    undo()  # a failed handler leaves nothing half-done
                    log.warning(
                        "update %d (%s) skipped: %s", update_id, _kinds(payload), _where(error)
                    )
            self._answer_unanswered(update_id, payload.get("callback_query"))
            self.store.mark_processed(update_id)

    def _handled(self, update: Update) -> bool:
        handlers = self.application.handlers.values()
        return any(h.check_update(update) for group in handlers for h in group)

    def _answer_unanswered(self, update_id: int, query: Any) -> None:
        """A button press nothing answered (forged, stale, malformed, or its handler failed)
        would leave the user's spinner running: answer it."""
        if not isinstance(query, dict) or not isinstance(query.get("id"), str) or not query["id"]:
            return
        if self.store.answer_queued(update_id):
            return
        sender = query.get("from")
        user_id = sender.get("id") if isinstance(sender, dict) else None
        if (
            not (isinstance(user_id, int) and not isinstance(user_id, bool))
            or abs(user_id) >= 2**53
        ):
            user_id = 0
        user = self.store.user(user_id) if user_id else None
        text = t(user["language"] if user else DEFAULT, "This button is no longer valid.")
        payload = {
            "method": "answer_callback_query",
            "callback_query_id": query["id"],
            "text": text,
        }
        self.store.enqueue(OutboxKey.reply(update_id, "unanswered"), None, user_id, payload)
        self.application.bot_data["civic"].wake_outbox.set()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed: the update's effects are rolled back and one line logged (no personal
    data, no traceback: an update is input, and bad input is expected)."""
    if handler_failed.get() is None:
        handler_failed.set(context.error)


def is_update(update: Any) -> bool:
    """Whether it can be stored as an update: an object with a plain integer id SQLite holds."""
    if not isinstance(update, dict):
        return False
    update_id = update.get("update_id")
    return _plain_int(update_id) and update_id >= 0


def _plain_int(value: Any) -> bool:
    """An integer (not a bool) that SQLite can store."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _kinds(payload: dict[str, Any]) -> str:
    """The update's kinds, as safe words (a key is input too)."""
    kinds = [k if KIND.fullmatch(k) else "?" for k in payload if k != "update_id"]
    return ", ".join(kinds[:5]) or "nothing"


def _where(error: BaseException) -> str:
    """The error's type and where it was raised: enough to find a bug, nothing of the input."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return type(error).__name__
    frame = frames[-1]
    return f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def parse_webhook_body(body: bytes) -> dict[str, Any] | None:
    """A webhook POST's update, or None when it is not one (answered 400, not stored)."""
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return update if is_update(update) else None
