"""Telegram's flood limits as token buckets, so a bot that floods gets 429s here before production.

Bots FAQ: ~30 messages/second overall, ~1 message/second per chat (short bursts tolerated), at most
20 messages/minute per group. Buckets refill continuously; a send is allowed only if every bucket
involved has a whole token, and a refused send consumes nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimits:
    """Configuration; set ``enabled=False`` (or a rate to 0) to switch a limit off."""

    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    enabled: bool = True


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float = field(default=-1.0)
    stamp: float = 0.0

    def refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
            return
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        """Seconds until one token is available (after :meth:`refill`)."""
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class Limiter:
    """Checks and consumes send budget for one bot."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global = TokenBucket(limits.global_per_second, max(1, limits.global_burst))
        self._chats: dict[int, TokenBucket] = {}

    def acquire(self, chat_id: int, chat_type: str) -> int | None:
        """Consume one message of budget, or return the retry_after (whole seconds, >= 1)."""
        lim = self.limits
        if not lim.enabled:
            return None
        now = self.clock()
        buckets = []
        if lim.global_per_second > 0:
            buckets.append(self._global)
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_type == "private" and lim.private_per_second > 0:
                bucket = TokenBucket(lim.private_per_second, max(1, lim.private_burst))
            elif chat_type != "private" and lim.group_per_minute > 0:
                bucket = TokenBucket(lim.group_per_minute / 60.0, max(1, lim.group_burst))
            if bucket is not None:
                self._chats[chat_id] = bucket
        if bucket is not None:
            buckets.append(bucket)
        for b in buckets:
            b.refill(now)
        wait = max((b.wait() for b in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for b in buckets:
            b.tokens -= 1.0
        return None
