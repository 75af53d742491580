"""Work handed to a second process while the first does its share: machines have a second core.

A package rather than a hook loaded by path, so that a spawned child can import it."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from mkdocs.exceptions import Abort


def run(sender: Connection, function: Callable[..., Any], *args: Any) -> None:
    """In the child: send back what `function` returns. If it raises, the child dies with the
    traceback on stderr and the parent's end of the pipe reads end-of-file."""
    with sender:
        sender.send(function(*args))


class Job:
    """`function(*args)` run by a second process. Forked, it starts at once and shares the loaded
    content; beside other threads (`mkdocs serve`), where forking is unsafe, it is spawned and
    gets a copy (pickled, so `now` is the parent's)."""

    def __init__(self, what: str, function: Callable[..., Any], *args: Any) -> None:
        self.what = what
        method = "fork" if threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=run, args=(sender, function, *args), daemon=True)
        self.process.start()
        sender.close()

    def result(self) -> Any:
        """What the function returned (waiting for it); the build stops if it failed."""
        try:
            return self.receiver.recv()
        except EOFError:
            raise Abort(f"civicloop: {self.what} failed (see above)") from None
        finally:
            self.process.join()

    def close(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.process.close()
        self.receiver.close()

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
