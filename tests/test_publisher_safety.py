"""Publishing never undoes editors' work: a corpus of scenarios on real git repositories (and
their remotes, worktrees and concurrent processes) and on the loopback GitHub API, each checking
every ref, commit and file the repository holds afterwards."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from githubapi import FakeGitHub
from test_results import git

from civicloop.publisher.base import Change, PublishError, recorded_digest
from civicloop.publisher.github import GitHubPublisher
from civicloop.publisher.gitrepo import GitPublisher
from civicloop.results import Answer, PollInfo, change_for, results_of

POLL = PollInfo(
    "test-poll", "test", "test/01-first", "Which day?", "single", ["Monday", "Tuesday"], True
)
PATH = "content/committees/test/results/test-poll.md"
BRANCH = "refs/heads/results/test-poll"
MARK = "refs/civicloop/published/test-poll"
KEEP, REMOVE = "Keep this comment", "Remove this comment"


def made(monday: int = 4, tuesday: int = 3) -> Change:
    answers = [Answer([0], "en")] * monday + [Answer([1], "en")] * tuesday
    answers += [Answer([], "", KEEP), Answer([], "", REMOVE)]
    opened, closed = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    return change_for(results_of(POLL, answers), opened, closed)


CHANGE, LATE = made(), made(tuesday=4)  # LATE: one more answer


@pytest.fixture(autouse=True)
def no_personal_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults as git ships them (no global `init.defaultBranch`), here and in rival runs."""
    (tmp_path / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def refs(repo: Path) -> dict[str, str]:
    listed = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in listed.splitlines())


def show(repo: Path, ref: str, path: str = PATH) -> str:
    return git(repo, "show", f"{ref}:{path}") + "\n"


def log(repo: Path, ref: str) -> list[str]:
    return git(repo, "log", "--format=%an %s", ref).splitlines()


def new_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", branch)
    (path / "README.md").write_text("content\n")
    git(path, "add", ".")
    git(path, "commit", "-qm", "start")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return new_repo(tmp_path / "repo")


def editor_commit(repo: Path, branch: str, edit: Callable[[str], str | None], message: str):
    """What an editor does in a checkout of `branch`: edit (or delete) the file and commit."""
    git(repo, "switch", "-q", branch)
    file = repo / PATH
    text = edit(file.read_text())
    if text is None:
        git(repo, "rm", "-q", PATH)
    else:
        file.write_text(text)
    git(repo, "commit", "-qam", message)
    git(repo, "switch", "-q", "main")


def remove_comment(text: str) -> str:
    return text.replace(f"- {REMOVE}\n", "")


def reword_figures(text: str) -> str:
    return text.replace("| Monday |", "| Mondays (evening) |")


# -- after editors merged ------------------------------------------------------------------


@pytest.mark.parametrize("edit", [remove_comment, reword_figures])
@pytest.mark.parametrize("merge", ["--no-ff", "--squash", "--ff-only"])
@pytest.mark.parametrize("marked", [True, False])  # False: a new machine, or an older civicloop
def test_an_edited_merged_and_deleted_branch_is_not_published_again(
    repo: Path, edit: Callable[[str], str], merge: str, marked: bool
):
    first = GitPublisher(repo).publish(CHANGE)
    assert first.created and REMOVE in show(repo, BRANCH)
    editor_commit(repo, "results/test-poll", edit, "Moderation")
    git(repo, "merge", "-q", merge, "results/test-poll")
    if merge == "--squash":
        git(repo, "commit", "-qm", "Results of test-poll")
    git(repo, "branch", "-q", "-D", "results/test-poll")
    if not marked:
        git(repo, "update-ref", "-d", MARK)
    before, edited = refs(repo), show(repo, "refs/heads/main")

    again = GitPublisher(repo).publish(CHANGE)

    assert not again.created
    assert refs(repo) == {**before, MARK: before.get(MARK, before["refs/heads/main"])}
    assert show(repo, "refs/heads/main") == edited == edit(CHANGE.content.decode())
    assert git(repo, "status", "--porcelain") == ""


