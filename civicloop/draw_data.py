"""`data/v1/draws.json`: each committee's selection record as data, from the published files of
its draw (pseudonyms and counts only), with a schema derived from these classes."""

from __future__ import annotations

import statistics

from pydantic import BaseModel, ConfigDict, Field

from civicloop.draw import Draw, files
from civicloop.draw_files import Seat, published, seats, waiting
from civicloop.opendata import VERSION, _dump, _file
from civicloop.sitecontext import SiteContext


class DrawDataRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryRecord(DrawDataRecord):
    value: str
    min: int
    max: int
    pool: int | None  # None: fewer than 5 volunteers, not published
    members: int | None  # None until the pick
    substitutes: int | None


class CriterionRecord(DrawDataRecord):
    name: str
    categories: list[CategoryRecord]


class Chances(DrawDataRecord):
    lowest: float
    median: float
    highest: float


class CommitmentRecord(DrawDataRecord):
    url: str
    pool_size: int
    pool_hash: str
    parameters_hash: str
    panels: int
    tickets: int
    panels_hash: str
    chances: Chances
    run: dict[str, str | int]


class PickRecord(DrawDataRecord):
    url: str
    date: str
    random: str
    canonical: str
    ticket: int


class DrawRecord(DrawDataRecord):
    committee: str
    # a default, so that data published before it still reads
    sample: bool = Field(default=False, description="the draw of a committee of sample data")
    url: str
    date: str
    algorithm: str
    seats: int
    substitutes: int
    random_source: str
    criteria: list[CriterionRecord]
    commitment: CommitmentRecord | None
    pick: PickRecord | None
    members: list[Seat]
    substitutes_waiting: list[str]  # in their order


def draw_record(site: SiteContext, slug: str, draw: Draw, page: str) -> DrawRecord:
    draw_file = site.catalog.root / "committees" / slug / "draw.md"
    commitment, result = published(draw_file)
    folder = site.absolute(f"committees/{slug}/")
    pool = commitment["pool"]["per_category"] if commitment else {}
    criteria = [
        CriterionRecord(
            name=c.name,
            categories=[
                CategoryRecord(
                    value=k.value,
                    min=k.min,
                    max=k.max,
                    pool=pool.get(c.name, {}).get(k.value),
                    members=result["achieved"][c.name][k.value] if result else None,
                    substitutes=result["substitutes_achieved"][c.name][k.value] if result else None,
                )
                for k in c.categories
            ],
        )
        for c in draw.criteria
    ]
    made = None
    if commitment:
        chances = sorted(commitment["probabilities"].values())
        made = CommitmentRecord(
            url=folder + files(draw_file)[0].name,
            pool_size=commitment["pool"]["size"],
            pool_hash=commitment["pool"]["hash"],
            parameters_hash=commitment["parameters_hash"],
            panels=len(commitment["panels"]),
            tickets=commitment["tickets"],
            panels_hash=commitment["panels_hash"],
            chances=Chances(
                lowest=chances[0], median=statistics.median(chances), highest=chances[-1]
            ),
            run=commitment["run"],
        )
    picked = None
    if result:
        picked = PickRecord(
            url=folder + files(draw_file)[1].name,
            date=result["picked"],
            random=result["random"]["value"],
            canonical=result["random"]["canonical"],
            ticket=result["random"]["ticket"],
        )
    return DrawRecord(
        committee=slug,
        sample=site.catalog.committees[slug].model.sample,
        url=site.absolute(page),
        date=draw.date.isoformat(),
        algorithm=draw.algorithm,
        seats=draw.seats,
        substitutes=draw.substitutes,
        random_source=draw.random,
        criteria=criteria,
        commitment=made,
        pick=picked,
        members=seats(result) if result else [],
        substitutes_waiting=waiting(result) if result else [],
    )


def draws(site: SiteContext) -> list[DrawRecord]:
    return [
        draw_record(site, doc.committee, doc.model, doc.url)
        for doc in sorted(site.catalog.of("draw"), key=lambda d: d.path)
    ]


# Beside opendata.FILES, not in it: the bot reads every file listed there as records with ids.
FILES = {"draws.json": ("draws", _file("draws", DrawRecord))}


def data_files(site: SiteContext) -> dict[str, bytes]:
    """`draws.json` and its schema, as `opendata.data_files` makes the others."""
    key, model = FILES["draws.json"]
    records = [r.model_dump(mode="json") for r in draws(site)]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = site.absolute("data/v1/schema/draws.json")
    return {
        "draws.json": _dump({"version": VERSION, key: records}),
        "schema/draws.json": _dump(schema),
    }
