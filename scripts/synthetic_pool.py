"""Synthetic pools of volunteers for tests, benchmarks and the sample committee: made-up people
(names, addresses and e-mails that are obviously invented), never real ones.

    python scripts/synthetic_pool.py 300 pool.csv [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

# criterion -> category -> share of the population
CRITERIA: dict[str, dict[str, float]] = {
    "gender": {"woman": 0.48, "man": 0.48, "non-binary": 0.04},
    "age": {"16-29": 0.22, "30-44": 0.26, "45-64": 0.32, "65+": 0.20},
    "district": {"north": 0.3, "south": 0.25, "east": 0.2, "west": 0.15, "centre": 0.1},
    "education": {"primary": 0.2, "secondary": 0.45, "higher": 0.35},
}
COLUMNS = ["ref", "first name", "last name", "email", "street", "postcode", *CRITERIA]


def people(count: int, seed: int = 1, criteria: int = 4) -> list[dict[str, str]]:
    """`count` volunteers; one in ten shares a home with the one before."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for i in range(count):
        row = {
            "ref": f"R{seed:02d}-{i:05d}",
            "first name": f"Synthname{rng.randrange(10**6):06d}",
            "last name": f"Synthsurname{rng.randrange(10**6):06d}",
            "email": f"volunteer{seed}x{i}@example.invalid",
            "street": f"{rng.randrange(1, 400)} Synthetic Street {rng.randrange(10**4)}",
            "postcode": f"S{rng.randrange(1000, 9999)}",
        }
        if rows and rng.random() < 0.1:
            row["street"], row["postcode"] = rows[-1]["street"], rows[-1]["postcode"]
        for name, shares in list(CRITERIA.items())[:criteria]:
            row[name] = rng.choices(list(shares), weights=list(shares.values()))[0]
        rows.append(row)
    return rows


def quotas(seats: int, criteria: int = 4, slack: float = 0.1) -> dict[str, dict[str, tuple]]:
    """Quotas around each category's share of the population, `slack` of the seats either way."""
    margin = max(1, round(seats * slack))
    return {
        name: {
            value: (max(0, round(share * seats) - margin), round(share * seats) + margin)
            for value, share in shares.items()
        }
        for name, shares in list(CRITERIA.items())[:criteria]
    }


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("count", type=int)
    args.add_argument("out", type=Path)
    args.add_argument("--seed", type=int, default=1)
    given = args.parse_args()
    write(given.out, people(given.count, given.seed))