def test_a_file_editors_deleted_after_merging_stays_deleted(repo: Path):
    GitPublisher(repo).publish(CHANGE)
    git(repo, "merge", "-q", "results/test-poll")
    git(repo, "branch", "-q", "-D", "results/test-poll")
    git(repo, "rm", "-q", PATH)
    git(repo, "commit", "-qm", "Withdraw these results")
    before = refs(repo)

    assert not GitPublisher(repo).publish(CHANGE).created
    assert refs(repo) == before
    assert log(repo, "refs/heads/main")[0] == "Editor Withdraw these results"


@pytest.mark.parametrize("marked", [True, False])
def test_a_file_editors_deleted_on_the_branch_stays_deleted(repo: Path, marked: bool):
    GitPublisher(repo).publish(CHANGE)
    editor_commit(repo, "results/test-poll", lambda text: None, "Not these results")
    if not marked:
        git(repo, "update-ref", "-d", MARK)
    before = refs(repo)

    assert not GitPublisher(repo).publish(CHANGE).created
    assert refs(repo) == {**before, MARK: before.get(MARK, before[BRANCH])}
    assert log(repo, BRANCH)[0] == "Editor Not these results"


def test_edits_on_the_unmerged_branch_are_kept_and_a_rerun_adds_no_commit(repo: Path):
    first = GitPublisher(repo).publish(CHANGE)
    editor_commit(repo, "results/test-poll", remove_comment, "Moderation")
    before = refs(repo)

    for _ in range(2):
        again = GitPublisher(repo).publish(CHANGE)
        assert (again.created, again.commit) == (False, first.commit)  # the one it published
    assert refs(repo) == before
    assert log(repo, BRANCH) == ["Editor Moderation", f"civicloop {CHANGE.title}", "Editor start"]
    assert show(repo, BRANCH) == remove_comment(CHANGE.content.decode())


# -- new answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["branch", "edited branch", "merged", "merged, unmarked"])
def test_results_from_other_answers_are_refused_and_nothing_moves(repo: Path, state: str):
    GitPublisher(repo).publish(CHANGE)
    if state == "edited branch":
        editor_commit(repo, "results/test-poll", remove_comment, "Moderation")
    if state.startswith("merged"):
        git(repo, "merge", "-q", "results/test-poll")
        git(repo, "branch", "-q", "-D", "results/test-poll")
    if state.endswith("unmarked"):
        git(repo, "update-ref", "-d", MARK)
    before = refs(repo)

    with pytest.raises(PublishError) as refused:
        GitPublisher(repo).publish(LATE)

    message = str(refused.value)
    assert not refused.value.retryable
    assert f"{PATH} in " in message
    assert "made from other answers" in message and "bring the figures up to date" in message
    assert recorded_digest(CHANGE.content)[:19] in message  # type: ignore[index]
    assert refs(repo) == before


def test_the_digest_names_the_answers_not_the_rendering():
    assert recorded_digest(CHANGE.content) == recorded_digest(made().content)
    assert recorded_digest(CHANGE.content) != recorded_digest(LATE.content)
    fewer = made(monday=4, tuesday=3).content.replace(f"- {REMOVE}\n".encode(), b"")
    assert recorded_digest(fewer) == recorded_digest(CHANGE.content)  # editors edit the body


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (made(monday=3, tuesday=1), made(monday=1, tuesday=3)),  # withheld: fewer than 5
        (made(monday=0, tuesday=4), made(monday=2, tuesday=2)),
    ],
)
def test_the_digest_reveals_no_withheld_figure(one: Change, other: Change):
    assert b"suppressed: true" in one.content and b"suppressed: true" in other.content
    assert recorded_digest(one.content) == recorded_digest(other.content)


def test_the_digest_does_not_carry_the_comments_text():
    answers = [Answer([0], "en")] * 4 + [Answer([1], "en")] * 3
    answers += [Answer([], "", KEEP), Answer([], "", "A different one")]
    opened, closed = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    other = change_for(results_of(POLL, answers), opened, closed)
    assert recorded_digest(other.content) == recorded_digest(CHANGE.content)


