"""Fault injection: make upcoming Bot API calls fail the way Telegram and networks fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("429", "500", "502", "hang", "drop", "close", "reset")
_ALIASES = {"rate_limit": "429", "server_error": "500", "bad_gateway": "502", "timeout": "hang"}
EXECUTING = {"deliver_then_timeout": "hang", "deliver_then_reset": "reset"}  # execute=True


@dataclass
class Fault:
    """One armed fault.

    ``hang`` holds the connection for ``seconds`` and then closes it without an answer (the client
    times out); ``drop`` closes it at once; ``reset`` resets it (TCP RST). With ``execute=True``
    the call takes effect first and only the answer is lost, which is how duplicate sends happen
    in production (``deliver_then_timeout`` and ``deliver_then_reset`` say so in their names).
    ``close`` is a keep-alive connection that the server had closed as the request arrived: it
    fires only on a connection that already carried a request, closes it with the request
    unread, and never executes it.
    """

    kind: str
    method: str | None = None  # lower-case Bot API method name; None matches every method
    count: int = 1
    retry_after: int = 1
    seconds: float = 1.0
    execute: bool = False
    chat_id: int | None = None  # only calls addressed to this chat (None: any)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "method": self.method,
            "count": self.count,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
            "execute": self.execute,
            "chat_id": self.chat_id,
        }


class FaultInjector:
    """Armed faults in arming order; each matching call consumes one shot of the first match."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.fired = 0

    def arm(
        self,
        kind: str,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 1.0,
        execute: bool = False,
        chat_id: int | None = None,
    ) -> Fault:
        kind = _ALIASES.get(str(kind), str(kind))
        if kind in EXECUTING:
            kind, execute = EXECUTING[kind], True
        if kind not in KINDS:
            names = ", ".join((*KINDS, *EXECUTING))
            raise ValueError(f"unknown fault kind {kind!r}; use one of {names}")
        if kind == "close":
            execute = False
        if count < 1:
            raise ValueError("count must be >= 1")
        if kind == "429" and retry_after < 1:
            raise ValueError("retry_after must be >= 1 (Telegram never sends 0)")
        method = method.lower() if method else None
        fault = Fault(kind, method, count, retry_after, seconds, execute, chat_id)
        self.faults.append(fault)
        return fault

    def take(
        self, method: str, reused: bool = True, chat_id: Callable[[], object] = lambda: None
    ) -> Fault | None:
        """The fault for this call, if one is armed (``reused``: not its connection's first;
        ``chat_id``: reads the call's chat, only when a fault asks for one)."""
        if not self.faults:
            return None
        method = method.lower()
        for fault in self.faults:
            if fault.kind == "close" and not reused:
                continue
            if fault.chat_id is not None and str(chat_id()) != str(fault.chat_id):
                continue
            if fault.method is None or fault.method == method:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                self.fired += 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
