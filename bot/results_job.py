"""Closed polls' results on their way back into the content, retried until the host accepts them.

The answers stay in the store whatever happens; `/pollstatus` and the logs show each failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.civic import Civic
from civicloop.publisher.base import Publisher, PublishError
from civicloop.results import PollInfo, change_for

log = logging.getLogger(__name__)
T = TypeVar("T")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2**attempts, 3600))


class ResultsJob:
    def __init__(self, civic: Civic, publisher: Publisher):
        self.civic, self.publisher = civic, publisher

    async def publish(self, poll_id: str) -> bool:
        c = self.civic
        poll = c.data.polls.get(poll_id)
        if poll is None:
            return False
        info = PollInfo(
            poll.id,
            poll.committee,
            poll.session,
            poll.question,
            poll.kind,
            poll.options,
            poll.comments,
        )
        async with c.lock:
            state = c.store.poll_state(poll_id)
            answers = c.store.poll_answers(poll_id)
        assert answers.closed is not None, "only a closed poll's results are published"
        change = change_for(answers.outcome(info), answers.opened, answers.closed)
        try:
            published = await in_daemon_thread(self.publisher.publish, change)
        except PublishError as error:
            attempts = (state["publish_attempts"] or 0) + 1
            later = datetime.now(UTC) + backoff(attempts)
            if not error.retryable:
                later = datetime.now(UTC) + timedelta(hours=6)  # a person must fix it first
            async with c.atomic():
                c.store.mark_poll(
                    poll_id,
                    publish_error=str(error)[:500],
                    publish_attempts=attempts,
                    publish_after=later.isoformat(),
                )
            log.error(
                "publishing results of %s failed (attempt %d, next at %s): %s",
                poll_id,
                attempts,
                later.isoformat(timespec="seconds"),
                error,
            )
            return False
        async with c.atomic():
            c.store.mark_poll(
                poll_id,
                published_at=datetime.now(UTC).isoformat(),
                publish_error=None,
                published_url=published.url or published.branch,
            )
        log.info(
            "results of %s %s on %s%s",
            poll_id,
            "are now" if published.created else "were already published",  # by a run before
            published.branch,
            f" ({published.url})" if published.url else "",
        )
        return True

    async def retry_due(self, now: datetime) -> None:
        async with self.civic.lock:
            due = self.civic.store.due_publications(now)
        for poll_id in due:
            await self.publish(poll_id)


async def in_daemon_thread(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a daemon thread. Unlike `asyncio.to_thread`, whose pool is joined at
    exit, a publish stuck on a slow host cannot hold up the bot's stop; the results stay in the
    store and publishing again is idempotent, so the next start finishes the job."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: object, error: BaseException | None) -> None:
        if future.done():  # the bot stopped waiting
            return
        if error is None:
            future.set_result(result)  # type: ignore[arg-type]
        else:
            future.set_exception(error)

    def work() -> None:
        try:
            result, error = function(*args), None
        except BaseException as failure:  # handed to the awaiting task
            result, error = None, failure
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="publish", daemon=True).start()
    return await future