# -- checkouts -----------------------------------------------------------------------------


def hand_made_branch(repo: Path) -> str:
    """A branch `results/test-poll` someone made without the file: the publisher would commit
    on it."""
    git(repo, "branch", "results/test-poll", "main")
    return refs(repo)[BRANCH]


@pytest.mark.parametrize("where", ["main worktree", "linked worktree", "linked, unborn"])
def test_a_branch_checked_out_anywhere_is_never_moved(repo: Path, tmp_path: Path, where: str):
    linked = tmp_path / "linked checkout"
    if where == "main worktree":
        hand_made_branch(repo)
        git(repo, "switch", "-q", "results/test-poll")
        checkout = repo
    elif where == "linked worktree":
        hand_made_branch(repo)
        git(repo, "worktree", "add", "-q", str(linked), "results/test-poll")
        checkout = linked
    else:  # `git switch --orphan` there: the branch does not exist yet, but HEAD names it
        git(repo, "worktree", "add", "-q", "--detach", str(linked))
        git(linked, "switch", "-q", "--orphan", "results/test-poll")
        checkout = linked
    before, status = refs(repo), git(checkout, "status", "--porcelain")

    with pytest.raises(PublishError) as refused:
        GitPublisher(repo).publish(CHANGE)

    assert not refused.value.retryable
    assert f"results/test-poll is checked out in {checkout}" in str(refused.value)
    assert "git switch main" in str(refused.value)
    assert refs(repo) == before
    assert git(checkout, "status", "--porcelain") == status  # nothing staged behind its back


def test_a_checked_out_results_branch_already_published_is_left_alone(repo: Path):
    first = GitPublisher(repo).publish(CHANGE)
    git(repo, "switch", "-q", "results/test-poll")  # an editor reviews it in the bot's checkout
    before = refs(repo)

    again = GitPublisher(repo).publish(CHANGE)

    assert (again.created, again.commit) == (False, first.commit)
    assert refs(repo) == before
    assert git(repo, "status", "--porcelain") == ""


# -- base branch and ref names -------------------------------------------------------------


def detach(repo: Path) -> None:
    git(repo, "switch", "-q", "--detach")
    git(repo, "commit", "-q", "--allow-empty", "-m", "an experiment on a detached HEAD")


def on_a_feature_branch(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "draft.md").write_text("work in progress\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "draft")


def trunk_by_config(repo: Path) -> None:
    git(repo, "branch", "-q", "-m", "main", "trunk")
    git(repo, "config", "init.defaultBranch", "trunk")
    on_a_feature_branch(repo)


@pytest.mark.parametrize(
    ("setup", "base", "expected"),
    [
        (detach, None, "main"),
        (on_a_feature_branch, None, "main"),
        (trunk_by_config, None, "trunk"),
        (on_a_feature_branch, "feature", "feature"),  # CIVICLOOP_BASE_BRANCH
    ],
)
def test_results_branches_start_from_the_default_branch(
    repo: Path, setup: Callable[[Path], None], base: str | None, expected: str
):
    setup(repo)
    head = git(repo, "rev-parse", "HEAD")

    published = GitPublisher(repo, base=base).publish(CHANGE)

    assert git(repo, "rev-parse", f"{published.commit}^") == refs(repo)[f"refs/heads/{expected}"]
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_detached_head_is_never_a_base(tmp_path: Path):
    repo = new_repo(tmp_path / "repo", branch="master")  # no main, no init.defaultBranch
    detach(repo)
    with pytest.raises(PublishError) as refused:
        GitPublisher(repo).publish(CHANGE)
    assert "has no branch main" in str(refused.value)
    assert "CIVICLOOP_BASE_BRANCH" in str(refused.value)
    assert list(refs(repo)) == ["refs/heads/master"]


@pytest.mark.parametrize(
    "namesake",
    [
        ["tag", "results/test-poll"],
        ["tag", "-a", "-m", "annotated", "results/test-poll"],
        ["tag", "main"],
        ["update-ref", "refs/remotes/origin/results/test-poll"],
        ["update-ref", "refs/remotes/origin/main"],
    ],
)
def test_tags_and_remote_refs_of_the_same_name_do_not_interfere(repo: Path, namesake: list[str]):
    git(repo, "commit", "-q", "--allow-empty", "-m", "elsewhere")
    elsewhere = git(repo, "rev-parse", "HEAD")
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    git(repo, *namesake, elsewhere)
    others = {ref: sha for ref, sha in refs(repo).items() if not ref.startswith("refs/heads/")}
    main = refs(repo)["refs/heads/main"]

    first = GitPublisher(repo).publish(CHANGE)
    again = GitPublisher(repo).publish(CHANGE)

    assert first.created and not again.created
    assert refs(repo) == {
        **others,
        "refs/heads/main": main,
        BRANCH: first.commit,
        MARK: first.commit,
    }
    assert git(repo, "rev-parse", f"{first.commit}^") == main
    assert show(repo, BRANCH) == CHANGE.content.decode()


# -- concurrent runs -----------------------------------------------------------------------

RUN = """
import sys
from civicloop.publisher.gitrepo import GitPublisher
from test_publisher_safety import CHANGE
published = GitPublisher(sys.argv[1]).publish(CHANGE)
print("published" if published.created else "already published", published.commit)
"""


def rival(repo: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(repo)],
        cwd=Path(__file__).parent,
        stdout=subprocess.PIPE,
        text=True,
    )


