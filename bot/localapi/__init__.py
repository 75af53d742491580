"""A local Telegram Bot API server for tests, benchmarks and demos.

The real python-telegram-bot client talks to it over HTTP (``base_url=api.base_url``) while
tests play citizens through :class:`Control` (in-process) or ``/control/*`` (over HTTP).
"""

from .client import ControlClient
from .control import Control
from .errors import ApiError, ControlError
from .limits import RateLimits
from .server import DEFAULT_TOKEN, LocalBotApi
from .threaded import SyncControl, ThreadedLocalBotApi

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Control",
    "ControlClient",
    "ControlError",
    "LocalBotApi",
    "RateLimits",
    "SyncControl",
    "ThreadedLocalBotApi",
]
