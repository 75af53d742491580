"""Fault injection: make upcoming Bot API calls fail the way Telegram and networks fail."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("429", "500", "502", "hang", "drop")
_ALIASES = {"rate_limit": "429", "server_error": "500", "bad_gateway": "502", "timeout": "hang"}


@dataclass
class Fault:
    """One armed fault.

    ``hang`` holds the connection for ``seconds`` and then closes it without an answer (the client
    times out); ``drop`` closes it at once. With ``execute=True`` the call takes effect first and
    only the answer is lost, which is how duplicate sends happen in production.
    """

    kind: str
    method: str | None = None  # lower-case Bot API method name; None matches every method
    count: int = 1
    retry_after: int = 1
    seconds: float = 1.0
    execute: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "method": self.method,
            "count": self.count,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
            "execute": self.execute,
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
    ) -> Fault:
        kind = _ALIASES.get(str(kind), str(kind))
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
        if count < 1:
            raise ValueError("count must be >= 1")
        if kind == "429" and retry_after < 1:
            raise ValueError("retry_after must be >= 1 (Telegram never sends 0)")
        fault = Fault(
            kind, method.lower() if method else None, count, retry_after, seconds, execute
        )
        self.faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        if not self.faults:
            return None
        method = method.lower()
        for fault in self.faults:
            if fault.method is None or fault.method == method:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                self.fired += 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
