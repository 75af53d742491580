"""The bot's configuration, read once from the environment (see README and .env.example)."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.store import private_files
from civicloop import follow

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
MIN_SECRET = 32  # bytes: a shorter key lets anyone with the database compute the pseudonyms


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
    # the secrets are left out of the repr, so that no traceback or debug print shows them
    token: str = field(repr=False)
    api_url: str = "https://api.telegram.org"
    data: str = "build/site/data/v1"
    refresh: float = 300.0
    db: Path = Path("var/civicloop.sqlite3")
    admins: frozenset[int] = frozenset()
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    secret: bytes = field(default=b"", repr=False)
    tick: float = 15.0
    rate: float = 30.0  # messages in any second overall: Telegram's 30 (see bot/ratelimit.py)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1:8443"
    username: str | None = None  # CIVICLOOP_BOT_USERNAME: the bot the site's links open

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
            secret=_secret(env, db),
            tick=float(env.get("CIVICLOOP_TICK", cls.tick)),
            rate=float(env.get("CIVICLOOP_RATE", cls.rate)),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=env.get("CIVICLOOP_WEBHOOK_LISTEN", cls.webhook_listen),
            username=follow.username(env),
        )

    def redactions(self) -> list[str]:
        """Strings that must never appear in a log line: the token, the secrets, and the
        pseudonyms' key as text and in the encodings a program might print it in."""
        key = self.secret
        forms = [
            key.decode("utf-8", "replace"),
            repr(key)[2:-1],
            key.hex(),
            key.hex().upper(),
            base64.b64encode(key).decode(),
            base64.urlsafe_b64encode(key).decode(),
            base64.b64encode(key).decode().rstrip("="),
        ]
        return [s for s in (self.token, self.webhook_secret, *forms) if s]


def secret_file(env: dict[str, str]) -> Path:
    """Where the default key lives: CIVICLOOP_SECRET_FILE, else the user's configuration folder
    ($XDG_CONFIG_HOME/civicloop/secret), never beside the database it protects."""
    if env.get("CIVICLOOP_SECRET_FILE"):
        return Path(env["CIVICLOOP_SECRET_FILE"])
    config = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(config) / "civicloop" / "secret"


def _secret(env: dict[str, str], db: Path) -> bytes:
    """The key of answer pseudonyms: CIVICLOOP_SECRET, or a file made once (0600 in a 0700
    folder). A key made by an older version beside the database is moved there."""
    given = env.get("CIVICLOOP_SECRET")
    if given is not None:
        return _strong(given, "CIVICLOOP_SECRET")
    path = secret_file(env)
    with private_files():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        legacy = db.parent / "secret"
        if not path.exists() and legacy.is_file():
            shutil.move(legacy, path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # made once, never overwritten
        with contextlib.suppress(FileExistsError), os.fdopen(os.open(path, flags, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
    if not path.is_file():
        raise ValueError(f"{path} is not a file; CIVICLOOP_SECRET_FILE names the key's file")
    path.chmod(0o600)
    data: str | bytes = path.read_bytes()
    with contextlib.suppress(UnicodeDecodeError):  # random bytes rather than text: as they are
        data = data.decode()
    return _strong(data, str(path))


def _strong(key: str | bytes, where: str) -> bytes:
    if isinstance(key, str):
        key = key.strip().encode("utf-8", "surrogateescape")  # the environment's own bytes
    if len(key) < MIN_SECRET:
        raise ValueError(
            f"{where} is {len(key)} bytes (spaces around it do not count); the key of the "
            f"pseudonyms needs at least {MIN_SECRET}: make one with `openssl rand -hex 32`"
        )
    return key
