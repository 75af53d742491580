"""Blocking client for the ``/control`` endpoints, for consoles and scripts in other processes."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from .errors import ControlError


class ControlClient:
    """``ControlClient("http://127.0.0.1:8081").send_command(42, "start")`` mirrors Control."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, action: str, **kwargs: Any) -> Any:
        if self.token is not None:
            kwargs.setdefault("token", self.token)
        request = urllib.request.Request(
            f"{self.url}/control/{action}",
            data=json.dumps(kwargs).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
        if not body.get("ok"):
            raise ControlError(body.get("description", "control call failed"))
        return body["result"]

    def __getattr__(self, action: str) -> Callable[..., Any]:
        if action.startswith("_"):
            raise AttributeError(action)
        return lambda **kwargs: self.call(action, **kwargs)
