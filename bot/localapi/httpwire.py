"""A minimal HTTP/1.1 server protocol for asyncio: keep-alive, Content-Length and chunked bodies.

Written against ``asyncio.Protocol`` rather than streams so that a client hanging up (EOF) cancels
the request being served: an abandoned long poll must not go on consuming updates, and a request
held by a ``hang`` fault must not take effect after the client gave up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote

log = logging.getLogger(__name__)

MAX_HEADER = 64 * 1024
MAX_BODY = 64 * 1024 * 1024


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    keep_alive: bool
    sequence: int = 0  # how many requests came before it on its connection

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Request], Awaitable[Response | None]]  # None: close without answering
RESET = Response(0, b"")  # a handler's answer that resets the connection (TCP RST) instead


class BadHttp(Exception):
    pass


class HttpProtocol(asyncio.Protocol):
    """One connection: parses pipelined requests and answers them in order."""

    def __init__(self, handler: Handler, connections: set[HttpProtocol]) -> None:
        self._handler = handler
        self._connections = connections
        self._buf = bytearray()
        self._requests: deque[Request] = deque()
        self._transport: asyncio.Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._closed = False
        self._continued = False  # "100 Continue" already sent for the request being received
        self._received = 0

    # asyncio callbacks -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._connections.add(self)
        self._task = asyncio.get_running_loop().create_task(self._serve())

    def data_received(self, data: bytes) -> None:
        self._buf += data
        try:
            while self._parse_one():
                pass
        except BadHttp as exc:
            self._send(Response(400, f"Bad HTTP request: {exc}".encode(), "text/plain"), False)
            self.close()
            return
        if self._requests:
            self._wakeup.set()

    def eof_received(self) -> bool:
        # HTTP clients never half-close: EOF means the client is gone.
        self.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._connections.discard(self)
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def close(self) -> None:
        self._closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    def reset(self) -> None:
        """Close with a TCP reset, as a server or a middlebox that drops a connection does."""
        if self._transport is not None:
            sock = self._transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close()

    # parsing -----------------------------------------------------------------------------

    def _parse_one(self) -> bool:
        buf = self._buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEADER:
                raise BadHttp("headers too large")
            return False
        try:
            head = bytes(buf[:end]).decode("latin-1")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes everything
            raise BadHttp("bad header encoding") from exc
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadHttp("bad request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadHttp("bad header line")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            decoded = _dechunk(buf, start)
            if decoded is None:
                return False
            body, consumed = decoded
        else:
            try:
                length = int(headers.get("content-length", "0") or 0)
            except ValueError as exc:
                raise BadHttp("bad content-length") from exc
            if length < 0 or length > MAX_BODY:
                raise BadHttp("body too large")
            if len(buf) < start + length:
                expects = headers.get("expect", "").lower() == "100-continue"
                if expects and not self._continued and self._transport is not None:
                    self._continued = True
                    self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return False
            body, consumed = bytes(buf[start : start + length]), start + length
        del buf[:consumed]
        self._continued = False
        conn = headers.get("connection", "").lower()
        keep_alive = "close" not in conn if version == "HTTP/1.1" else "keep-alive" in conn
        path, _, query = target.partition("?")
        self._requests.append(
            Request(method.upper(), unquote(path), query, headers, body, keep_alive, self._received)
        )
        self._received += 1
        return True

    # serving -----------------------------------------------------------------------------

    async def _serve(self) -> None:
        try:
            while not self._closed:
                if not self._requests:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                request = self._requests.popleft()
                try:
                    response = await self._handler(request)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("unhandled error serving %s %s", request.method, request.path)
                    response = Response(
                        500, b'{"ok":false,"error_code":500,"description":"Internal Server Error"}'
                    )
                if response is RESET:
                    self.reset()
                    return
                if response is None:
                    self.close()
                    return
                self._send(response, request.keep_alive)
                if not request.keep_alive:
                    self.close()
                    return
        except asyncio.CancelledError:
            pass

    def _send(self, response: Response, keep_alive: bool) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        head = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            "Connection: keep-alive" if keep_alive else "Connection: close",
        ]
        head.extend(f"{k}: {v}" for k, v in response.headers)
        transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)


def _dechunk(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a complete chunked body starting at ``start``; None if more data is needed."""
    out = bytearray()
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(bytes(buf[pos:eol]).split(b";", 1)[0], 16)
        except ValueError as exc:
            raise BadHttp("bad chunk size") from exc
        pos = eol + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", pos - 2)
            if trailer_end < 0:
                return None
            return bytes(out), trailer_end + 4
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos : pos + size]
        if len(out) > MAX_BODY:
            raise BadHttp("body too large")
        pos += size + 2


class HttpServer:
    """Owns the listening socket and every open connection."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[HttpProtocol] = set()
        self.host = ""
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpProtocol(self._handler, self._connections), host, port, backlog=1024
        )
        sock = self._server.sockets[0].getsockname()
        self.host, self.port = sock[0], sock[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections):
            conn.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None
