"""Benchmark: how much civicloop's hooks add to a Material for MkDocs build, and how it scales.

Why: editors publish by git commit, so every change waits for a full site build. The targets are
that our hooks (validation, pages rendered from front matter, calendars, feed, open data) add at
most 10% to what plain Material for MkDocs needs for the same Markdown, and that 4x the content
takes at most 4.4x the time (near-linear growth), so a city's archive can grow for years.

What it does, per scale (1x, then `--scale`x):

1. writes synthetic content shaped like the real files in `content/` (committees, sessions with
   3-5 agenda items, polls with unique ids and a ~200-word body, case studies, webinars, listing
   pages and some French translations) into a temporary folder;
2. writes, untimed, a "rendered" copy of it: each page civicloop renders holds the Markdown our
   hooks make of it, in each language (front matter cut to the keys Material reads), and every
   calendar, feed and data file lies beside the pages as a static file;
3. builds three variants with `python -m mkdocs build` in a subprocess, alternating:
   "plain" = the project's mkdocs.yml without civicloop's hook `site/hooks.py` (same theme,
   plugins, i18n, Markdown extensions, and the i18n search fix `site/i18n_search.py`) on the
   source files; "rendered" = the same on the rendered copy; "ours" = the project's mkdocs.yml
   as it is, on the source files. The source
   files lack the text the hooks generate, so "plain" is only a floor; "rendered" is what plain
   Material needs for the same Markdown, and the overhead target is judged against it;
4. repeats each build `--repeat` times and reports the best and median wall time, the CPU time
   and the peak memory (max RSS of the build process, from `os.wait4`). CPU time is shown
   because a shared machine makes wall times noisy; the targets are judged on wall time.

It is not a test: it prints figures and PASS/FAIL against the targets, and exits 0 whether or not
the targets are met (1 if a build fails). Figures are recorded in bench/README.md.

    .venv/bin/python bench/site_build.py          # 50 x 40 and 200 x 40: ~15 min on 2 cores
    .venv/bin/python bench/site_build.py --only 1x --repeat 1    # quick look: ~2 min
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

ROOT = Path(__file__).resolve().parent.parent
# The same pinned "now" as the tests, so upcoming/past splits are reproducible.
NOW = "2026-11-27T12:00:00+00:00"
OVERHEAD_TARGET = 0.10  # ours / rendered - 1
GROWTH_TARGET = 1.1  # time(kx) / time(1x) <= 1.1 * k, i.e. 4.4 at 4x

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


# --------------------------------------------------------------------------- the rendered copy


def rendered_copy(content: Path, target: Path, root: Path = ROOT) -> None:
    """Write the "rendered" copy of `content` in a child process: like the builds, it imports
    the `civicloop` of `root`, which may not be the one this interpreter has loaded."""
    path = [str(root), str(Path(__file__).parent), os.environ.get("PYTHONPATH")]
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "PYTHONPATH": os.pathsep.join(filter(None, path))}
    code = "import site_build, sys; site_build._render_copy(*map(site_build.Path, sys.argv[1:]))"
    command = [sys.executable, "-c", code, str(content), str(target), str(root)]
    if subprocess.run(command, env=env, cwd=target.parent).returncode:
        raise SystemExit("bench: could not write the rendered copy of the content")


def _render_copy(content: Path, target: Path, root: Path) -> None:
    """`content` copied to `target` as our hooks show it to MkDocs (see site/hooks.py).

    An untranslated page is built in every language from its original, which the hooks render
    in the build's language: here it gets a file per language, so that plain Material sees the
    same Markdown in each (and its French search entries are not dropped as duplicates).
    """
    from mkdocs.utils.yaml import yaml_load

    from civicloop import LANGUAGES
    from civicloop.artefacts import artefacts
    from civicloop.catalog import TRANSLATION
    from civicloop.generate import front_matter
    from civicloop.pages import render
    from civicloop.sitecontext import SiteContext

    with (root / "mkdocs.yml").open(encoding="utf-8") as file:
        config = yaml_load(file)
    site = SiteContext.open(content, config.get("site_url") or "/")
    if site.catalog.problems:
        raise SystemExit(f"bench: the content has problems: {site.catalog.problems[:3]}")
    shutil.copytree(content, target)
    for file in sorted(target.rglob("*.md")):
        src, langs = file.relative_to(target), [LANGUAGES[0]]
        if match := TRANSLATION.match(src.name):
            src, langs = src.with_name(match["stem"] + ".md"), [match["lang"]]
        else:
            langs += [lang for lang in LANGUAGES[1:] if not _translated(file, lang).exists()]
        doc = site.catalog.docs.get(src.as_posix())
        if doc is None or doc.kind is None:
            continue
        # The body as the catalog read it (what the hooks render around), and the front matter
        # that site/hooks.py's on_page_read_source leaves for MkDocs.
        own = doc.translations.get(langs[0], doc)
        front = front_matter(doc, own)
        for lang in langs:
            out = file if lang == langs[0] else _translated(file, lang)
            out.write_text(front + render(site, doc, lang, own.body), encoding="utf-8")
    for name, data in artefacts(site, config["site_name"]).items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)


def _translated(file: Path, lang: str) -> Path:
    return file.with_name(f"{file.stem}.{lang}.md")


# --------------------------------------------------------------------------- building

# An "ours" build at the larger scale is stopped once it is certainly past both targets AND
# slower than EARLY_STOP_RENDERED x the rendered build: a quadratic hook can take hours there,
# and its exact figure tells nothing more than "more than +200%". The margin keeps the reported
# lower bound clearly beyond the limit.
EARLY_STOP_MARGIN = 1.02
EARLY_STOP_RENDERED = 3.0


@dataclass
class Run:
    seconds: float  # wall time: what an editor waits for, and what the targets are about
    cpu_seconds: float  # user + system time of the build: far less sensitive to a busy machine
    max_rss_mb: float
    finished: bool = True  # False: stopped after `seconds`, so the real time is longer


@dataclass
class Variant:
    """The timings of one kind of build ("plain", "rendered" or "ours") at one scale."""

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


def project(workdir: Path, content: Path, name: str, root: Path = ROOT) -> Path:
    """A project folder like tests/conftest.py's build_site(): mkdocs.yml + site/ + content/.

    Only "ours" keeps civicloop's hook, `site/hooks.py`; every variant keeps the library fix in
    `site/i18n_search.py`, which is not civicloop's work."""
    folder = workdir / name
    folder.mkdir()
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    if name != "ours":
        # The file uses `!ENV`, so edit the text rather than round-trip it through a YAML parser.
        config, removed = re.subn(r"(?m)^[ \t]+- site/hooks\.py\n", "", config)
        if removed != 1 or "site/hooks.py" in config:
            raise SystemExit("bench: could not remove site/hooks.py from mkdocs.yml")
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    (folder / "site").symlink_to(root / "site")
    (folder / "content").symlink_to(content.resolve())
    return folder / "mkdocs.yml"


