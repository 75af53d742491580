"""Telegram's flood limits on the sending side: sliding windows that cannot burst.

A send holds its place in a window from the moment its request starts until `period` seconds
after its answer arrived. Telegram counts the message at some instant in between, so two sends
`limit` places apart are always at least `period` apart at Telegram's end too, whatever the
latency: no window there ever holds more than `limit`. (A token bucket, such as PTB's
AIORateLimiter, starts full and lets about twice its rate through in the first second.)
"""

from __future__ import annotations

import math
from collections import deque
from datetime import timedelta


class Window:
    """At most `limit` sends in any `period` seconds, counted as above."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.in_flight = 0
        self.answered: deque[float] = deque()  # answer times, oldest first

    def wait(self, now: float) -> float:
        """Seconds until one more send may start (0: now; inf: when a send in flight ends)."""
        while self.answered and self.answered[0] + self.period <= now:
            self.answered.popleft()
        if self.in_flight + len(self.answered) < self.limit:
            return 0.0
        return self.answered[0] + self.period - now if self.answered else math.inf

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, now: float) -> None:
        self.in_flight -= 1
        self.answered.append(now)

    def idle(self, now: float) -> bool:
        return self.wait(now) == 0.0 and not self.in_flight and not self.answered


class Limits:
    """The windows of Telegram's bot FAQ: `overall` per second for the bot, one per second in a
    chat, 20 per minute in a group (chat ids below 0)."""

    def __init__(self, overall: int) -> None:
        self.overall = Window(overall, 1.0)
        self.chats: dict[int, list[Window]] = {}
        self.paused_until = 0.0  # after a 429: Telegram's retry_after applies to the whole bot

    def wait(self, chat: int, now: float) -> float:
        windows = [self.overall, *self.chats.get(chat, ())]
        return max([self.paused_until - now, *(w.wait(now) for w in windows)])

    def start(self, chat: int) -> list[Window]:
        windows = self.chats.get(chat)
        if windows is None:
            windows = [Window(1, 1.0)] + ([Window(20, 60.0)] if chat < 0 else [])
            self.chats[chat] = windows
        used = [self.overall, *windows]
        for window in used:
            window.start()
        return used

    def forget_idle(self, now: float) -> None:
        """Drop the windows of chats with nothing in them (a broadcast touches thousands)."""
        for chat in [c for c, ws in self.chats.items() if all(w.idle(now) for w in ws)]:
            del self.chats[chat]


def retry_seconds(retry_after: int | timedelta) -> float:
    """A 429's `retry_after` in seconds (python-telegram-bot gives an int or a timedelta)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
