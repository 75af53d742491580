"""Run the local Bot API on its own event loop in a background thread.

For synchronous tests, for a bot under test that owns the main loop (``run_polling``), and for
demos. Control calls are marshalled onto the server's loop and block until they finish.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import Any

from .control import Control
from .server import LocalBotApi


class SyncControl:
    """Blocking proxy for :class:`Control`; every call runs on the server thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, control: Control) -> None:
        self._loop = loop
        self._control = control

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self._control, name)
        if not callable(target):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            async def run() -> Any:
                result = target(*args, **kwargs)
                return await result if inspect.isawaitable(result) else result

            return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

        return call


class ThreadedLocalBotApi:
    """``with ThreadedLocalBotApi(["123:ABC"]) as api:`` takes LocalBotApi's arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._args, self._kwargs = args, kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.server: LocalBotApi | None = None

    def start(self) -> ThreadedLocalBotApi:
        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self.server = LocalBotApi(*self._args, **self._kwargs)
                loop.run_until_complete(self.server.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.server.stop())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=main, name="localapi", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> ThreadedLocalBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _server(self) -> LocalBotApi:
        if self.server is None or self._loop is None:
            raise RuntimeError("server not started")
        return self.server

    @property
    def url(self) -> str:
        return self._server().url

    @property
    def base_url(self) -> str:
        return self._server().base_url

    @property
    def token(self) -> str:
        return self._server().token

    def control(self, token: str | None = None) -> SyncControl:
        server = self._server()
        assert self._loop is not None
        return SyncControl(self._loop, server.control(token))

    def add_bot(self, token: str, **kwargs: Any) -> SyncControl:
        server = self._server()
        assert self._loop is not None

        async def add() -> Control:
            return server.add_bot(token, **kwargs)

        control = asyncio.run_coroutine_threadsafe(add(), self._loop).result()
        return SyncControl(self._loop, control)
