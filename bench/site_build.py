"""Benchmark: how much civicloop adds to a Material for MkDocs build, and how it scales.

Why: editors publish by git commit, so every change waits for a full site build. The targets are
that civicloop's share of a build (generating the site source, and whatever its MkDocs plugin
adds) is at most 10% over plain Material building the same generated Markdown, in wall time and
in CPU time, and that 4x the content takes at most 4.4x the time (near-linear growth), so a
city's archive can grow for years.

What it does, per scale (1x, then `--scale`x):

1. writes synthetic content shaped like the real files in `content/` (committees, sessions with
   3-5 agenda items, polls with unique ids and a ~200-word body, case studies, webinars, listing
   pages and some French translations) into a temporary folder;
2. writes, untimed, the site source with `civicloop generate` (one folder per language: every
   page's Markdown, calendars, feed, open data), the tree the plugin writes in a build;
3. builds three variants with `python -m mkdocs build` in a subprocess, alternating:
   "rendered" = plain Material on that tree (the project's mkdocs.yml without the civicloop
   plugin: same theme, plugins, i18n in folder mode, Markdown extensions, and the i18n search
   fix `site/i18n_search.py`), the baseline; "ours" = the project's mkdocs.yml as it is, the
   plugin generating the tree first, cold (the tree removed before), writing each page's
   sitemap into the site itself after each language's build and handing MkDocs the calendars,
   feeds and data from beside the tree (rendered copies the same bytes from the tree);
   "ours warm" = the same again on the tree left in place (the preview's case: no file to
   write), for information;
4. repeats each build `--repeat` times and reports the best and median wall time, the CPU time
   (user + system of the build and the processes it waited for: the plugin's second process
   too) and the peak memory (max RSS of the build process, from `os.wait4`).

It is not a test: it prints figures and PASS/FAIL against the targets, and exits 0 whether or not
the targets are met (1 if a build fails). Figures are recorded in bench/README.md.

    .venv/bin/python bench/site_build.py          # 50 x 40 and 200 x 40: ~20 min on 2 cores
    .venv/bin/python bench/site_build.py --only 1x --repeat 1    # quick look: ~3 min
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The same pinned "now" as the tests, so upcoming/past splits are reproducible.
NOW = "2026-11-27T12:00:00+00:00"
OVERHEAD_TARGET = 0.10  # ours / rendered - 1
GROWTH_TARGET = 1.1  # time(kx) / time(1x) <= 1.1 * k, i.e. 4.4 at 4x
DISCARDED: list[Path] = []  # folders moved aside by `discard`, deleted once all is measured


def discard(folder: Path) -> None:
    """Move `folder` aside, to be deleted after the last build (`delete_discarded`).

    Deleting it now would slow whichever build comes next: on an ext4 without a journal (this
    machine's), the kernel does not reuse an inode deleted in the last minutes, and creating a
    file then scans past each of them (`recently_deleted`, `find_inode_bit`: 40% of the
    samples of a cold "ours" build in `perf` when its tree had just been deleted). A build on
    a fresh checkout, as in CI, creates its files on a file system at rest."""
    if folder.exists():
        # this run's own name: a killed run's leftovers (`--keep`) never stand in the way
        aside = folder.with_name(f".{folder.name}.discarded-{os.getpid()}-{len(DISCARDED)}")
        folder.rename(aside)
        DISCARDED.append(aside)


def delete_discarded() -> None:
    while DISCARDED:
        shutil.rmtree(DISCARDED.pop(), ignore_errors=True)


# --------------------------------------------------------------------------- synthetic content

TOPICS = [
    ("safer-streets", "Safer streets to school", "make our streets safer for children"),
    ("green-squares", "Greener squares", "bring trees and shade to our squares"),
    ("housing", "Affordable housing", "keep housing affordable for young families"),
    ("libraries", "Libraries of the future", "shape what our libraries offer"),
    ("night-buses", "Night buses", "get home safely after midnight without a car"),
    ("climate-plan", "Local climate plan", "halve the town's emissions by 2035"),
    ("youth-council", "A voice for the young", "give young people a say in decisions"),
    ("market-hall", "The old market hall", "give the old market hall a new life"),
    ("elder-care", "Ageing at home", "help older residents live at home longer"),
    ("river-banks", "Open river banks", "open the river banks to walkers and cyclists"),
]
KINDS = ["political-task-committee", "deliberative-committee", "citizens-assembly", "other"]
ZONES = ["Europe/Brussels", "Europe/Copenhagen", "Europe/Paris", "Europe/Berlin"]
AGENDA = [
    "Welcome and ground rules",
    "Hearing of experts",
    "Testimonies of residents",
    "Questions to the council's services",
    "Discussion in small groups",
    "Reporting back from the groups",
    "Site visit debrief",
    "First draft of proposals",
    "Weighing the options",
    "Vote on recommendations",
    "What happens next",
]
PRESENTERS = ["The facilitator", "Committee chair", "Town planner", "A resident", None]
SENTENCES = [
    "The committee met in the council room and online, with interpretation for those who asked.",
    "Members read the briefing notes before the session and came with their own questions.",
    "Residents who are not members may follow the session and speak during the open hour.",
    "The facilitator reminded everyone that citizens and councillors have the same voice here.",
    "Experts from the council's services explained what the law allows and what it costs.",
    "Small groups of six worked on one question each and reported back to the whole room.",
    "Several members asked for figures on how the neighbourhood has changed in ten years.",
    "The minutes of the previous session were approved with two corrections.",
    "Parents described the daily trip to school and the places where they feel unsafe.",
    "A councillor explained how the budget is voted and when proposals must be ready.",
    "The group agreed to visit the site together before the next session.",
    "Answers to the polls will be shown to the committee before it drafts its proposal.",
    "Nothing decided here is final until the council votes on the committee's proposal.",
    "Members who could not attend can send written comments to the secretariat.",
    "The recording will be published on this page within a week of the session.",
    "Translation into French is provided for the documents and the summary of the session.",
    "The session ended with a round of what each member wants to study further.",
    "Shop owners were invited to give their view on deliveries and parking.",
    "The committee asked the services to cost three of the options discussed tonight.",
    "Young members proposed to run a short survey in the schools of the district.",
]
WORDS_PER_BODY = 200


def _q(text: str) -> str:
    """A YAML scalar that stays valid whatever the text holds (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _body(rng: random.Random, words: int, link: str | None = None) -> str:
    """~`words` words of prose, wrapped like the real files, with an optional relative link."""
    out: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(SENTENCES)
        out.append(sentence)
        count += len(sentence.split())
    if link:
        out.insert(len(out) // 2, f"See also [{link[0]}]({link[1]}).")
    paragraphs = [" ".join(out[i : i + 5]) for i in range(0, len(out), 5)]
    return "\n\n".join(textwrap.fill(p, 92) for p in paragraphs) + "\n"


def _write(path: Path, front: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front.strip()}\n---\n\n{body}", encoding="utf-8")


def _committee(root: Path, rng: random.Random, i: int, studies: list[str]) -> tuple[str, str]:
    slug_part, title, aim = TOPICS[i % len(TOPICS)]
    slug = f"c{i:03d}-{slug_part}"
    zone = ZONES[i % len(ZONES)]
    front = f"""
type: committee
title: {_q(f"{title} ({i})")}
kind: {KINDS[i % len(KINDS)]}
question: >-
  How can we {aim}, with the means the council has and in the time the committee has?
status: {"concluded" if i % 7 == 6 else "active"}
members:
  - role: citizen
    selection: {"drawn-by-lot" if i % 2 else "appointed"}
    count: {10 + i % 25}
  - role: politician
    selection: elected
    count: {3 + i % 8}
  - role: facilitator
    selection: appointed
    name: Facilitator {i}
languages: [en, fr]
timezone: {zone}
place: Town hall {i}, council room
"""
    study = studies[i % len(studies)]
    link = ("the case study", f"../../case-studies/{study}.md")
    _write(root / f"committees/{slug}/index.md", front, _body(rng, 120, link))
    if i % 5 == 0:  # a fifth of the committees are translated, like the Walloon sample
        fr = f"""
type: committee
title: {_q(f"Comité {i} : {title.lower()}")}
question: >-
  Comment pouvons-nous agir, avec les moyens du conseil et dans le temps du comité ?
"""
        _write(root / f"committees/{slug}/index.fr.md", fr, _body(rng, 60))
    return slug, zone


def _session(
    root: Path, rng: random.Random, i: int, slug: str, zone: str, j: int, translate: bool
) -> None:
    tz = ZoneInfo(zone)
    # 137 is prime to 365: start days spread over the year alike at every scale, so the share of
    # past and upcoming sessions (which the pages list) is the same at 1x and 4x.
    first = datetime(2026, 2, 2, 18, 30, tzinfo=tz) + timedelta(days=(i * 137) % 365)
    starts = first + timedelta(weeks=j - 1)
    ends = starts + timedelta(hours=2, minutes=30)
    past = starts < datetime.fromisoformat(NOW)
    status = "held" if past else "scheduled"
    if j % 17 == 0:
        status = "postponed"
    elif j % 23 == 0:
        status = "cancelled"
    items = rng.sample(AGENDA, rng.randint(3, 5))
    agenda = []
    for k, title in enumerate(items):
        lines = [f"  - title: {_q(title)}"]
        presenter = rng.choice(PRESENTERS)
        if presenter:
            lines.append(f"    presenter: {_q(presenter)}")
        lines.append(f"    duration: {rng.choice([15, 20, 30, 40, 45, 60])}")
        if k == 1 and j % 2:
            lines += [
                "    documents:",
                f"      - title: {_q(f'Briefing for session {j}')}",
                f"        url: https://example.org/{slug}/briefing-{j}.pdf",
            ]
        agenda.append("\n".join(lines))
    polls = []
    for k in range((j % 3 == 0) + (j % 6 == 0)):
        opens = starts - timedelta(days=7)
        closes = starts + timedelta(days=14)
        kind = ["single", "multiple", "rating"][(i + j + k) % 3]
        lines = [
            f"  - id: c{i:03d}-s{j:02d}-p{k}",
            f"    question: {_q(f'Which option should session {j} study first? ({k + 1})')}",
            f"    kind: {kind}",
        ]
        if kind != "rating":
            options = rng.sample(["Option A", "Option B", "Option C", "Option D"], 3)
            lines.append("    options:")
            lines += [f"      - {o}" for o in options]
        lines += [f"    opens: {opens.isoformat()}", f"    closes: {closes.isoformat()}"]
        polls.append("\n".join(lines))
    title = f"{items[0]} ({j})"
    front = [
        "type: session",
        f"title: {_q(title)}",
        f"number: {j}",
        f"starts: {starts.isoformat()}",
        f"ends: {ends.isoformat()}",
        f"status: {status}",
        f"place: {_q(f'Town hall {i}, council room')}",
    ]
    if j % 2:
        front.append(f"online: https://meet.example.org/{slug}")
    front.append("agenda:\n" + "\n".join(agenda))
    if status == "held" and j % 3 == 0:
        front.append(f"replay: https://www.youtube.com/watch?v=s{i:03d}x{j:03d}abc")
    if status == "held" and j % 2 == 0:
        front.append("outcomes: >-\n  The committee agreed on the next steps and asked for costs.")
    if polls:
        front.append("polls:\n" + "\n".join(polls))
    link = ("the committee's page", "../index.md") if j % 4 == 0 else None
    name = f"{j:02d}-session-{j}"
    _write(
        root / f"committees/{slug}/sessions/{name}.md",
        "\n".join(front),
        _body(rng, WORDS_PER_BODY, link),
    )
    if translate:
        fr = f"type: session\ntitle: {_q(f'Séance {j}')}\nplace: {_q(f'Mairie {i}')}"
        _write(root / f"committees/{slug}/sessions/{name}.fr.md", fr, _body(rng, 80))


def _listing(root: Path, rel: str, kind: str, title: str, fr_title: str, text: str) -> None:
    _write(root / rel, f"type: listing\nlist: {kind}\ntitle: {_q(title)}", text + "\n")
    fr = root / rel.replace(".md", ".fr.md")
    _write(fr, f"type: listing\ntitle: {_q(fr_title)}", "Texte de la page en français.\n")


def generate(root: Path, committees: int, sessions: int, seed: int = 1) -> int:
    """Write a content folder with `committees` x `sessions`; return its pages per language."""
    rng = random.Random(seed)
    studies = [f"study-{n}" for n in range(5)]
    for n, slug in enumerate(studies):
        front = f"""
type: case-study
title: {_q(f"Hybrid process number {n}")}
summary: >-
  A permanent council of citizens drawn by lot chooses the topics, and assemblies deliberate
  on them; the parliament must answer their recommendations.
place: Region {n}
country: Belgium
years: "{2015 + n}-"
process: {KINDS[n % len(KINDS)]}
tags: [sortition, {["regional-parliament", "municipality", "permanent-body"][n % 3]}]
outcomes:
  - Assemblies worked on health care, housing and digital skills.
  - Reports on how recommendations are implemented are published.
sources:
  - title: Official website
    url: https://example.org/study-{n}
"""
        _write(root / f"case-studies/{slug}.md", front, _body(rng, 150))
    for n in range(3):
        front = f"""
type: webinar
title: {_q(f"Citizens and policy makers together, part {n + 1}")}
summary: >-
  How can we design processes that bring citizens and policy makers smartly together?
date: 2024-0{n + 3}-14T14:00:00+01:00
speakers:
  - name: Speaker {n}
    affiliation: A university
goals:
  - understand collective intelligence principles applied to governance
  - apply hybrid processes to your local context
replay: https://www.youtube.com/watch?v=webinar{n}abcd
related: [{studies[n]}, {studies[n + 1]}]
"""
        _write(root / f"webinars/webinar-{n}.md", front, _body(rng, 200))
    for i in range(committees):
        slug, zone = _committee(root, rng, i, studies)
        for j in range(1, sessions + 1):
            _session(root, rng, i, slug, zone, j, translate=i % 5 == 0)
    _listing(
        root,
        "index.md",
        "home",
        "Citizens and politicians, deciding together",
        "Accueil",
        "civicloop publishes the work of **hybrid committees**.",
    )
    _listing(
        root,
        "committees/index.md",
        "committees",
        "Committees",
        "Comités",
        "Each committee brings citizens and politicians together on one question.",
    )
    _listing(
        root,
        "case-studies/index.md",
        "case-studies",
        "Case studies",
        "Études de cas",
        "Hybrid processes that have been tried elsewhere, with their sources.",
    )
    _listing(
        root,
        "webinars/index.md",
        "webinars",
        "Webinars",
        "Webinaires",
        "Replays of webinars on hybrid processes.",
    )
    _listing(
        root,
        "calendar.md",
        "calendar",
        "Calendar",
        "Agenda",
        "Subscribe to a calendar (.ics) in your calendar app.",
    )
    _write(root / "privacy.md", "title: Privacy", "# Privacy\n\nThis site sets no cookie.\n")
    translation = re.compile(r"\.[a-z]{2}\.md$")
    return sum(1 for p in root.rglob("*.md") if not translation.search(p.name))


# --------------------------------------------------------------------------- the generated tree


def pythonpath(root: Path) -> str:
    """`root`'s civicloop and plugin package (site/) first, whatever this interpreter loaded."""
    path = [str(root), str(root / "site"), os.environ.get("PYTHONPATH")]
    return os.pathsep.join(filter(None, path))


def generate_tree(content: Path, tree: Path, root: Path = ROOT) -> None:
    """`civicloop generate` of `root` in a child process: the tree the plugin writes, written
    before timing, as the baseline's source."""
    site_url = _config(root).get("site_url") or "/"
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "PYTHONPATH": pythonpath(root)}
    command = [sys.executable, "-m", "civicloop.cli", "--content", str(content), "generate"]
    command += ["--out", str(tree), "--site-url", site_url]
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench: civicloop generate failed:\n{done.stdout}{done.stderr}")


def _config(root: Path) -> dict:
    """`root`'s mkdocs.yml as MkDocs reads it (`!ENV` resolved)."""
    from mkdocs.utils.yaml import yaml_load

    with (root / "mkdocs.yml").open(encoding="utf-8") as file:
        return yaml_load(file)


# --------------------------------------------------------------------------- building

# An "ours" build at the larger scale is stopped once it is certainly past both targets AND
# slower than EARLY_STOP_RENDERED x the rendered build: a quadratic step can take hours there,
# and its exact figure tells nothing more than "more than +200%". The margin keeps the reported
# lower bound clearly beyond the limit.
EARLY_STOP_MARGIN = 1.02
EARLY_STOP_RENDERED = 3.0
VARIANTS = ("rendered", "ours", "ours warm")


@dataclass
class Run:
    seconds: float  # wall time: what an editor waits for
    cpu_seconds: float  # user + system time of the build and the processes it waited for
    max_rss_mb: float
    finished: bool = True  # False: stopped after `seconds`, so the real time is longer


@dataclass
class Variant:
    """The timings of one kind of build ("rendered", "ours", "ours warm") at one scale."""

    runs: list[Run] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """False when no build finished: `best` is then only a lower bound."""
        return any(r.finished for r in self.runs)

    def _times(self, cpu: bool = False) -> list[float]:
        values = [(r.cpu_seconds if cpu else r.seconds, r.finished) for r in self.runs]
        finished = [v for v, done in values if done]
        return finished or [max(v for v, _ in values)]

    @property
    def best(self) -> float:
        return min(self._times())

    @property
    def median(self) -> float:
        return statistics.median(self._times())

    @property
    def best_cpu(self) -> float:
        return min(self._times(cpu=True))

    @property
    def peak_mb(self) -> float:
        return max(r.max_rss_mb for r in self.runs)

    def text(self) -> str:
        if not self.exact:
            return f"> {self.best:.0f}"
        return f"{self.best:.1f} ({self.median:.1f})"


def project(workdir: Path, content: Path, name: str, root: Path = ROOT, tree: Path | None = None):
    """A project folder like tests/conftest.py's build_site(): mkdocs.yml + site/ + content/.

    "ours" is the project's mkdocs.yml as it is: the civicloop plugin writes the tree into the
    folder's build/source and MkDocs builds it. "rendered" (given `tree`) is plain Material on
    the tree `civicloop generate` wrote: the same configuration without the civicloop plugin,
    mkdocs-static-i18n reading one folder per language. Both keep the library fix in
    `site/i18n_search.py`, which is not civicloop's work."""
    folder = workdir / name.replace(" ", "-")
    folder.mkdir()
    if tree is None:
        (folder / "mkdocs.yml").write_text(
            (root / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    else:
        config = _config(root)
        plugins = [p for p in config["plugins"] if _plugin(p) != "civicloop"]
        if len(plugins) != len(config["plugins"]) - 1:
            raise SystemExit("bench: mkdocs.yml has no civicloop plugin to leave out")
        for entry in plugins:
            if _plugin(entry) == "i18n":
                entry["i18n"]["docs_structure"] = "folder"
        config.update(plugins=plugins, docs_dir=str(tree))
        text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        (folder / "mkdocs.yml").write_text(text, encoding="utf-8")
    (folder / "site").symlink_to(root / "site")
    (folder / "content").symlink_to(content.resolve())
    return folder / "mkdocs.yml"


def _plugin(entry: str | dict) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def build(
    config: Path,
    out: Path,
    root: Path = ROOT,
    deadline: float | None = None,
    profile: Path | None = None,
) -> Run:
    """One `mkdocs build` in a child process: wall time, CPU time and the child's peak RSS.

    `os.wait4` gives the rusage of exactly this child and the processes it waited for (the
    plugin's second process included), so no external `time` tool is needed. After `deadline`
    seconds the build's process group (which this function started) is killed and the run
    marked unfinished. `root` goes first on PYTHONPATH, so the build imports that checkout's
    `civicloop` and plugin.
    """
    env = {
        **os.environ,
        "CIVICLOOP_NOW": NOW,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": pythonpath(root),
    }
    runner = ["-m", "cProfile", "-o", str(profile)] if profile else []
    command = [sys.executable, *runner, "-m", "mkdocs", "build", "-q", "-f", str(config)]
    command += ["-d", str(out)]
    log = out.parent / f"{out.name}.log"
    finished = True
    with log.open("wb") as output:
        start = time.perf_counter()
        child = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=config.parent,
            start_new_session=True,
        )
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            seconds = time.perf_counter() - start
            if pid:
                break
            if deadline is not None and seconds > deadline and finished:
                os.killpg(child.pid, signal.SIGKILL)
                finished = False
            time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    if finished and child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"bench: build failed ({child.returncode}): {' '.join(command)}\n{tail}")
    log.unlink()
    if not finished:
        discard(out)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, finished)  # ru_maxrss: KiB on Linux


@dataclass
class Scale:
    label: str
    factor: int
    committees: int
    sessions: int
    pages: int = 0
    generate_seconds: float = 0.0  # `civicloop generate` alone, untimed baseline step (info)
    results: dict[str, Variant] = field(default_factory=dict)


def measure(
    scale: Scale,
    workdir: Path,
    content: Path,
    tree: Path,
    repeat: int,
    base: Scale | None,
    timeout: float | None,
    root: Path = ROOT,
    no_warm: bool = False,
) -> dict[str, Variant]:
    """Alternate rendered, ours (cold) and ours warm builds `repeat` times, so drifts in
    machine load hit all three.

    `tree` is what `civicloop generate` wrote for `content`. "ours" builds after removing the
    tree its plugin writes (cold: a fresh checkout, CI); "ours warm" builds again on the tree
    that build left (the preview's case: nothing to write). `base` is the 1x scale already
    measured: with it, an "ours" build may stop early (see EARLY_STOP_RENDERED). `timeout` caps
    every build.
    """
    rendered = project(workdir, content, "rendered", root, tree)
    ours = project(workdir, content, "ours", root)
    configs = {"rendered": rendered, "ours": ours, "ours warm": ours}
    if no_warm:
        del configs["ours warm"]
    results = {name: Variant() for name in VARIANTS}
    for n in range(repeat):
        for name, config in configs.items():
            if results[name].runs and not results[name].exact:
                continue  # stopped once already; another try would only be stopped again
            if name == "ours":
                discard(config.parent / "build")
            elif name == "ours warm" and not results["ours"].runs[-1].finished:
                continue  # no tree left to be warm on
            limits = [timeout] if timeout else []
            same = results["rendered"]  # built just before, in this repeat
            if name == "ours" and base and base.results["ours"].exact and same.exact:
                growth_limit = GROWTH_TARGET * scale.factor / base.factor
                past_targets = EARLY_STOP_MARGIN * max(
                    growth_limit * base.results["ours"].best,
                    (1 + OVERHEAD_TARGET) * same.best,
                )
                limits.append(max(past_targets, EARLY_STOP_RENDERED * same.best))
            out = workdir / f"out-{name.replace(' ', '-')}-{n}"
            run = build(config, out, root, deadline=min(limits) if limits else None)
            if run.finished:
                if n == 0:
                    _sanity(name, out)
                discard(out)
            results[name].runs.append(run)
            state = "" if run.finished else f"  STOPPED (limit {min(limits):.0f} s)"
            print(
                f"  {scale.label} {name:9} run {n + 1}/{repeat}: {run.seconds:7.1f} s "
                f"(cpu {run.cpu_seconds:7.1f} s), {run.max_rss_mb:6.0f} MB{state}",
                flush=True,
            )
    return results


# One cold "ours" build whose CPU time is told apart: civicloop's (the plugin's imports, its
# hooks in the build's process, and every process the build waited for: the plugin's second
# one) and the rest's (MkDocs, Material, mkdocs-static-i18n), from one and the same build, so
# the machine's drift between two builds does not enter the ratio. MkDocs' own modules are
# imported first, so that the plugin's imports count only what civicloop adds.
SHARE = textwrap.dedent(
    """
    import json, resource, sys, time
    from functools import wraps
    import mkdocs.commands.build, mkdocs.config.defaults, mkdocs.plugins, mkdocs.structure.files
    cpu, wall = [0.0], [0.0]
    def timed(hook):
        @wraps(hook)  # keeps MkDocs' event priority
        def run(*args, **kwargs):
            c, w = time.process_time(), time.perf_counter()
            try:
                return hook(*args, **kwargs)
            finally:
                cpu[0] += time.process_time() - c
                wall[0] += time.perf_counter() - w
        return run
    start = time.perf_counter()
    timed(__import__)("civicloop_mkdocs.plugin")
    from civicloop_mkdocs.plugin import CivicloopPlugin
    for name in [n for n in vars(CivicloopPlugin) if n.startswith("on_")]:
        setattr(CivicloopPlugin, name, timed(getattr(CivicloopPlugin, name)))
    from mkdocs.config import load_config
    mkdocs.commands.build.build(load_config(sys.argv[1], site_dir=sys.argv[2]))
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = waited.ru_utime + waited.ru_stime
    print(json.dumps({
        "civicloop": cpu[0] + waited, "cpu": time.process_time() + waited,
        "civicloop_wall": wall[0], "wall": time.perf_counter() - start,
    }))
    """
)


def share(config: Path, out: Path, root: Path = ROOT) -> dict[str, float]:
    """One cold build of `config` (its tree moved aside first) under SHARE: civicloop's CPU
    and wall time in it, and the whole build's."""
    discard(config.parent / "build")
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "NO_MKDOCS_2_WARNING": "1"}
    env["PYTHONPATH"] = pythonpath(root)
    command = [sys.executable, "-c", SHARE, str(config), str(out)]
    done = subprocess.run(command, env=env, cwd=config.parent, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench: build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    _sanity("ours", out)
    discard(out)
    return json.loads(done.stdout.splitlines()[-1])


def report_shares(shares: dict[str, list[dict[str, float]]]) -> None:
    """Each scale's builds, then civicloop's share over the rest (median) and its growth."""
    rows, medians = [], {}
    for label, runs in shares.items():
        for n, r in enumerate(runs, 1):
            rest, rest_wall = r["cpu"] - r["civicloop"], r["wall"] - r["civicloop_wall"]
            rows.append(
                (
                    f"{label} #{n}",
                    f"{r['civicloop']:.1f} s",
                    f"{rest:.1f} s",
                    f"{r['civicloop'] / rest:+.1%}",
                    f"{r['civicloop_wall'] / rest_wall:+.1%}",
                )
            )
        medians[label] = {
            key: statistics.median(r[key] for r in runs)
            for key in ("civicloop", "cpu", "civicloop_wall", "wall")
        }
    _table(["build", "civicloop CPU", "the rest CPU", "share CPU", "share wall"], rows)
    for label, m in medians.items():
        share_cpu = m["civicloop"] / (m["cpu"] - m["civicloop"])
        verdict = _verdict(share_cpu, OVERHEAD_TARGET, True)
        print(f"{label}: civicloop's share, medians: CPU {share_cpu:+.1%} {verdict}")
    labels = list(medians)
    if len(labels) == 2:
        small, large = (medians[x] for x in labels)
        print(
            f"growth {labels[0]} -> {labels[1]}: civicloop's CPU "
            f"{large['civicloop'] / small['civicloop']:.2f}x, the whole build's "
            f"{large['cpu'] / small['cpu']:.2f}x"
        )


def _sanity(name: str, out: Path) -> None:
    """Guard against measuring the wrong thing: every variant has the calendars and open data
    and both languages' pages."""
    made = [out / "calendar.ics", out / "data/v1/sessions.json", out / "fr/index.html"]
    if not all(path.is_file() for path in made):
        raise SystemExit(f"bench: the {name} build lacks some of {[str(p) for p in made]}")


# --------------------------------------------------------------------------- report


def _verdict(value: float, limit: float, exact: bool) -> str:
    """PASS/FAIL; a lower bound can prove a FAIL but never a PASS."""
    if value > limit:
        return "FAIL"
    return "PASS" if exact else "n/a "


def _table(header: list[str], rows: list[tuple]) -> None:
    """Columns as wide as their header or widest cell; the first left-aligned, the rest right."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells) -> str:
        first, *rest = (str(c) for c in cells)
        right = [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        return " ".join([first.ljust(widths[0]), *right])

    print(line(header))
    print("-" * len(line(header)))
    for row in rows:
        print(line(row))


def report(scales: list[Scale], repeat: int) -> bool:
    """Print the tables and the verdicts; True when every target is met."""
    print()
    print(
        f"wall seconds: best of {repeat} (median); '> N': stopped after N s. "
        "pages: Markdown pages per language, each built in en + fr"
    )
    print("overhead: ours (cold) vs rendered, plain Material on the generated tree (the target)")
    rows = []
    for s in scales:
        rendered, ours, warm = (s.results[name] for name in VARIANTS)
        sign = "" if ours.exact else ">"
        rows.append(
            (
                s.label,
                f"{s.committees} x {s.sessions}",
                s.pages,
                f"{s.generate_seconds:.1f}",
                rendered.text(),
                ours.text(),
                warm.text() if warm.runs else "-",
                f"{sign}{ours.best / rendered.best - 1:+.0%}",
                f"{warm.best / rendered.best - 1:+.0%}" if warm.runs else "-",
            )
        )
    _table(
        ["scale", "committees x sessions", "pages", "generate s", "rendered s", "ours s"]
        + ["ours warm s", "overhead", "warm"],
        rows,
    )
    print()
    print("cpu seconds (user + system, best; ours: both processes) and peak memory (max RSS)")
    rows = []
    for s in scales:
        rendered, ours, warm = (s.results[name] for name in VARIANTS)
        sign = "" if ours.exact else ">"
        rows.append(
            (
                s.label,
                f"{rendered.best_cpu:.1f}",
                f"{sign}{ours.best_cpu:.1f}",
                f"{warm.best_cpu:.1f}" if warm.runs else "-",
                f"{sign}{ours.best_cpu / rendered.best_cpu - 1:+.0%}",
                f"{rendered.peak_mb:.0f}",
                f"{sign}{ours.peak_mb:.0f}",
            )
        )
    _table(
        ["scale", "rendered cpu s", "ours cpu s", "warm cpu s", "overhead"]
        + ["rendered MB", "ours MB"],
        rows,
    )
    print()
    verdicts = []
    for s in scales:
        rendered, ours = s.results["rendered"], s.results["ours"]
        exact = ours.exact and rendered.exact
        bound = "" if ours.exact else "at least "
        for what, value in (
            ("wall", ours.best / rendered.best - 1),
            ("cpu", ours.best_cpu / rendered.best_cpu - 1),
        ):
            verdict = _verdict(value, OVERHEAD_TARGET, exact)
            verdicts.append(verdict)
            print(
                f"{verdict}  civicloop's share ({what}) over plain Material on the generated "
                f"tree at {s.label}: {bound}{value:+.1%} (target <= +{OVERHEAD_TARGET:.0%})"
            )
    if len(scales) == 2:
        small, large = scales
        limit = GROWTH_TARGET * large.factor / small.factor
        for name in VARIANTS:
            a, b = small.results[name], large.results[name]
            if not (a.runs and b.runs):
                continue
            growth = b.best / a.best
            verdict = _verdict(growth, limit, b.exact) if a.exact else "n/a "
            bound = "" if b.exact else "at least "
            line = (
                f"growth {small.label} -> {large.label} ({large.pages / small.pages:.2f}x pages), "
                f"{name}: {bound}{growth:.2f}x, cpu {b.best_cpu / a.best_cpu:.2f}x "
                f"(target <= {limit:.1f}x)"
            )
            if name == "ours":
                verdicts.append(verdict)
                print(f"{verdict}  {line}")
            else:
                print(f"info  {line}")
    print()
    met = all(v == "PASS" for v in verdicts)
    print("all targets met" if met else "some targets NOT met")
    return met


def describe(root: Path) -> str:
    """Which code the figures belong to: the commit, and whether the measured files differ."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h %ci"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "civicloop", "site"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{root} (not a git checkout)"
    return f"{root} at {commit}" + (
        " with uncommitted changes in civicloop/ or site/" if dirty else ""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--committees", type=int, default=50, help="committees at 1x (50)")
    parser.add_argument("--sessions", type=int, default=40, help="sessions per committee (40)")
    parser.add_argument("--scale", type=int, default=4, help="the larger scale (4)")
    parser.add_argument(
        "--grow",
        choices=["committees", "sessions"],
        default="committees",
        help="what the larger scale multiplies (committees: 200 x 40; sessions: 50 x 160)",
    )
    parser.add_argument("--repeat", type=int, default=2, help="builds per variant (2)")
    parser.add_argument("--only", help="run one scale only: 1x or e.g. 4x")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the synthetic content, and the tree generated from it, in DIR",
    )
    parser.add_argument("--timeout", type=float, help="stop any build after this many seconds")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout to measure (its mkdocs.yml, site/ and civicloop/); default: this one. "
        "To pin a commit while others edit: git archive <commit> | tar -x -C DIR",
    )
    parser.add_argument(
        "--no-early-stop",
        action="store_true",
        help="never stop the larger 'ours' build early (it may take hours if a step is quadratic)",
    )
    parser.add_argument(
        "--no-warm", action="store_true", help="leave out 'ours warm' (information only)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="instead of timing, run one cold 'ours' build of the first scale under cProfile "
        "(the main process; the second process's share shows as the wait for it)",
    )
    parser.add_argument(
        "--share",
        action="store_true",
        help="instead of the three variants, --repeat cold 'ours' builds of each scale with "
        "civicloop's CPU time told apart from the rest's within each build",
    )
    args = parser.parse_args(argv)

    scales = [Scale("1x", 1, args.committees, args.sessions)]
    big = Scale(f"{args.scale}x", args.scale, args.committees, args.sessions)
    if args.grow == "committees":
        big.committees *= args.scale
    else:
        big.sessions *= args.scale
    scales.append(big)
    if args.only:
        scales = [s for s in scales if s.label == args.only]
        if not scales:
            parser.error(f"--only must be 1x or {args.scale}x")

    root = args.root.resolve()
    print(f"measuring {describe(root)}", flush=True)
    shares: dict[str, list[dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="civicloop-bench-") as tmp:
            for n, s in enumerate(scales):
                workdir = Path(tmp) / s.label
                workdir.mkdir()
                keep = args.keep.resolve() / s.label / "content" if args.keep else None
                content = keep or workdir / "content"
                discard(content)
                started = time.perf_counter()
                s.pages = generate(content, s.committees, s.sessions)
                print(
                    f"{s.label}: {s.committees} committees x {s.sessions} sessions, "
                    f"{s.pages} pages written in {time.perf_counter() - started:.1f} s "
                    f"to {content}",
                    flush=True,
                )
                if args.profile:
                    config = project(workdir, content, "ours", root)
                    run = build(
                        config, workdir / "out-profile", root, profile=args.profile.resolve()
                    )
                    print(f"profiled build: {run.seconds:.1f} s -> {args.profile}")
                    return 0
                if args.share:
                    config = project(workdir, content, "ours", root)
                    outs = (workdir / f"out-share-{n}" for n in range(args.repeat))
                    shares[s.label] = [share(config, out, root) for out in outs]
                    continue
                tree = content.with_name("tree")
                discard(tree)
                started = time.perf_counter()
                generate_tree(content, tree, root)
                s.generate_seconds = time.perf_counter() - started
                print(
                    f"{s.label}: civicloop generate wrote the tree in {s.generate_seconds:.1f} s "
                    f"to {tree}",
                    flush=True,
                )
                base = scales[0] if n > 0 and not args.no_early_stop else None
                s.results = measure(
                    s, workdir, content, tree, args.repeat, base, args.timeout, root, args.no_warm
                )
    finally:
        delete_discarded()  # after every build: none of them pays for it
    if args.share:
        report_shares(shares)
    else:
        report(scales, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
