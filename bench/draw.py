"""Benchmark: `civicloop draw` on synthetic pools, per algorithm (maximin, nash, legacy).

Why: Wallonia's committee kept 30 members and 30 substitutes from the residents who volunteered;
an organiser runs the draw on an ordinary computer. The target: from 3,000 volunteers, the
maximin draw with its commitment (the lottery of 1,000 tickets, the probabilities, the hashes)
in under 2 minutes on this 2-core machine.

Each case runs in a process of its own (so that peak memory is the case's): it writes a synthetic
pool (four criteria: gender, age, district, education; one in ten shares a home), a draw file with
quotas around each category's share, then times `commit` (step one) and `pick` (step two: the
panel, then the substitutes' second run), and reads the draw process's peak memory (max RSS of the
children, from getrusage). It reports the lowest, median and highest selection probability of the
lottery (for legacy, which has no lottery of its own, over its 1,000 runs, one per ticket), and
how long importing the library takes, since every draw process pays it.

    .venv/bin/python bench/draw.py                  # 300 and 3,000 volunteers, three algorithms
    .venv/bin/python bench/draw.py --sizes 300 --algorithms maximin
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET = 120.0  # seconds for the 3,000-volunteer maximin commitment
KEY = b"bench-key-for-synthetic-volunteers-only"
SEATS = SPARE = 30


def synthetic():
    spec = importlib.util.spec_from_file_location(
        "synthetic_pool", ROOT / "scripts/synthetic_pool.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def case(size: int, algorithm: str, tickets: int) -> dict:
    """One draw, in this process; the library runs in its children."""
    from civicloop.loading import load
    from civicloop.pool import read_pool
    from civicloop.selection import PublishedDraw, commit, pick

    pools = synthetic()
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        (content / "committees/bench").mkdir(parents=True)
        (content / "committees/bench/index.md").write_text(
            "---\ntype: committee\ntitle: Bench\nkind: deliberative-committee\nquestion: Q?\n"
            "status: active\nmembers: [{role: citizen, selection: drawn-by-lot, count: 30}]\n"
            "languages: [en]\ntimezone: Europe/Brussels\n---\n"
        )
        meta = {
            "type": "draw",
            "title": "Bench",
            "date": "2026-12-01",
            "seats": SEATS,
            "substitutes": SPARE,
            "algorithm": algorithm,
            "tickets": tickets,
            "random": "bench",
            "pool": {"id": "ref", "household": ["street", "postcode"]},
            "criteria": [
                {
                    "name": name,
                    "column": name,
                    "categories": [{"value": v, "min": a, "max": b} for v, (a, b) in cats.items()],
                }
                for name, cats in pools.quotas(SEATS).items()
            ],
        }
        draw_file = content / "committees/bench/draw.md"
        draw_file.write_text("---\n" + yaml.safe_dump(meta) + "---\n")
        csv_file = Path(folder) / "pool.csv"
        pools.write(csv_file, pools.people(size, seed=size))
        catalog = load(content)
        assert not catalog.problems, catalog.problems
        published = PublishedDraw(
            catalog.docs["committees/bench/draw.md"].model, "bench", draw_file
        )
        pool = read_pool(csv_file, published.draw, KEY, "bench", content)
        times = Path(folder) / "times.jsonl"
        os.environ["CIVICLOOP_DRAW_TIMES"] = str(times)  # the draw process's CPU per phase
        started, cpu = time.perf_counter(), children_cpu()
        commitment = commit(published, pool)
        committed, committed_cpu = time.perf_counter() - started, children_cpu() - cpu
        started, cpu = time.perf_counter(), children_cpu()
        result = pick(published, pool, "3 14 15 92 65 / 35", date(2026, 12, 1))
        picked, picked_cpu = time.perf_counter() - started, children_cpu() - cpu
        phases = [json.loads(line) for line in times.read_text().splitlines()]
    chances = sorted(commitment["probabilities"].values())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "size": size,
        "algorithm": algorithm,
        "commit": committed,
        "commit_cpu": committed_cpu,
        "pick": picked,
        "pick_cpu": picked_cpu,
        "peak_mb": peak,
        "panels": len(commitment["panels"]),
        "lowest": chances[0],
        "median": statistics.median(chances),
        "highest": chances[-1],
        "substitutes": len(result["substitutes"]),
        "phases": phases,
    }


def spent(clock: dict) -> str:
    """'multiplicative_weights 12.5 (300 solves, 9.8 in HiGHS), ...' from a draw's Clock."""
    parts = []
    for phase, seconds in clock["cpu"].items():
        if seconds < 0.05:
            continue
        solves = clock["solves"].get(phase)
        plural = "s" if solves and solves[0] != 1 else ""
        inside = f" ({solves[0]:,} solve{plural}, {solves[1]:.1f} in HiGHS)" if solves else ""
        parts.append(f"{phase} {seconds:.1f}{inside}")
    return ", ".join(parts)


def import_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sortition_algorithms.core"], check=True)
    return time.perf_counter() - started


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    args.add_argument("--algorithms", nargs="+", default=["maximin", "nash", "legacy"])
    args.add_argument("--tickets", type=int, default=1000)
    args.add_argument("--case", nargs=2, help=argparse.SUPPRESS)  # size algorithm, in a child
    given = args.parse_args()
    if given.case:
        print(json.dumps(case(int(given.case[0]), given.case[1], given.tickets)))
        return 0
    print(f"importing sortition_algorithms: {import_seconds():.1f} s (paid by each draw process)")
    print("| volunteers | algorithm | commit: wall (CPU) s | pick: wall (CPU) s | peak MB | panels "
          "| lowest | median | highest |")  # fmt: skip
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    failed = False
    phases = ["", "CPU seconds of the draw processes per phase (the library's progress reports), "
              "HiGHS solves in each:",
              "", "| volunteers | algorithm | step | phases |", "|---|---|---|---|"]  # fmt: skip
    for size in given.sizes:
        for algorithm in given.algorithms:
            done = subprocess.run(
                [sys.executable, __file__, "--case", str(size), algorithm,
                 "--tickets", str(given.tickets)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                print(f"| {size} | {algorithm} | failed: {done.stderr.strip().splitlines()[-1]} |")
                failed = True
                continue
            r = json.loads(done.stdout)
            print(
                f"| {size:,} | {algorithm} | {r['commit']:.1f} ({r['commit_cpu']:.1f}) | "
                f"{r['pick']:.1f} ({r['pick_cpu']:.1f}) | "
                f"{r['peak_mb']:.0f} | {r['panels']} | {r['lowest']:.1%} | {r['median']:.1%} | "
                f"{r['highest']:.1%} |",
                flush=True,
            )
            for step, clock in zip(("commit", "pick"), r["phases"], strict=False):
                phases.append(f"| {size:,} | {algorithm} | {step} | {spent(clock)} |")
            if size == 3000 and algorithm == "maximin":
                verdict = "PASS" if r["commit"] < TARGET else "FAIL"
                print(
                    f"target: commit under {TARGET:.0f} s -> {verdict} ({r['commit']:.1f} s wall, "
                    f"{r['commit_cpu']:.1f} s CPU; load average {os.getloadavg()[0]:.1f})"
                )
    print("\n".join(phases))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
