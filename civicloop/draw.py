"""The public draw file (`committees/<slug>/draw.md`): what a stratified draw will select, from
which columns of the private pool, with which algorithm, and where its random value will come from.

Its steps write JSON beside it (`draw-commitment.json`, then `draw-result.json`); only keyed
pseudonyms and counts go there. Quota checks that need no pool are made here, so that the editor
gets them as `path:line` problems like any other content.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator

from civicloop.fields import Day, NonNegativeInt, PositiveInt, Strict, Text

ALGORITHMS = ("maximin", "nash", "legacy")
COMMITMENT = "draw-commitment.json"
RESULT = "draw-result.json"


class Category(Strict):
    value: Text = Field(description="the value as written in the pool's column")
    min: NonNegativeInt = 0
    max: NonNegativeInt

    @field_validator("max")
    @classmethod
    def _max(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value < low:
            raise ValueError(f"is below the minimum {low}; a maximum must be at least the minimum")
        return value


class Criterion(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
    column: Text = Field(description="the pool CSV column that holds it")
    categories: list[Category] = Field(min_length=2)

    @field_validator("categories")
    @classmethod
    def _distinct(cls, categories: list[Category]) -> list[Category]:
        values = [c.value for c in categories]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"categories {', '.join(map(repr, twice))} are listed twice")
        return categories


class PoolColumns(Strict):
    id: Text = Field(description="the column of each volunteer's reference; never published")
    household: list[Text] = Field(
        default=[], description="columns that are the same for people living together"
    )


class Draw(Strict):
    type: Literal["draw"]
    title: Text
    date: Day
    seats: PositiveInt
    substitutes: NonNegativeInt = 0
    algorithm: Literal["maximin", "nash", "legacy"] = "maximin"
    tickets: Annotated[PositiveInt, Field(le=10000)] = Field(
        default=1000, description="panels in the published lottery, one drawn by the random value"
    )
    random: Text = Field(description="where the public random value will come from, and when")
    pool: PoolColumns
    criteria: list[Criterion] = Field(min_length=1)
    sample: StrictBool = False

    @field_validator("criteria")
    @classmethod
    def _quotas(cls, criteria: list[Criterion], info: ValidationInfo) -> list[Criterion]:
        seats = info.data.get("seats")
        names = [c.name for c in criteria]
        if len(set(names)) != len(names):
            raise ValueError("two criteria have the same name; each must differ")
        if seats is None:
            return criteria
        for criterion in criteria:
            low = sum(c.min for c in criterion.categories)
            high = sum(c.max for c in criterion.categories)
            if low > seats:
                raise ValueError(
                    f"the minimums of '{criterion.name}' add up to {low}, more than the "
                    f"{seats} seats; lower some minimums"
                )
            if high < seats:
                raise ValueError(
                    f"the maximums of '{criterion.name}' add up to {high}, fewer than the "
                    f"{seats} seats; raise some maximums"
                )
        return criteria

    def quotas(self, seats: int | None = None) -> dict[str, dict[str, tuple[int, int]]]:
        """Min and max per category for the members, or scaled to `seats` (the substitutes:
        minimums rounded down, maximums up, so that what the members' quotas allow stays so)."""
        wanted = self.seats if seats is None else seats
        return {
            c.name: {
                k.value: (k.min * wanted // self.seats, -(-k.max * wanted // self.seats))
                for k in c.categories
            }
            for c in self.criteria
        }

    def parameters(self) -> dict:
        """What the commitment binds: everything but the title (which editors may reword)."""
        return self.model_dump(mode="json", exclude={"type", "title", "sample"})


def digest(value: object) -> str:
    """SHA-256 of the canonical JSON of `value`: the form every published hash is taken of."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def pool_problems(
    draw: Draw, counts: dict[str, dict[str, int]], size: int, substitutes: bool = True
) -> list[str]:
    """Why no draw can meet the quotas with this pool (counts per criterion and category), or []."""
    wanted = draw.seats + (draw.substitutes if substitutes else 0)
    problems = []
    if size < wanted:
        problems.append(f"the pool has {size} volunteers, fewer than the {wanted} people wanted")
    members, spare = draw.quotas(), draw.quotas(draw.substitutes)
    for criterion in draw.criteria:
        for category in criterion.categories:
            have = counts[criterion.name][category.value]
            need = members[criterion.name][category.value][0]
            extra = spare[criterion.name][category.value][0] if substitutes else 0
            if need + extra > have:
                who = f"{need} members" + (f" and {extra} substitutes" if extra else "")
                problems.append(
                    f"'{criterion.name}' = '{category.value}' needs at least {who}, but the "
                    f"pool has {have} such volunteers; lower its minimum or find more volunteers"
                )
    return problems


def files(draw_file: Path) -> tuple[Path, Path]:
    return draw_file.with_name(COMMITMENT), draw_file.with_name(RESULT)
