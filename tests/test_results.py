"""Poll results: the file, suppression, citizen text kept inert all the way to the built page,
the answers from the bot's store to the CLI through both front doors (`python -m bot answers`,
`civicloop results --answers`), and the git publisher on real repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, SESSION, build_site, write
from githubapi import FakeGitHub

from civicloop.cli import main
from civicloop.loading import load
from civicloop.publisher.base import Change, PublishError
from civicloop.publisher.gitrepo import GitPublisher
from civicloop.results import Answer, PollInfo, change_for, render, results_of

POLL = PollInfo(
    "test-poll",
    "test",
    "test/01-first",
    "Which day suits you?",
    "single",
    ["Monday", "Tuesday"],
    comments=True,
)
OPENED = datetime(2026, 12, 1, 8, tzinfo=UTC)
CLOSED = datetime(2026, 12, 20, 19, tzinfo=UTC)


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def answers(monday_en=0, tuesday_en=0, monday_fr=0, tuesday_fr=0, comments=()):
    made = (
        [Answer([0], "en")] * monday_en
        + [Answer([1], "en")] * tuesday_en
        + [Answer([0], "fr")] * monday_fr
        + [Answer([1], "fr")] * tuesday_fr
    )
    return made + [Answer([], "", c) for c in comments]


def test_counts_and_shares():
    meta = front_matter(render(results_of(POLL, answers(6, 2, 1, 1)), OPENED, CLOSED))
    assert meta["respondents"] == 10
    assert meta["options"] == [
        {"label": "Monday", "count": 7, "share": 0.7},
        {"label": "Tuesday", "count": 3, "share": 0.3},
    ]
    assert meta["suppressed"] is False
    assert meta["breakdown"] is None  # groups under 5 would reveal people


def test_breakdown_when_every_cell_is_large_enough():
    text = render(results_of(POLL, answers(5, 5, 5, 6)), OPENED, CLOSED)
    meta = front_matter(text)
    assert meta["breakdown"]["groups"] == [
        {"group": "en", "respondents": 10, "counts": [5, 5]},
        {"group": "fr", "respondents": 11, "counts": [5, 6]},
    ]
    assert "By language" in text


def test_fewer_than_five_respondents_are_not_published():
    text = render(results_of(POLL, answers(3, 1)), OPENED, CLOSED)
    meta = front_matter(text)
    assert meta["suppressed"] is True and meta["respondents"] == 4
    assert all(o["count"] is None and o["share"] is None for o in meta["options"])
    assert "not published" in text and "<svg" not in text


def test_multiple_choice_shares_are_of_respondents():
    poll = PollInfo("p", "test", "test/01-first", "Q", "multiple", ["a", "b", "c"])
    result = results_of(poll, [Answer([0, 1], "en")] * 4 + [Answer([0], "en")] * 2)
    assert [(o.count, o.share) for o in result.tally.options] == [(6, 1.0), (4, 0.6667), (0, 0.0)]


def test_no_user_identifier_in_the_file():
    change = change_for(results_of(POLL, answers(5, 5)), OPENED, CLOSED)
    text = change.content.decode()
    assert "voter" not in text and "user" not in text.lower()
    assert change.path == "content/committees/test/results/test-poll.md"
    assert change.branch == "results/test-poll"


INJECTIONS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "![img](https://tracker.example/pixel.png)",
    "<iframe src=https://evil.example></iframe>",
    "{{ config.extra }} {% include 'x' %}",
    "---\ntype: session\n---",
    "<!-- material/tags -->",
    'text {: onclick="alert(1)" }',
    "<svg onload=alert(1)>",
    "`code` **bold** <b onmouseover=x>hi</b>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "line\n\n<div>\n\n<script>alert(2)</script>\n\n</div>",
    "\\<script>alert(3)\\</script>",
    '=== "tab"\n    <script>x</script>',
    "!!! note\n    <script>alert(4)</script>",
]


def test_citizen_text_stays_text_in_the_built_page(content, tmp_path):
    write(
        content,
        "committees/test/sessions/01-first.md",
        SESSION.replace(
            "    closes: 2026-12-20T20:00:00+01:00",
            "    closes: 2026-12-20T20:00:00+01:00\n    comments: true",
        ),
    )
    change = change_for(results_of(POLL, answers(5, 5, comments=INJECTIONS)), OPENED, CLOSED)
    write(content, "committees/test/results/test-poll.md", change.content.decode())
    assert load(content).problems == []
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr

    page = BeautifulSoup(
        (tmp_path / "out/committees/test/results/test-poll/index.html").read_text(), "html.parser"
    )
    article = page.select_one("article")
    assert not article.select("script, iframe, img, object, embed, svg[onload]")
    for element in article.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element
        for attribute in ("href", "src"):
            assert not str(element.get(attribute, "")).lower().startswith("javascript:")
    shown = article.get_text(" ")
    for comment in (
        "<script>alert('x')</script>",
        "[click](javascript:alert(1))",
        "{{ config.extra }}",
        "<!-- material/tags -->",
    ):
        assert comment in shown
    assert "Monday" in shown and "50%" in shown
    # the page as a whole carries no more scripts than any other page of the site
    other = BeautifulSoup((tmp_path / "out/index.html").read_text(), "html.parser")
    assert len(page.select("script")) == len(other.select("script"))


def git(repo, *args) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=e@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("content\n")
    git(path, "add", ".")
    git(path, "commit", "-qm", "start")
    return path


def change(text: str = "figures\n") -> Change:
    return Change(
        "test-poll",
        "content/committees/test/results/test-poll.md",
        text.encode(),
        "Results of poll test-poll",
        "summary",
    )


def test_git_publisher_commits_a_branch_without_touching_the_checkout(repo):
    (repo / "README.md").write_text("an editor's unsaved work\n")
    head = git(repo, "rev-parse", "HEAD")
    published = GitPublisher(repo).publish(change())
    assert published.created and published.branch == "results/test-poll"
    assert (
        git(repo, "show", "results/test-poll:content/committees/test/results/test-poll.md")
        == "figures"
    )
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == "M README.md"
    assert git(repo, "log", "-1", "--format=%an %s", "results/test-poll") == (
        "civicloop Results of poll test-poll"
    )


def test_git_publisher_is_idempotent(repo):
    publisher = GitPublisher(repo)
    first = publisher.publish(change())
    again = publisher.publish(change("figures an editor changed\n"))
    assert not again.created and again.commit == first.commit
    assert git(repo, "rev-list", "--count", "refs/heads/results/test-poll") == "2"
    git(repo, "merge", "-q", "refs/heads/results/test-poll")
    git(repo, "branch", "-q", "-D", "results/test-poll")
    merged = GitPublisher(repo).publish(change())  # e.g. a restart after the merge
    assert not merged.created
    assert "results/test-poll" not in git(repo, "branch")


def test_git_publisher_pushes_and_retries_when_the_remote_is_down(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(tmp_path / "missing.git"))
    publisher = GitPublisher(repo, remote="origin")
    with pytest.raises(PublishError) as failure:
        publisher.publish(change())
    assert failure.value.retryable and "git ls-remote failed" in str(failure.value)
    git(repo, "remote", "set-url", "origin", str(remote))
    published = publisher.publish(change())
    assert published.created
    assert git(remote, "rev-parse", "refs/heads/results/test-poll") == published.commit


def test_git_publisher_reports_a_missing_repository(tmp_path):
    with pytest.raises(PublishError) as failure:
        GitPublisher(tmp_path / "nowhere").publish(change())
    assert "git" in str(failure.value)


def make_store(path, poll_id: str, chosen: list[tuple[list[int], str]]):
    from bot.store import Store

    store = Store(path, b"secret")
    with store.transaction():
        for user, (options, language) in enumerate(chosen, start=1):
            store.record_answer(poll_id, user, options, update_id=user, language=language)
        store.record_comment(poll_id, 1, "<b>bold</b> idea", update_id=100)
        store.mark_poll(poll_id, opened_at=OPENED.isoformat(), closed_at=CLOSED.isoformat())
    store.close()


def export(db, poll_id: str, out) -> None:
    """The bot's front door: `python -m bot answers`, with nothing but the database's path."""
    env = {"PATH": os.environ["PATH"], "CIVICLOOP_DB": str(db)}
    with out.open("wb") as file:
        subprocess.run(
            [sys.executable, "-m", "bot", "answers", poll_id],
            cwd=ROOT,
            env=env,
            stdout=file,
            check=True,
        )


def test_cli_results_prints_and_publishes(content, tmp_path, repo, capsys, monkeypatch):
    db, exported = tmp_path / "bot.sqlite3", tmp_path / "answers.json"
    make_store(db, "test-poll", [([0], "en")] * 4 + [([1], "fr")] * 3)
    export(db, "test-poll", exported)
    results = ["--content", str(content), "results", "test-poll", "--answers", str(exported)]
    assert main([*results, "--print"]) == 0
    printed = capsys.readouterr().out
    meta = front_matter(printed)
    assert meta["respondents"] == 7 and meta["options"][0]["count"] == 4
    assert (meta["opened"], meta["closed"]) == (OPENED.isoformat(), CLOSED.isoformat())
    assert "&lt;b&gt;bold&lt;/b&gt; idea" not in printed  # comments only for polls that ask
    monkeypatch.setenv("CIVICLOOP_REPO", str(repo))
    monkeypatch.setenv("CIVICLOOP_PUBLISHER", "git")
    assert main(results) == 0
    assert "on branch results/test-poll" in capsys.readouterr().out
    assert main(results) == 0
    assert "already published" in capsys.readouterr().out


def test_the_answers_go_through_a_pipe(content, tmp_path):
    """As the README shows it: python -m bot answers P | civicloop results P --answers -"""
    db = tmp_path / "bot.sqlite3"
    make_store(db, "test-poll", [([0], "en")] * 5 + [([1], "fr")] * 2)
    env = {"PATH": os.environ["PATH"], "CIVICLOOP_DB": str(db)}
    civicloop = Path(sys.executable).with_name("civicloop")
    piped = subprocess.run(
        f"{sys.executable} -m bot answers test-poll | {civicloop} --content {content} "
        "results test-poll --answers - --print",
        shell=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0, piped.stderr
    assert front_matter(piped.stdout)["options"][1]["count"] == 2


def test_cli_results_errors_are_clear(content, tmp_path, capsys, monkeypatch):
    exported = tmp_path / "answers.json"
    assert main(["--content", str(content), "results", "nope", "--answers", str(exported)]) == 2
    assert "no poll 'nope'" in capsys.readouterr().err
    results = ["--content", str(content), "results", "test-poll", "--answers", str(exported)]
    assert main(results) == 1
    assert capsys.readouterr().err == (
        f"civicloop: no answers file at {exported}; make it with: python -m bot answers "
        f"test-poll > {exported}\n"
    )
    db = tmp_path / "bot.sqlite3"
    make_store(db, "test-poll", [([0], "en")] * 5)
    export(db, "test-poll", exported)
    monkeypatch.setenv("CIVICLOOP_REPO", str(tmp_path / "not-a-repo"))
    assert main(results) == 1
    assert "publishing failed" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["\r", "\n", "é"])
def test_cli_results_never_prints_a_token_github_cannot_take(content, tmp_path, bad):
    """A token with a line break (a CRLF .env file) or a letter no header carries is refused by
    name: sent, it came back quoted in the HTTP library's error, past the publisher's redaction."""
    db, exported = tmp_path / "bot.sqlite3", tmp_path / "answers.json"
    make_store(db, "test-poll", [([0], "en")] * 5)
    export(db, "test-poll", exported)
    with FakeGitHub() as github:
        env = {
            **os.environ,
            "CIVICLOOP_PUBLISHER": "github",
            "GITHUB_TOKEN": github.token[:-1] + bad,
            "GITHUB_REPOSITORY": github.repository,
            "GITHUB_API_URL": github.url,
        }
        done = subprocess.run(
            [sys.executable, "-m", "civicloop.cli", "--content", str(content), "results",
             "test-poll", "--answers", str(exported)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert github.requests == []
    assert github.token[4:-1] not in done.stdout + done.stderr
    assert done.returncode == 2
    assert "GITHUB_TOKEN" in done.stderr


def test_merged_results_show_on_the_site_and_in_the_data(tmp_path):
    """The loop closed: publish → merge → rebuild shows the results."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    poll = PollInfo(
        "sample-safer-streets-worst-spot",
        "sample-neighbourhood-committee",
        "sample-neighbourhood-committee/02-listening-to-families",
        "Which spot on your child's way to school worries you most?",
        "single",
        [
            "The crossing in front of the primary school",
            "The roundabout on the main road",
            "The narrow pavement near the station",
            "Somewhere else",
        ],
    )
    made = change_for(results_of(poll, [Answer([i % 4], "en") for i in range(23)]), OPENED, CLOSED)
    GitPublisher(clone, base=git(clone, "branch", "--show-current")).publish(made)
    git(clone, "merge", "-q", "refs/heads/results/sample-safer-streets-worst-spot")
    result = build_site(clone / "content", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    committee = tmp_path / "out/committees/sample-neighbourhood-committee"
    page = committee / "results/sample-safer-streets-worst-spot/index.html"
    assert "23 people answered" in page.read_text()
    session = (committee / "sessions/02-listening-to-families/index.html").read_text()
    assert "Full results" in session
    polls = json.loads((tmp_path / "out/data/v1/polls.json").read_text())["polls"]
    record = next(p for p in polls if p["id"] == "sample-safer-streets-worst-spot")
    assert record["results"]["respondents"] == 23
