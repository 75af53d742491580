"""What a draw's steps have published beside its `draw.md`, read back: the commitment, the
result, and who sits. The draw's page (`draw_record`) and `draws.json` (`draw_data`) show it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from civicloop.draw import files


class Seat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # the volunteer's pseudonym
    since: str
    left: str | None
    replaced_by: str | None


def published(draw_file: Path) -> tuple[dict | None, dict | None]:
    """The commitment and the result beside a draw file, each None until written."""
    return tuple(  # type: ignore[return-value]
        json.loads(p.read_text(encoding="utf-8")) if p.exists() else None for p in files(draw_file)
    )


def seats(result: dict) -> list[Seat]:
    """Everyone who sat: members from the pick, substitutes from the day they stepped in."""
    since = {m: result["picked"] for m in result["members"]}
    left: dict[str, tuple[str, str]] = {}
    for change in result["replacements"]:
        since[change["substitute"]] = change["date"]
        left[change["member"]] = (change["date"], change["substitute"])
    out = []
    for who, day in since.items():
        gone, by = left.get(who, (None, None))
        out.append(Seat(id=who, since=day, left=gone, replaced_by=by))
    return out


def waiting(result: dict) -> list[str]:
    used = {c["substitute"] for c in result["replacements"]}
    return [s for s in result["substitutes"] if s not in used]