class Interrupted(GitPublisher):
    """Lets a rival process publish completely between our reading the refs and our
    compare-and-swap: the worst moment."""

    def _commit(self, change: Change, parent: str) -> str:
        process = rival(self.repo)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0 and out.startswith("published ")
        return super()._commit(change, parent)


def test_the_loser_of_a_race_finds_the_work_done(repo: Path):
    lost = Interrupted(repo).publish(CHANGE)

    winner = refs(repo)[BRANCH]
    assert (lost.created, lost.commit) == (False, winner)
    assert refs(repo) == {
        "refs/heads/main": refs(repo)["refs/heads/main"],
        BRANCH: winner,
        MARK: winner,
    }
    assert log(repo, BRANCH) == [f"civicloop {CHANGE.title}", "Editor start"]


def test_two_processes_at_once_publish_once(repo: Path):
    runs = [rival(repo) for _ in range(3)]
    outs = [run.communicate(timeout=60)[0].split() for run in runs]

    assert [run.returncode for run in runs] == [0, 0, 0]
    winner = refs(repo)[BRANCH]
    assert sorted(out[0] for out in outs) == ["already", "already", "published"]
    assert {out[-1] for out in outs} == {winner}
    assert log(repo, BRANCH) == [f"civicloop {CHANGE.title}", "Editor start"]


# -- with a remote -------------------------------------------------------------------------


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    return bare


def on_the_remote(bare: Path, tmp_path: Path, *steps: list[str], edit=None) -> None:
    """Editors working on the remote (as on a forge): a clone, their steps, pushed back."""
    clone = tmp_path / f"editor{len(list(tmp_path.iterdir()))}"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    if edit:
        editor_commit(clone, "results/test-poll", edit, "Moderation")
    for step in steps:
        git(clone, *step)


@pytest.mark.parametrize("marked", [True, False])
def test_a_branch_editors_merged_and_deleted_on_the_remote_is_not_pushed_again(
    repo: Path, remote: Path, tmp_path: Path, marked: bool
):
    first = GitPublisher(repo, remote="origin").publish(CHANGE)
    assert refs(remote)[BRANCH] == first.commit
    on_the_remote(
        remote,
        tmp_path,
        ["merge", "-q", "--no-ff", "results/test-poll"],
        ["push", "-q", "origin", "main", ":results/test-poll"],
        edit=remove_comment,
    )
    if not marked:
        git(repo, "update-ref", "-d", MARK)
    before = refs(remote)

    again = GitPublisher(repo, remote="origin").publish(CHANGE)

    assert not again.created
    assert refs(remote) == before and BRANCH not in before
    assert show(remote, "refs/heads/main") == remove_comment(CHANGE.content.decode())


