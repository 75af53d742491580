"""sortition-algorithms run in a process of its own, with everything that decides its output pinned.

A process of its own because the library seeds Python's global `random`, and because maximin's
panels depend on the order frozensets iterate in, which `PYTHONHASHSEED` decides: measured, the
library's seed alone gives other panels in another process. The child reads pseudonyms and
categories (never names or addresses) as JSON on stdin and answers JSON on stdout; the library
(about 0.5 GB, the `draw` extra) is imported there only.

There too, `_tune` mends how the library drives highspy (each MIP solved twice, the whole
solution copied for each variable read, sums of n terms built in n**2 steps): the same panels,
in about half the time (bench/README.md). HiGHS's own settings (`HIGHS`) do change which optimal
panels it finds, so a commitment records them and its verification uses the ones recorded.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata

HASHSEED = "0"  # PYTHONHASHSEED of every draw process: recorded in the commitment
SOLVER = "highspy"  # HiGHS: open source (MIT), no licence to hold
PACKAGES = ("sortition-algorithms", "highspy", "cvxpy", "numpy", "scipy")
HOUSEHOLD = "household"  # the column, in the child, of the keyed hash of a person's address
# HiGHS settings of new draws, "name=value,...". Measured on the library's MIPs of 3,000 volunteers
# (solved at the root in a few simplex iterations): presolve and the feasibility-jump heuristic
# took two thirds of each solve, and a second thread only added overhead on a busy 2-core machine.
HIGHS = "presolve=off,mip_heuristic_run_feasibility_jump=false,threads=1"


class LotteryError(Exception):
    """The library refused or failed; the message is its explanation (aggregates, no person)."""


@dataclass(frozen=True)
class LotteryRequest:
    """One run: `tickets` panels of `seats` people (a uniform lottery over them), or one panel."""

    algorithm: str
    seats: int
    quotas: dict[str, dict[str, tuple[int, int]]]  # criterion -> category -> (min, max)
    people: list[dict[str, str]]  # "id", one key per criterion, and HOUSEHOLD if checked
    seed: int
    tickets: int = 1
    households: bool = False
    seated: list[dict[str, str]] = field(default_factory=list)  # already selected (their homes)
    highs: str = ""  # HiGHS settings, as HIGHS; "" is HiGHS's defaults (the first commitments')


def run(request: LotteryRequest) -> tuple[list[list[str]], dict[str, str]]:
    """The panels (each a sorted list of ids) and the versions that made them."""
    env = {**os.environ, "PYTHONHASHSEED": HASHSEED}
    done = subprocess.run(
        [sys.executable, "-m", "civicloop.lottery"],
        input=json.dumps(asdict(request)),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0 or not done.stdout:
        lines = done.stderr.strip().splitlines()
        raise LotteryError(lines[-1] if lines else f"the draw process exited {done.returncode}")
    answer = json.loads(done.stdout)
    if "error" in answer:
        raise LotteryError(answer["error"])
    return answer["panels"], answer["versions"]


def versions() -> dict[str, str]:
    found = {name: metadata.version(name) for name in PACKAGES}
    return {"python": platform.python_version(), **found, "PYTHONHASHSEED": HASHSEED}


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def options(text: str) -> dict[str, str | bool | int]:
    """HIGHS's form as HiGHS's typed options: 'threads=1,presolve=off' -> {'threads': 1, ...}."""
    found: dict[str, str | bool | int] = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        found[name] = {"true": True, "false": False}.get(
            value, int(value) if value.isdigit() else value
        )
    return found


class Clock:
    """CPU seconds per phase of the library (its progress reports), and the HiGHS solves in each
    (how many, CPU seconds inside them), for `bench/draw.py`: written to the file
    CIVICLOOP_DRAW_TIMES names, if set."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.solves: dict[str, list[float]] = {}
        self.phase, self.started = "import", time.process_time()

    def start_phase(self, name: str, total: int | None = None, *, message: str | None = None):
        self.end_phase()
        self.phase = name

    def update(self, current: int, *, message: str | None = None) -> None:
        pass

    def end_phase(self) -> None:
        now = time.process_time()
        self.seconds[self.phase] = self.seconds.get(self.phase, 0.0) + now - self.started
        self.phase, self.started = "other", now

    def solved(self, seconds: float) -> None:
        count = self.solves.setdefault(self.phase, [0, 0.0])
        count[0] += 1
        count[1] += seconds

    def write(self) -> None:
        self.end_phase()
        if os.environ.get("CIVICLOOP_DRAW_TIMES"):
            with open(os.environ["CIVICLOOP_DRAW_TIMES"], "a", encoding="utf-8") as out:
                out.write(json.dumps({"cpu": self.seconds, "solves": self.solves}) + "\n")


