"""The site's open data (`data/v1/`), read from a URL or a local folder, as the bot's input."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
from pydantic import BaseModel, ConfigDict, Field

from civicloop.opendata import FILES, CommitteeRecord, PollRecord, SessionRecord

REQUIRED = ("committees.json", "sessions.json", "polls.json")
RECOMMENDATIONS = "recommendations.json"  # optional: sites built before it have none


class TitleOnly(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str


class Recommendation(BaseModel):
    """What the bot reads of a record of `recommendations.json` (its contract's fields; the
    others are the site's and ignored here, so that the file may grow)."""

    model_config = ConfigDict(extra="ignore")
    id: Annotated[str, Field(pattern=r"^[^:\s]+$")]  # part of outbox keys: no ':'
    committee: str
    title: str
    status: Annotated[str, Field(pattern=r"^[a-z-]+$")]
    response_due: date | None = None
    response_overdue: bool = False
    url: str
    translations: dict[str, TitleOnly] = {}

    def local_title(self, lang: str) -> str:
        translation = self.translations.get(lang)
        return translation.title if translation else self.title


class RecommendationsFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: int
    recommendations: list[Recommendation]


def short(identifier: str) -> str:
    """A 12-character key for callback data, which Telegram caps at 64 bytes."""
    return hashlib.blake2s(identifier.encode(), digest_size=6).hexdigest()


@dataclass
class SiteData:
    committees: dict[str, CommitteeRecord] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    polls: dict[str, PollRecord] = field(default_factory=dict)
    recommendations: dict[str, Recommendation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = {short(i): i for i in (*self.committees, *self.sessions, *self.polls)}

    def find(self, key: str) -> str | None:
        return self.keys.get(key)


async def fetch(source: str, client: httpx.AsyncClient | None = None) -> SiteData:
    """Read and validate the files; any problem raises, so the caller keeps the old data.
    `recommendations.json` may be missing (a site built before it): then there are none."""
    loaded = {}
    for name in REQUIRED:
        key, model = FILES[name]
        raw = await _read(source, name, client)
        if raw is None:
            raise FileNotFoundError(f"{source}: no {name}")
        document = model.model_validate(json.loads(raw))
        loaded[key] = {record.id: record for record in getattr(document, key)}
    raw = await _read(source, RECOMMENDATIONS, client)
    if raw is not None:
        recommendations = RecommendationsFile.model_validate(json.loads(raw)).recommendations
        loaded["recommendations"] = {r.id: r for r in recommendations}
    return SiteData(**loaded)


async def _read(source: str, name: str, client: httpx.AsyncClient | None) -> bytes | None:
    """The file's bytes; None if the site has no such file (404, or not in the folder)."""
    if not source.startswith(("http://", "https://")):
        path = Path(source) / name
        return path.read_bytes() if path.exists() else None
    url = source.rstrip("/") + "/" + name
    if client is None:
        async with httpx.AsyncClient(timeout=20) as own:
            response = await own.get(url)
    else:
        response = await client.get(url)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.content