def test_a_branch_editors_declined_on_the_remote_is_not_pushed_again(
    repo: Path, remote: Path, tmp_path: Path
):
    GitPublisher(repo, remote="origin").publish(CHANGE)
    on_the_remote(remote, tmp_path, ["push", "-q", "origin", ":results/test-poll"])
    before = refs(remote)

    assert not GitPublisher(repo, remote="origin").publish(CHANGE).created
    assert refs(remote) == before and BRANCH not in before


def test_edits_on_the_remote_branch_are_kept(repo: Path, remote: Path, tmp_path: Path):
    GitPublisher(repo, remote="origin").publish(CHANGE)
    git(repo, "update-ref", "-d", MARK)  # even without the record of the push
    on_the_remote(
        remote, tmp_path, ["push", "-q", "origin", "results/test-poll"], edit=remove_comment
    )
    before = refs(remote)

    assert not GitPublisher(repo, remote="origin").publish(CHANGE).created
    assert refs(remote) == before
    assert show(remote, BRANCH) == remove_comment(CHANGE.content.decode())


def test_a_failed_push_is_retried_and_then_recorded(repo: Path, remote: Path):
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'maintenance, come back later' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(PublishError) as failure:
        GitPublisher(repo, remote="origin").publish(CHANGE)
    assert failure.value.retryable
    assert "committed results/test-poll, but pushing it failed" in str(failure.value)
    assert "maintenance, come back later" in str(failure.value)
    committed = refs(repo)[BRANCH]
    assert MARK not in refs(repo) and BRANCH not in refs(remote)
    hook.unlink()

    again = GitPublisher(repo, remote="origin").publish(CHANGE)

    assert (again.created, again.commit) == (False, committed)
    assert refs(remote)[BRANCH] == committed == refs(repo)[MARK]


def test_the_remote_default_branch_is_the_base(tmp_path: Path):
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "develop", str(bare))
    repo = new_repo(tmp_path / "repo")  # its own main is not where editors merge
    git(repo, "push", "-q", str(bare), "main:develop")
    git(repo, "commit", "-q", "--allow-empty", "-m", "local only")
    git(repo, "remote", "add", "origin", str(bare))

    published = GitPublisher(repo, remote="origin").publish(CHANGE)

    assert git(repo, "rev-parse", f"{published.commit}^") == refs(bare)["refs/heads/develop"]
    assert refs(bare)[BRANCH] == published.commit


def test_credentials_in_a_remote_url_never_reach_the_message(repo: Path):
    git(repo, "remote", "add", "origin", "http://civicloop:s3cret-t0ken@127.0.0.1:9/site.git")
    with pytest.raises(PublishError) as failure:
        GitPublisher(repo, remote="origin").publish(CHANGE)
    assert failure.value.retryable
    assert "s3cret-t0ken" not in str(failure.value)
    assert "127.0.0.1:9" in str(failure.value)
    assert list(refs(repo)) == ["refs/heads/main"]


# -- GitHub --------------------------------------------------------------------------------


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def on_github(fake: FakeGitHub) -> GitHubPublisher:
    return GitHubPublisher(fake.token, fake.repository, fake.url, "main", "poll-results", 2.0)


def writes(fake: FakeGitHub, since: int) -> list[tuple[str, str, int | None]]:
    return [(r.method, r.path, r.status) for r in fake.requests[since:] if r.method != "GET"]


def state(fake: FakeGitHub) -> tuple:
    pulls = [(p["number"], p["state"], p["title"], p["body"], len(p["labels"])) for p in fake.pulls]
    return dict(fake.refs), pulls, {sha: c.files for sha, c in fake.commits.items()}


def edit_merge_delete(fake: FakeGitHub) -> None:
    fake.edit(
        "results/test-poll",
        PATH,
        remove_comment(fake.file("results/test-poll", PATH).decode()).encode(),
    )
    fake.merge(1)