def build(
    config: Path,
    out: Path,
    root: Path = ROOT,
    deadline: float | None = None,
    profile: Path | None = None,
) -> Run:
    """One `mkdocs build` in a child process: wall time and the child's own peak RSS.

    `os.wait4` gives the rusage of exactly this child (RUSAGE_CHILDREN would be the maximum over
    every child so far), so no external `time` tool is needed. After `deadline` seconds the
    build's process group (which this function started) is killed and the run marked unfinished.
    `root` goes first on PYTHONPATH, so the hooks import that checkout's `civicloop`.
    """
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": path}
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
        shutil.rmtree(out, ignore_errors=True)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, finished)  # ru_maxrss: KiB on Linux


@dataclass
class Scale:
    label: str
    factor: int
    committees: int
    sessions: int
    pages: int = 0
    results: dict[str, Variant] = field(default_factory=dict)


def measure(
    scale: Scale,
    workdir: Path,
    content: Path,
    rendered: Path,
    repeat: int,
    base: Scale | None,
    timeout: float | None,
    root: Path = ROOT,
) -> dict[str, Variant]:
    """Alternate plain, rendered and ours builds `repeat` times, so drifts in machine load hit
    all three.

    `rendered` is the rendered copy of `content`. `base` is the 1x scale already measured: with
    it, an "ours" build may stop early (see EARLY_STOP_RENDERED). `timeout` caps every build.
    """
    sources = {"plain": content, "rendered": rendered, "ours": content}
    configs = {name: project(workdir, src, name, root) for name, src in sources.items()}
    results = {name: Variant() for name in configs}
    for n in range(repeat):
        for name, config in configs.items():
            if results[name].runs and not results[name].exact:
                continue  # stopped once already; another try would only be stopped again
            limits = [timeout] if timeout else []
            same = results["rendered"]  # built just before, in this repeat
            if name == "ours" and base and base.results["ours"].exact and same.exact:
                growth_limit = GROWTH_TARGET * scale.factor / base.factor
                past_targets = EARLY_STOP_MARGIN * max(
                    growth_limit * base.results["ours"].best,
                    (1 + OVERHEAD_TARGET) * same.best,
                )
                limits.append(max(past_targets, EARLY_STOP_RENDERED * same.best))
            out = workdir / f"out-{name}-{n}"
            run = build(config, out, root, deadline=min(limits) if limits else None)
            if run.finished:
                if n == 0:
                    _sanity(name, out)
                shutil.rmtree(out)
            results[name].runs.append(run)
            state = "" if run.finished else f"  STOPPED (limit {min(limits):.0f} s)"
            print(
                f"  {scale.label} {name:8} run {n + 1}/{repeat}: {run.seconds:7.1f} s "
                f"(cpu {run.cpu_seconds:7.1f} s), {run.max_rss_mb:6.0f} MB{state}",
                flush=True,
            )
    return results


