"""Telegram's flood limits as sliding windows: a bot that bursts gets 429s here, not in production.

Bots FAQ: about 30 messages per second overall, one per second in a chat, at most 20 per minute in
a group. Telegram publishes no algorithm; the strict reading is "at most N in *any* window", which
a token bucket (full at the start, so twice the rate in the first second) does not enforce. Each
window keeps the times of the sends it accepted; a send is accepted only if every window involved
has room, and a refused send counts in none.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class RateLimits:
    """Configuration; set ``enabled=False`` (or a limit to 0) to switch a limit off."""

    global_per_second: int = 30  # in any one-second window, all chats together
    private_per_second: int = 1  # in any one-second window, per chat (groups too)
    group_per_minute: int = 20  # in any one-minute window, per group or channel
    enabled: bool = True


class LimitWindow:
    """At most ``limit`` events in any ``period`` seconds (half-open: an event leaves the window
    exactly ``period`` after it happened)."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[len(self.stamps) - self.limit] + self.period - now

    def add(self, now: float) -> None:
        self.stamps.append(now)


class Limiter:
    """Checks and records send budget for one bot."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global = LimitWindow(int(limits.global_per_second), 1.0)
        self._chats: dict[int, LimitWindow] = {}
        self._groups: dict[int, LimitWindow] = {}

    def acquire(self, chat_id: int, chat_type: str) -> int | None:
        """Record one message, or return the retry_after (whole seconds, >= 1) and record none."""
        lim = self.limits
        if not lim.enabled:
            return None
        windows = []
        if lim.global_per_second > 0:
            windows.append(self._global)
        if lim.private_per_second > 0:
            windows.append(_window(self._chats, chat_id, lim.private_per_second, 1.0))
        if chat_type != "private" and lim.group_per_minute > 0:
            windows.append(_window(self._groups, chat_id, lim.group_per_minute, 60.0))
        now = self.clock()
        wait = max((w.wait(now) for w in windows), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for w in windows:
            w.add(now)
        return None


def _window(
    windows: dict[int, LimitWindow], chat_id: int, limit: int, period: float
) -> LimitWindow:
    window = windows.get(chat_id)
    if window is None:
        window = windows[chat_id] = LimitWindow(int(limit), period)
    return window