@pytest.mark.parametrize(
    ("editors", "left"),
    [
        (
            lambda f: f.edit(
                "results/test-poll", PATH, remove_comment(CHANGE.content.decode()).encode()
            ),
            "branch",
        ),
        (
            lambda f: f.edit(
                "results/test-poll", PATH, reword_figures(CHANGE.content.decode()).encode()
            ),
            "branch",
        ),
        (edit_merge_delete, "main"),
        (lambda f: f.merge(1, delete_branch=False), "main"),
        (lambda f: (edit_merge_delete(f), f.edit("main", PATH, None)), None),  # withdrawn
        (lambda f: (f.close(1), f.delete_branch("results/test-poll")), None),  # declined
        (lambda f: f.close(1), "branch"),
        (lambda f: f.edit("results/test-poll", PATH, None), "branch"),  # emptied on the branch
    ],
    ids=[
        "comment removed",
        "figure reworded",
        "merged, deleted",
        "merged",
        "withdrawn",
        "declined, deleted",
        "declined",
        "emptied",
    ],
)
def test_github_rerun_changes_nothing_editors_did(
    github: FakeGitHub, editors: Callable[[FakeGitHub], object], left: str | None
):
    first = on_github(github).publish(CHANGE)
    editors(github)
    before, since = state(github), len(github.requests)
    shown = {b: github.file(b, PATH) for b in github.refs}

    again = on_github(github).publish(CHANGE)

    assert not again.created and again.commit is None
    assert writes(github, since) == []
    assert state(github) == before
    assert {b: github.file(b, PATH) for b in github.refs} == shown
    if left == "branch":
        assert again.url == first.url
    assert github.commits_ahead("main") == 0


@pytest.mark.parametrize("where", ["results/test-poll", "main"])
def test_github_results_from_other_answers_are_refused(github: FakeGitHub, where: str):
    on_github(github).publish(CHANGE)
    if where == "main":
        github.merge(1)
    before, since = state(github), len(github.requests)

    with pytest.raises(PublishError) as refused:
        on_github(github).publish(LATE)

    assert not refused.value.retryable
    assert f"{PATH} in branch {where} of civic/site was made from other answers" in str(
        refused.value
    )
    assert github.token not in str(refused.value)
    assert writes(github, since) == [] and state(github) == before


def rival_completes(fake: FakeGitHub) -> None:
    """Another client's whole run, served at this very moment (under the fake's lock)."""
    import base64

    branch = "results/test-poll"
    if branch not in fake.refs:
        fake.create_ref({}, {"ref": f"refs/heads/{branch}", "sha": fake.refs["main"]})
    if fake.file(branch, PATH) is None:
        content = base64.b64encode(CHANGE.content).decode()
        fake.put_content({}, {"message": CHANGE.title, "content": content, "branch": branch}, PATH)
    if not fake.pulls:
        fake.create_pull({}, {"title": CHANGE.title, "head": branch, "base": "main", "body": "x"})
    fake.add_labels({}, {"labels": ["poll-results"]}, "1")


@pytest.mark.parametrize(
    ("moment", "created"),
    [
        (r"^POST .*/git/refs$", False),  # 422 Reference already exists
        (r"^PUT .*/contents/", False),  # 422 "sha" wasn't supplied
        (r"^POST .*/pulls$", True),  # 422 A pull request already exists; our commit stands
        (r"^POST .*/labels$", True),
    ],
)
def test_github_the_loser_of_a_race_finds_the_work_done(
    github: FakeGitHub, moment: str, created: bool
):
    github.before(moment, rival_completes)

    published = on_github(github).publish(CHANGE)

    assert published.created is created
    assert list(github.refs) == ["main", "results/test-poll"]
    assert github.commits_ahead("results/test-poll") == 1
    assert github.file("results/test-poll", PATH) == CHANGE.content
    [pull] = github.pulls
    assert published.url == pull["html_url"]
    assert [label["name"] for label in pull["labels"]] == ["poll-results"]
    assert all(r.status != 409 for r in github.requests)


