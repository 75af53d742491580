"""Work handed to a second process, for machines with a second core."""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def run(sender: Connection, function: Callable[..., Any], *args: Any) -> None:
    """In the child: send back what `function` returns. If it raises, the child dies with the
    traceback on stderr and the parent's end of the pipe reads end-of-file."""
    with sender:
        sender.send(function(*args))
