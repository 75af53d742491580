"""The bot's shared state: handlers read it as `context.civic` (bot/context.py), jobs get it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update

from bot.outbox import message
from bot.outbox_key import OutboxKey
from bot.settings import Settings
from bot.sitedata import SiteData
from bot.store import Store


@dataclass
class Civic:
    settings: Settings
    store: Store
    lock: asyncio.Lock
    data: SiteData = field(default_factory=SiteData)
    wake_outbox: asyncio.Event = field(default_factory=asyncio.Event)
    _sequence: itertools.count = field(default_factory=itertools.count)

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[Store]:
        """For jobs: the store to themselves, and all-or-nothing."""
        async with self.lock:
            with self.store.transaction():
                yield self.store

    def queue(self, key: OutboxKey, user_id: int | None, chat_id: int, payload: dict) -> bool:
        queued = self.store.enqueue(key, user_id, chat_id, payload)
        if queued:
            self.wake_outbox.set()
        return queued

    def _key(self, update: Update) -> OutboxKey:
        # Replies are keyed by the update they answer: reprocessing it cannot queue them twice.
        return OutboxKey.reply(update.update_id, next(self._sequence))

    def reply(
        self, update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        self.queue(self._key(update), None, update.effective_chat.id, message(text, keyboard))

    def ack(self, update: Update, text: str | None = None) -> None:
        """Answer a button press (Telegram shows a spinner until then)."""
        query = update.callback_query
        payload = {"method": "answer_callback_query", "callback_query_id": query.id}
        if text:
            payload["text"] = text
        self.queue(self._key(update), None, query.from_user.id, payload)

    def edit(self, update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
        """Replace the text and buttons of the message whose button was pressed."""
        payload = message(text, keyboard, message_id=update.callback_query.message.message_id)
        payload["method"] = "edit_message_text"
        self.queue(self._key(update), None, update.effective_chat.id, payload)

    def edit_markup(self, update: Update, keyboard: InlineKeyboardMarkup) -> None:
        payload = {
            "method": "edit_message_reply_markup",
            "message_id": update.callback_query.message.message_id,
            "reply_markup": keyboard.to_dict(),
        }
        self.queue(self._key(update), None, update.effective_chat.id, payload)

    def poll_is_open(self, poll_id: str) -> bool:
        poll = self.data.polls.get(poll_id)
        state = self.store.poll_state(poll_id)
        if poll is None or (state is not None and state["closed_at"]):
            return False
        return poll.opens <= datetime.now(UTC) < poll.closes

    def is_admin(self, update: Update) -> bool:
        return (
            update.effective_user is not None and update.effective_user.id in self.settings.admins
        )
