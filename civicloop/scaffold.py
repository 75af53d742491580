"""Skeletons of new content files, valid as written, for editors to fill in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from civicloop.content import MODELS
from civicloop.languages import DEFAULT

TODO = "To be announced"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"


def session(content: Path, committee: str, starts: datetime, title: str | None) -> Path:
    folder = content / "committees" / committee
    if not (folder / "index.md").is_file():
        known = sorted(p.parent.name for p in (content / "committees").glob("*/index.md"))
        raise ValueError(f"no committee '{committee}'; known: {', '.join(known) or 'none'}")
    numbers = [
        int(m[1]) for p in (folder / "sessions").glob("*.md") if (m := re.match(r"(\d+)", p.name))
    ]
    number = max(numbers, default=0) + 1
    title = title or f"Session {number}"
    meta = {
        "type": "session",
        "title": title,
        "number": number,
        "starts": starts.isoformat(),
        "ends": (starts + timedelta(hours=2)).isoformat(),
        "status": "scheduled",
        "place": TODO,
        "agenda": [{"title": "Welcome and introductions", "duration": 15}],
    }
    path = folder / "sessions" / f"{number:02d}-{slugify(title)}.md"
    return _write(path, meta, "What this session is for, in a few sentences.\n")


def committee(content: Path, slug: str, title: str, kind: str, timezone: str) -> Path:
    meta = {
        "type": "committee",
        "title": title,
        "kind": kind,
        "question": TODO,
        "status": "planned",
        "members": [
            {"role": "citizen", "selection": "drawn-by-lot", "count": 10},
            {"role": "politician", "selection": "elected", "count": 5},
        ],
        "languages": [DEFAULT],
        "timezone": timezone,
    }
    body = "Why this committee exists and how citizens can take part.\n"
    return _write(content / "committees" / slug / "index.md", meta, body)


def case_study(content: Path, slug: str, title: str, country: str, years: str) -> Path:
    meta = {
        "type": "case-study",
        "title": title,
        "summary": TODO,
        "place": TODO,
        "country": country,
        "years": years,
        "process": "other",
        "tags": [],
        "sources": [{"title": "Source", "url": "https://example.org/replace-me"}],
    }
    return _write(content / "case-studies" / f"{slug}.md", meta, "What happened, and why.\n")


def webinar(content: Path, slug: str, title: str, date: datetime, replay: str) -> Path:
    meta = {
        "type": "webinar",
        "title": title,
        "summary": TODO,
        "date": date.isoformat(),
        "speakers": [],
        "goals": [],
        "replay": replay,
        "related": [],
    }
    return _write(content / "webinars" / f"{slug}.md", meta, "What was discussed.\n")


def _write(path: Path, meta: dict, body: str) -> Path:
    if path.exists():
        raise ValueError(f"{path} exists already; choose another name")
    if not re.fullmatch(r"[a-z0-9-]+", path.parent.name if path.name == "index.md" else path.stem):
        raise ValueError(f"'{path.stem}' is not a slug: use lowercase letters, digits and '-'")
    MODELS[meta["type"]].model_validate(meta)  # a skeleton that fails here is our bug
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")
    return path
