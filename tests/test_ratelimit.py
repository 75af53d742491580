"""The sender's windows hold at Telegram's end whatever the latency, and use the whole allowance."""

from __future__ import annotations

import heapq
import random

import pytest

from bot.localapi.limits import Limiter, RateLimits
from bot.ratelimit import Limits


def simulate(latency: tuple[float, float], seed: int, messages: int = 600) -> list[float]:
    """Send `messages` to distinct chats as fast as the windows allow, 16 at a time; each
    request reaches the server at a random moment before its answer. Returns arrival times."""
    rng = random.Random(seed)
    limits, now, arrivals = Limits(30), 0.0, []
    answers: list[tuple[float, int]] = []  # (answer time, send number)
    windows = {}
    sent = 0
    while sent < messages or answers:
        wait = limits.wait(sent, now) if sent < messages and len(answers) < 16 else float("inf")
        if wait == 0:
            windows[sent] = limits.start(sent)
            took = rng.uniform(*latency)
            arrivals.append(now + rng.uniform(0, took))
            heapq.heappush(answers, (now + took, sent))
            sent += 1
            continue
        if answers and answers[0][0] <= now + wait:
            now, done = heapq.heappop(answers)
            for window in windows.pop(done):
                window.finish(now)
        else:
            now += wait
    return sorted(arrivals)


@pytest.mark.parametrize("latency", [(0.001, 0.005), (0.01, 0.3), (0.2, 0.9)])
@pytest.mark.parametrize("seed", range(3))
def test_no_second_at_telegram_holds_more_than_30(latency, seed):
    arrivals = simulate(latency, seed)
    clock = [0.0]
    server = Limiter(RateLimits(private_per_second=0), clock=lambda: clock[0])
    for moment in arrivals:  # the local server's windows, fed the arrival times
        clock[0] = moment
        assert server.acquire(0, "private") is None
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    assert rate >= 30 / (1 + 2 * latency[1])  # and it is no slower than the latency costs


def test_a_chat_gets_one_message_per_second_and_a_group_20_per_minute():
    limits = Limits(30)
    for chat, period, count in ((7, 1.0, 1), (-7, 60.0, 20)):
        now, starts = 0.0, []
        while len(starts) < 45:
            wait = limits.wait(chat, now)
            if wait > 0:
                now += wait
                continue
            starts.append(now)
            for window in limits.start(chat):
                window.finish(now + 0.05)  # answered 50 ms later
            now += 0.05
        assert all(b - a >= period for a, b in zip(starts, starts[count:], strict=False))
