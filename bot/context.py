"""The context every handler gets: python-telegram-bot's, plus the bot's shared state.

Wired by `ContextTypes(context=CivicContext)` in `app.build_application`, as PTB's
`examples/contexttypesbot.py` shows, so a handler reads `context.civic` instead of digging it out
of `bot_data` itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.civic import Civic

CIVIC = "civic"  # its key in `application.bot_data`


class CivicContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def civic(self) -> Civic:
        return self.bot_data[CIVIC]


CONTEXT_TYPES = ContextTypes(context=CivicContext)
Handler = Callable[[Update, CivicContext], Awaitable[None]]
