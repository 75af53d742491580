"""Whether a request that failed could have reached Telegram, from what the HTTP client saw.

python-telegram-bot turns every transport failure into `NetworkError` or `TimedOut`, raised
from the httpx error (`__cause__`). The type alone does not say whether the request left: a
`RemoteProtocolError` is both "a pooled keep-alive connection the server had closed" (Telegram
never saw the request) and "the server went away after reading it". So the transport records
each request's progress with httpcore's trace events (new connection or reused, request written,
answer started) and hangs that record on the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from telegram.request import HTTPXRequest

# Failures that happen before a request can have been read by the server.
_BEFORE_SENDING = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


@dataclass
class Progress:
    new_connection: bool = False
    written: bool = False  # the whole request went out
    answered: bool = False  # the server started its answer


class TracingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with each failed request's `Progress` attached to its error."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        progress = Progress()

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event == "connection.connect_tcp.started":
                progress.new_connection = True
            elif event == "http11.send_request_body.complete":
                progress.written = True
            elif event == "http11.receive_response_headers.complete":
                progress.answered = True

        request.extensions["trace"] = trace
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as error:
            error.progress = progress  # type: ignore[attr-defined]
            raise


def request(pool_size: int, **timeouts: float) -> HTTPXRequest:
    """PTB's request class on the tracing transport (which then owns the pool's limits)."""
    limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
    return HTTPXRequest(
        connection_pool_size=pool_size,
        httpx_kwargs={"transport": TracingTransport(limits=limits)},
        **timeouts,
    )


def may_have_arrived(error: BaseException) -> bool:
    """Whether Telegram may have received the request that failed with this PTB error.

    Not arrived: the connection could not be made or the request not written in full; an HTTP
    error status (Telegram or its proxy answered: nothing was done); a *reused* keep-alive
    connection that the server closed without a byte of answer (it had closed the idle
    connection as the request arrived; the usual cause of "Server disconnected without sending
    a response"). Everything else after the request was written may have arrived: a read
    time-out, a reset, a close on a fresh connection or in the middle of the answer.
    """
    cause = error.__cause__
    if not isinstance(cause, httpx.TransportError) or isinstance(cause, _BEFORE_SENDING):
        return False
    progress: Progress | None = getattr(cause, "progress", None)
    if progress is None:
        return True  # failed while reading the answer's body: the server had answered
    if not progress.written:
        return False
    stale = isinstance(cause, httpx.RemoteProtocolError) and not progress.new_connection
    return not (stale and not progress.answered)
