"""Shared fixtures: small content trees written on disk, and the sample site built once."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T12:00:00+00:00"

COMMITTEE = """\
---
type: committee
title: Test committee
kind: deliberative-committee
question: How should we decide?
status: active
members:
  - role: citizen
    selection: drawn-by-lot
    count: 30
  - role: politician
    selection: elected
    count: 10
languages: [en]
timezone: Europe/Brussels
---
Free text about the committee.
"""

SESSION = """\
---
type: session
title: First session
number: 1
starts: 2026-12-08T18:30:00+01:00
ends: 2026-12-08T21:00:00+01:00
status: scheduled
place: Town hall
agenda:
  - title: Welcome
    presenter: The facilitator
    duration: 15
  - title: Hearing of experts
    documents:
      - title: Briefing
        url: https://example.org/briefing.pdf
polls:
  - id: test-poll
    question: Which day suits you?
    kind: single
    options: [Monday, Tuesday]
    opens: 2026-12-01T09:00:00+01:00
    closes: 2026-12-20T20:00:00+01:00
---
What this session is for.
"""

CASE_STUDY = """\
---
type: case-study
title: A case
summary: What happened.
place: Gentofte
country: Denmark
years: 2015-
process: political-task-committee
tags: [sortition]
sources:
  - title: Source
    url: https://example.org/source
---
Body.
"""

WEBINAR = """\
---
type: webinar
title: A webinar
summary: What we discussed.
date: 2024-03-14T14:00:00+01:00
replay: https://www.youtube.com/watch?v=abcdefghijk
related: [a-case]
---
Body.
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A minimal valid content tree: one of each type."""
    return minimal_content(tmp_path / "content")


def minimal_content(root: Path) -> Path:
    write(root, "committees/test/index.md", COMMITTEE)
    write(root, "committees/test/sessions/01-first.md", SESSION)
    write(root, "case-studies/a-case.md", CASE_STUDY)
    write(root, "webinars/a-webinar.md", WEBINAR)
    write(root, "index.md", "---\ntype: listing\nlist: home\ntitle: Home\n---\nHello.\n")
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project(content: Path, folder: Path) -> Path:
    """A project folder: the repository's mkdocs.yml and site/, with `content` as content/."""
    folder.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    (folder / "site").symlink_to(ROOT / "site")
    if content.resolve() != (folder / "content").resolve():
        (folder / "content").symlink_to(content.resolve())
    return folder / "mkdocs.yml"


def build_site(
    content: Path,
    out: Path,
    runner: tuple[str, ...] = ("-m", "mkdocs"),
    site_url: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `content` with the project's mkdocs.yml, hooks and theme;
    `runner` is how Python starts MkDocs; `site_url`, the address it is built for (else
    CIVICLOOP_SITE_URL's, or mkdocs.yml's default)."""
    config = project(content, out.parent / f"{out.name}-project")
    env = {**os.environ, "CIVICLOOP_NOW": NOW, "NO_MKDOCS_2_WARNING": "1"}
    if site_url is not None:
        env["CIVICLOOP_SITE_URL"] = site_url
    return subprocess.run(
        [
            sys.executable,
            *runner,
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.parent,
    )


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from the repository's sample content, once for the whole run."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = build_site(ROOT / "content", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the minimal content, whose webinar has a replay (the sample content's real
    webinar has none published), built once for the whole run."""
    folder = tmp_path_factory.mktemp("minimal")
    result = build_site(minimal_content(folder / "content"), folder / "site")
    assert result.returncode == 0, result.stderr
    return folder / "site"


@pytest.fixture
def local_api():
    """`python -m bot.localapi` as its own process (token `botkit.TOKEN`): its URL."""
    from botkit import TOKEN

    process = subprocess.Popen(
        [sys.executable, "-m", "bot.localapi", "--port", "0", "--token", TOKEN],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = re.search(r"http://[\d.:]+", process.stdout.readline())[0]
    yield url
    process.kill()
    process.wait()
    process.stdout.close()


@pytest.fixture
async def make_harness(tmp_path: Path):
    """Start the real bot (in this event loop) against the local Bot API server (in a thread);
    keyword arguments override the bot's settings, `data=` those of the published data."""
    from botkit import Harness, publish_data

    from bot.localapi import ThreadedLocalBotApi
    from bot.settings import Settings

    api = ThreadedLocalBotApi().start()
    kits = []

    async def make(data: dict | None = None, publisher=None, **overrides) -> Harness:
        settings = Settings(
            token=api.token,
            api_url=api.url,
            data=str(publish_data(tmp_path, **(data or {}))),
            db=tmp_path / "bot.sqlite3",
            admins=frozenset({900}),
            secret=b"a-test-secret-of-at-least-32-bytes!",
            tick=0.1,
            refresh=0.2,
        )
        settings = replace(settings, **overrides)
        ctl = api.control()
        for user, lang in ((1, "en"), (2, "fr"), (3, "en"), (900, "en")):
            ctl.add_user(user, f"User{user}", language_code=lang)
        kit = Harness(api, ctl, settings, publisher)
        await kit.start()
        kits.append(kit)
        return kit

    yield make
    for kit in kits:
        await kit.stop()
    api.stop()


@pytest.fixture
async def harness(make_harness):
    return await make_harness()


@pytest.fixture(autouse=True)
def _no_bot_left_running():
    """A test that fails half way leaves no `python -m bot` behind to trouble the next ones."""
    yield
    from botkit import end_bots

    end_bots()
