"""The site's open data (`data/v1/`), read from a URL or a local folder, as the bot's input."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from civicloop.opendata import (
    FILES,
    CommitteeRecord,
    PollRecord,
    RecommendationRecord,
    SessionRecord,
)


def short(identifier: str) -> str:
    """A 12-character key for callback data, which Telegram caps at 64 bytes."""
    return hashlib.blake2s(identifier.encode(), digest_size=6).hexdigest()


@dataclass
class SiteData:
    committees: dict[str, CommitteeRecord] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    polls: dict[str, PollRecord] = field(default_factory=dict)
    recommendations: dict[str, RecommendationRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = {short(i): i for i in (*self.committees, *self.sessions, *self.polls)}

    def find(self, key: str) -> str | None:
        return self.keys.get(key)


async def fetch(source: str, client: httpx.AsyncClient | None = None) -> SiteData:
    """Read and validate every file; any problem raises, so the caller keeps the old data."""
    loaded = {}
    for name, (key, model) in FILES.items():
        if source.startswith(("http://", "https://")):
            url = source.rstrip("/") + "/" + name
            if client is None:
                async with httpx.AsyncClient(timeout=20) as own:
                    response = await own.get(url)
            else:
                response = await client.get(url)
            response.raise_for_status()
            raw = response.content
        else:
            raw = (Path(source) / name).read_bytes()
        document = model.model_validate(json.loads(raw))
        loaded[key] = {record.id: record for record in getattr(document, key)}
    return SiteData(**loaded)