def _sanity(name: str, out: Path) -> None:
    """Guard against measuring the wrong thing: "ours" makes calendars and open data, and
    "rendered" copies them; "plain" has none."""
    generated = (out / "calendar.ics").is_file() and (out / "data/v1/sessions.json").is_file()
    if generated != (name != "plain"):
        raise SystemExit(f"bench: the {name} build {'lacks' if generated else 'has'} artefacts")


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
    print("overhead: ours vs rendered (the target); vs plain: ours vs the source files (info)")
    rows = []
    for s in scales:
        plain, rendered, ours = (s.results[name] for name in ("plain", "rendered", "ours"))
        sign = "" if ours.exact else ">"
        rows.append(
            (
                s.label,
                f"{s.committees} x {s.sessions}",
                s.pages,
                plain.text(),
                rendered.text(),
                ours.text(),
                f"{sign}{ours.best / rendered.best - 1:+.0%}",
                f"{sign}{ours.best / plain.best - 1:+.0%}",
            )
        )
    _table(
        ["scale", "committees x sessions", "pages", "plain s", "rendered s", "ours s"]
        + ["overhead", "vs plain"],
        rows,
    )
    print()
    print("cpu seconds (user + system, best) and peak memory (max RSS of the build process)")
    rows = []
    for s in scales:
        plain, rendered, ours = (s.results[name] for name in ("plain", "rendered", "ours"))
        sign = "" if ours.exact else ">"
        rows.append(
            (
                s.label,
                f"{plain.best_cpu:.1f}",
                f"{rendered.best_cpu:.1f}",
                f"{sign}{ours.best_cpu:.1f}",
                f"{sign}{ours.best_cpu / rendered.best_cpu - 1:+.0%}",
                f"{plain.peak_mb:.0f}",
                f"{rendered.peak_mb:.0f}",
                f"{sign}{ours.peak_mb:.0f}",
            )
        )
    _table(
        ["scale", "plain cpu s", "rendered cpu s", "ours cpu s", "overhead"]
        + ["plain MB", "rendered MB", "ours MB"],
        rows,
    )
    print()
    verdicts = []
    for s in scales:
        plain, rendered, ours = (s.results[name] for name in ("plain", "rendered", "ours"))
        overhead = ours.best / rendered.best - 1
        verdict = _verdict(overhead, OVERHEAD_TARGET, ours.exact and rendered.exact)
        verdicts.append(verdict)
        bound = "" if ours.exact else "at least "
        print(
            f"{verdict}  hooks overhead vs plain Material on the same (rendered) Markdown at "
            f"{s.label}: {bound}{overhead:+.1%} (target <= +{OVERHEAD_TARGET:.0%})"
        )
        print(
            f"info  hooks overhead vs plain Material on the source files at {s.label}: "
            f"{bound}{ours.best / plain.best - 1:+.1%}"
        )
    if len(scales) == 2:
        small, large = scales
        limit = GROWTH_TARGET * large.factor / small.factor
        for name in ("plain", "rendered", "ours"):
            a, b = small.results[name], large.results[name]
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
        help="keep generated content, and its rendered copy, in DIR",
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
        help="never stop the larger 'ours' build early (it may take hours if a hook is quadratic)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="instead of timing, run one 'ours' build of the first scale under cProfile",
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
    with tempfile.TemporaryDirectory(prefix="civicloop-bench-") as tmp:
        for n, s in enumerate(scales):
            workdir = Path(tmp) / s.label
            workdir.mkdir()
            keep = args.keep.resolve() / s.label / "content" if args.keep else None
            content = keep or workdir / "content"
            if content.exists():
                shutil.rmtree(content)
            started = time.perf_counter()
            s.pages = generate(content, s.committees, s.sessions)
            print(
                f"{s.label}: {s.committees} committees x {s.sessions} sessions, {s.pages} pages "
                f"written in {time.perf_counter() - started:.1f} s to {content}",
                flush=True,
            )
            if args.profile:
                config = project(workdir, content, "ours", root)
                run = build(config, workdir / "out-profile", root, profile=args.profile.resolve())
                print(f"profiled build: {run.seconds:.1f} s -> {args.profile}")
                return 0
            rendered = content.with_name("content-rendered")
            if rendered.exists():
                shutil.rmtree(rendered)
            started = time.perf_counter()
            rendered_copy(content, rendered, root)
            print(
                f"{s.label}: rendered copy written in {time.perf_counter() - started:.1f} s "
                f"to {rendered}",
                flush=True,
            )
            base = scales[0] if n > 0 and not args.no_early_stop else None
            s.results = measure(
                s, workdir, content, rendered, args.repeat, base, args.timeout, root
            )
    report(scales, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
