"""Calls the bot cannot go on without (getMe, deleteWebhook, setWebhook, the menus), tried
until Telegram answers: a restart while Telegram or the network is down only waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import NetworkError, RetryAfter

from bot.ratelimit import retry_seconds

log = logging.getLogger(__name__)
T = TypeVar("T")


async def until_answered(
    call: Callable[[], Awaitable[T]],
    what: str,
    longest: float = 60.0,
    also: tuple[type[Exception], ...] = (),
) -> T:
    """`call()` until it returns. After a 429, wait what Telegram asks; after a failed or dropped
    connection, a time-out or a 5xx (python-telegram-bot's `NetworkError`), or one of `also`,
    1 s, then twice as long each time up to `longest`; each wait is one log line naming `what`.
    Anything else (a rejected token, a bad request) is raised: waiting would not change the
    answer."""
    wait = 1.0
    while True:
        try:
            return await call()
        except RetryAfter as error:
            delay, reason = retry_seconds(error.retry_after), error
        except (NetworkError, *also) as error:  # TimedOut is a NetworkError
            delay, wait, reason = wait, min(wait * 2, longest), error
        log.warning("%s failed (%s): trying again in %.0f s", what, reason, delay)
        await asyncio.sleep(delay)