def test_github_two_clients_at_once_publish_once(github: FakeGitHub):
    start, outcomes = threading.Barrier(3), []

    def run() -> None:
        start.wait()
        try:
            outcomes.append(on_github(github).publish(CHANGE))
        except PublishError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not [o for o in outcomes if isinstance(o, PublishError)], outcomes
    assert list(github.refs) == ["main", "results/test-poll"]
    assert github.commits_ahead("results/test-poll") == 1
    [pull] = github.pulls
    assert {o.url for o in outcomes} == {pull["html_url"]}


@pytest.mark.parametrize(("base", "expected"), [(None, "trunk"), ("main", "main")])
def test_github_base_is_the_default_branch_unless_configured(base: str | None, expected: str):
    with FakeGitHub(base="trunk") as github:
        github.refs["main"] = github.refs["trunk"]
        published = GitHubPublisher(github.token, github.repository, github.url, base).publish(
            CHANGE
        )
    [pull] = github.pulls
    assert published.created and pull["base"]["ref"] == expected
    assert github.commits[github.refs["results/test-poll"]].parent == github.refs[expected]


class Refusing(BaseHTTPRequestHandler):
    """A git host over HTTP that refuses every credential, keeping the ones it was given."""

    given: list[str | None] = []

    def do_GET(self) -> None:
        self.given.append(self.headers.get("Authorization"))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="site"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def recording_git(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`git` first on the PATH, writing down each command line (what `ps` shows anyone)."""
    folder.mkdir()
    (folder / "git").write_text(
        f'#!/bin/sh\necho "$*" >> {folder}/argv\nexec {shutil.which("git")} "$@"\n'
    )
    (folder / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    return folder / "argv"


@pytest.mark.parametrize("named", [True, False], ids=["remote-name", "remote-url"])
def test_a_remote_that_refuses_the_credentials_says_so_and_keeps_them_secret(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: bool
):
    """CIVICLOOP_GIT_REMOTE may be a remote's name or its URL itself: the credentials reach
    the host, never a message nor a command line."""
    Refusing.given = []
    with ThreadingHTTPServer(("127.0.0.1", 0), Refusing) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://bot:s3cret-t0ken@127.0.0.1:{server.server_address[1]}/site.git"
        git(repo, "remote", "add", "origin", url)
        argv = recording_git(tmp_path / "bin", monkeypatch)
        with pytest.raises(PublishError) as failure:
            GitPublisher(repo, remote="origin" if named else url).publish(CHANGE)
        server.shutdown()
    message = str(failure.value)
    assert not failure.value.retryable
    assert "refused civicloop's credentials" in message
    assert "check CIVICLOOP_GIT_REMOTE" in message
    assert "s3cret-t0ken" not in message
    assert "ls-remote" in argv.read_text() and "s3cret-t0ken" not in argv.read_text()
    assert "Basic Ym90OnMzY3JldC10MGtlbg==" in Refusing.given  # bot:s3cret-t0ken
    assert list(refs(repo)) == ["refs/heads/main"]


class PushRaced(GitPublisher):
    """Another machine pushes the same poll's results between our reading the remote and our
    push: the lease makes our push fail, and the next look finds theirs."""

    other: Path

    def _push(self, branch: str, commit: str, expect: str | None) -> None:
        if not hasattr(self, "raced"):
            theirs = dataclasses.replace(CHANGE, description="From the other machine")
            self.raced = GitPublisher(self.other, remote="origin").publish(theirs)
        super()._push(branch, commit, expect)


def test_a_push_that_loses_a_race_finds_the_other_push(repo: Path, remote: Path, tmp_path: Path):
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    publisher = PushRaced(repo, remote="origin")
    publisher.other = other

    lost = publisher.publish(CHANGE)

    theirs = publisher.raced.commit
    assert publisher.raced.created and theirs != refs(repo)[BRANCH]  # both committed
    assert (lost.created, lost.commit) == (False, theirs)
    assert refs(remote)[BRANCH] == theirs == refs(repo)[MARK]
    assert log(remote, BRANCH) == [f"civicloop {CHANGE.title}", "Editor start"]