def _tune(highs: str, clock: Clock) -> None:
    """Mend the library's HiGHS wrapper (sortition-algorithms 0.12.15, highspy 1.16), without
    changing a result: `tests/test_draw.py` compares the panels with the library's own. Its
    `set_objective` calls highspy's `maximize`, which solves, before `optimize` solves again;
    `get_value` copies the whole solution for each variable; `solver_sum` is `sum()`, which
    copies the growing expression at each term. Then HiGHS takes the settings `highs` names."""
    import highspy
    from sortition_algorithms.committee_generation import common, maximin, nash, solver

    wrapper = solver.HighsSolver
    start, optimize_once = wrapper.__init__, wrapper.optimize
    settings = options(highs)

    def __init__(self, *args, **kwargs) -> None:
        start(self, *args, **kwargs)
        self._values = None
        for name, value in settings.items():
            if self._h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
                raise LotteryError(f"HiGHS has no setting {name}={value}")

    def set_objective(self, expr, sense) -> None:
        self._objective_sense = sense
        maximize = sense == solver.SolverSense.MAXIMIZE
        self._h.setObjective(
            expr, highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )

    def optimize(self) -> solver.SolverStatus:
        self._values = None
        started = time.process_time()
        status = optimize_once(self)
        clock.solved(time.process_time() - started)
        return status

    def get_value(self, var) -> float:
        if self._values is None:
            self._values = self._h.getSolution().col_value
        return float(self._values[int(var)])

    def solver_sum(terms):
        """`sum(terms)` (the same expression, term by term) in linear time."""
        terms = iter(terms)
        total = 0
        for term in terms:
            total = total + term  # a new expression, never one of the terms
            break
        for term in terms:
            total += term
        return total

    wrapper.__init__, wrapper.set_objective = __init__, set_objective
    wrapper.optimize, wrapper.get_value = optimize, get_value
    for module in (solver, common, maximin, nash):
        module.solver_sum = solver_sum


def _draw(request: LotteryRequest, clock: Clock) -> list[list[str]]:
    from sortition_algorithms import CSVStringDataSource, SelectionData, Settings
    from sortition_algorithms.core import run_stratification

    clock.start_phase("load")

    for name in ("sortition_algorithms", "sortition_algorithms_user"):
        logging.getLogger(name).setLevel(logging.ERROR)  # its reports list people: not in logs
    features = [["feature", "value", "min", "max"]]
    for criterion, categories in request.quotas.items():
        features += [[criterion, value, str(lo), str(hi)] for value, (lo, hi) in categories.items()]
    columns = ["id", *request.quotas, *([HOUSEHOLD] if request.households else [])]
    people = [columns, *([p[c] for c in columns] for p in request.people)]
    seated = [["id", HOUSEHOLD], *([p["id"], p[HOUSEHOLD]] for p in request.seated)]
    source = CSVStringDataSource(
        _csv(features), _csv(people), _csv(seated) if request.households and request.seated else ""
    )
    data = SelectionData(source)
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=request.households,
        check_same_address_columns=[HOUSEHOLD] if request.households else [],
        selection_algorithm=request.algorithm,
        solver_backend=SOLVER,
        random_number_seed=request.seed,
    )
    quotas, _ = data.load_features(request.seats)
    pool, _ = data.load_people(settings, quotas)
    already = data.load_already_selected(settings)[0] if request.seated else None
    if request.algorithm == "legacy":  # no lottery of its own: one run per ticket, seeds in turn
        runs = [(request.seed + i, 1) for i in range(request.tickets)]
    else:
        runs = [(request.seed, request.tickets)]
    panels: list[list[str]] = []
    for seed, count in runs:
        settings.random_number_seed = seed
        ok, found, report = run_stratification(
            quotas,
            pool,
            request.seats,
            settings,
            number_selections=count,
            already_selected=already,
            progress_reporter=clock,
        )
        if not ok:
            error = report.last_error()
            raise LotteryError(str(error) if error else report.as_text(include_logged=False))
        panels += [sorted(panel) for panel in found]
    clock.write()
    return panels


def main() -> int:
    request = LotteryRequest(**json.load(sys.stdin))
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # HiGHS writes its log to stdout: keep stdout for the answer alone
    sys.stdout = sys.stderr
    with answer:
        try:
            clock = Clock()
            _tune(request.highs, clock)
            reply = {"panels": _draw(request, clock), "versions": versions()}
        except Exception as error:  # the library's errors explain quotas: keep their words
            if not isinstance(error, LotteryError) and not type(error).__module__.startswith(
                "sortition_algorithms"
            ):
                raise
            reply = {"error": str(error)}
        json.dump(reply, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
