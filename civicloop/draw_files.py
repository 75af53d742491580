"""What a draw's steps have published beside its `draw.md`, read back: the commitment, the
result, and who sits. The draw's page (`draw_record`) and `draws.json` (`draw_data`) show it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from civicloop.draw import files
from civicloop.problems import Problem, validation_problems


class _Shape(BaseModel):
    """The shape of what the draw's steps write: a file edited by hand, cut short or from another
    version is refused with its line, before a page or `draws.json` reads it."""

    model_config = ConfigDict(extra="forbid")


class _Pool(_Shape):
    size: int
    hash: str
    per_category: dict[str, dict[str, int | None]]


class _Panel(_Shape):
    members: list[str]
    tickets: int


class Commitment(_Shape):
    format: int
    committee: str
    parameters: dict
    parameters_hash: str
    pool: _Pool
    run: dict[str, str | int]
    tickets: int
    panels: list[_Panel]
    panels_hash: str
    probabilities: dict[str, float]


class _Random(_Shape):
    value: str
    canonical: str
    sha256: str
    ticket: int


class _Replacement(_Shape):
    member: str
    substitute: str
    shared: list[str]
    date: date


class Result(_Shape):
    format: int
    commitment_hash: str
    random: _Random
    picked: date
    members: list[str]
    achieved: dict[str, dict[str, int]]
    substitutes: list[str]
    substitutes_achieved: dict[str, dict[str, int]]
    replacements: list[_Replacement]


class DrawFileError(ValueError):
    """A published draw file that cannot be read: each problem names its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class Seat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # the volunteer's pseudonym
    since: str
    left: str | None
    replaced_by: str | None


def published(draw_file: Path, shown: str | None = None) -> tuple[dict | None, dict | None]:
    """The commitment and the result beside a draw file, each None until written; a file of the
    wrong shape raises `DrawFileError` (`shown`: the draw file's path as problems name it)."""
    where = Path(shown) if shown else draw_file
    return tuple(  # type: ignore[return-value]
        read(path, str(where.with_name(path.name)), model) if path.exists() else None
        for path, model in zip(files(draw_file), (Commitment, Result), strict=True)
    )


def read(path: Path, shown: str, model: type[Commitment | Result]) -> dict:
    """One published file as the dict it holds, once its shape is checked against `model`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DrawFileError(
            [Problem(shown, 1, f"not UTF-8 ({error.reason}); write it again")]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        fix = "it is written by `civicloop draw`: restore it from git or write it again"
        raise DrawFileError(
            [Problem(shown, error.lineno, f"not valid JSON ({error.msg}); {fix}")]
        ) from None
    try:
        model.model_validate(data)
    except ValidationError as error:
        # JSON is YAML too (for PyYAML, except some escapes): its nodes give each error's line
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None
        raise DrawFileError(validation_problems(shown, error, root, 1, model)) from None
    return data


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
