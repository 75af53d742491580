"""The bot's configuration, read once from the environment (see README and .env.example)."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def durations(text: str) -> list[timedelta]:
    """'24h,1h' or '2m' → time deltas; a clear error for anything else."""
    result = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(\d+)([smhd])", part)
        if not match:
            raise ValueError(f"CIVICLOOP_REMINDERS: {part!r} is not like '24h', '90m' or '30s'")
        result.append(timedelta(**{UNITS[match[2]]: int(match[1])}))
    return sorted(result, reverse=True)


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = "https://api.telegram.org"
    data: str = "build/site/data/v1"
    refresh: float = 300.0
    db: Path = Path("var/civicloop.sqlite3")
    admins: frozenset[int] = frozenset()
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    secret: bytes = b""
    tick: float = 15.0
    rate: float = 30.0  # messages in any second overall: Telegram's 30 (see bot/ratelimit.py)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1:8443"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        token = env.get("TELEGRAM_BOT_TOKEN", "")
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise ValueError("TELEGRAM_BOT_TOKEN is missing or not like '123456:ABC-...'")
        db = Path(env.get("CIVICLOOP_DB", "var/civicloop.sqlite3"))
        try:
            admins = frozenset(
                int(x) for x in env.get("CIVICLOOP_ADMINS", "").replace(" ", "").split(",") if x
            )
        except ValueError:
            raise ValueError(
                "CIVICLOOP_ADMINS must be Telegram user ids separated by commas"
            ) from None
        webhook_url = env.get("CIVICLOOP_WEBHOOK_URL") or None
        webhook_secret = env.get("CIVICLOOP_WEBHOOK_SECRET") or None
        if webhook_url and not webhook_secret:
            raise ValueError(
                "CIVICLOOP_WEBHOOK_URL needs CIVICLOOP_WEBHOOK_SECRET (A-Z, a-z, 0-9, _ -)"
            )
        return cls(
            token=token,
            api_url=env.get("TELEGRAM_API_URL", cls.api_url).rstrip("/"),
            data=env.get("CIVICLOOP_DATA", cls.data),
            refresh=float(env.get("CIVICLOOP_REFRESH", cls.refresh)),
            db=db,
            admins=admins,
            reminders=tuple(durations(env.get("CIVICLOOP_REMINDERS", "24h,1h"))),
            secret=_secret(env.get("CIVICLOOP_SECRET"), db.parent / "secret"),
            tick=float(env.get("CIVICLOOP_TICK", cls.tick)),
            rate=float(env.get("CIVICLOOP_RATE", cls.rate)),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=env.get("CIVICLOOP_WEBHOOK_LISTEN", cls.webhook_listen),
        )

    def redactions(self) -> list[str]:
        """Strings that must never appear in a log line."""
        return [s for s in (self.token, self.webhook_secret, self.secret.hex()) if s]


def _secret(given: str | None, path: Path) -> bytes:
    """The key of answer pseudonyms: from the environment, or made once beside the DB."""
    if given:
        return given.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
