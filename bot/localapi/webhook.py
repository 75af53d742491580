"""Webhook delivery: POST each update to the bot until it answers 2xx, as Telegram does.

Up to ``max_connections`` deliveries run at once, but never two for the same chat, so a
citizen's messages arrive in order while different citizens are served in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import bad_request
from .state import BotState
from .updates import QueuedUpdate

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookDelivery:
    def __init__(
        self,
        bot: BotState,
        *,
        retry_delay: float = 0.1,
        max_retry_delay: float = 2.0,
        timeout: float = 10.0,
        require_https: bool = False,
    ) -> None:
        self.bot = bot
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.require_https = require_https
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.ip_address: str | None = None
        self.has_certificate = False
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self.failed_attempts = 0
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._attempts: dict[int, int] = {}

    def configure(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        max_connections: int = 40,
        ip_address: str | None = None,
        has_certificate: bool = False,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: invalid webhook URL specified")
        if self.require_https and parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret_token is not None and not _SECRET.fullmatch(secret_token):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.ip_address = ip_address
        self.has_certificate = has_certificate
        self.last_error_date = self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._dispatch())
        self.bot.changed.notify()

    async def delete(self) -> None:
        self.url = ""
        self.secret_token = None
        await self.stop()

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": self.has_certificate,
            "pending_update_count": len(self.bot.queue.pending),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.ip_address:
                info["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        if self.bot.queue.allowed_list is not None:
            info["allowed_updates"] = sorted(self.bot.queue.allowed)
        return info

    async def stop(self) -> None:
        task, self._task = self._task, None
        tasks = [t for t in (task, *self._deliveries) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._deliveries.clear()
        self.bot.queue.in_flight.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self.bot.changed.notify()

    async def _dispatch(self) -> None:
        queue = self.bot.queue
        while self.url:
            while len(self._deliveries) < self.max_connections:
                item = queue.next_deliverable()
                if item is None:
                    break
                task = asyncio.get_running_loop().create_task(self._deliver(item))
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)
            await queue.changed.wait(1.0)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
                trust_env=False,
            )
        return self._client

    async def _deliver(self, item: QueuedUpdate) -> None:
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        error: str | None = None
        try:
            response = await self._http().post(self.url, content=item.encoded, headers=headers)
            if 200 <= response.status_code < 300:
                self._attempts.pop(item.update_id, None)
                self.delivered += 1
                self.bot.queue.ack(item)
                return
            error = (
                f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
            )
        except httpx.ConnectError:
            error = "Connection refused"
        except httpx.TimeoutException:
            error = "Read timeout expired"
        except httpx.HTTPError as exc:
            error = f"Connection error: {exc.__class__.__name__}"
        self.failed_attempts += 1
        self.last_error_date = int(time.time())
        self.last_error_message = error
        attempt = self._attempts.get(item.update_id, 0) + 1
        self._attempts[item.update_id] = attempt
        try:
            await asyncio.sleep(min(self.max_retry_delay, self.retry_delay * 2 ** (attempt - 1)))
        finally:
            self.bot.queue.release(item)
