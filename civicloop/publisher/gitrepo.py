"""The embedded publisher: commit the results file on a branch `results/<poll-id>` of a local
git repository, and push it if a remote is configured.

It writes through a temporary index (`GIT_INDEX_FILE`) and `commit-tree`, so the editors' working
tree, index and checked-out branch are never touched. It moves refs only by compare-and-swap
(`update-ref <ref> <new> <old>`, `push --force-with-lease`), so a race cannot lose a commit, and
never moves a branch checked out in a worktree. Refs are always full names (`refs/heads/...`): a
tag or a remote branch called `results/<poll-id>` is not the branch.

Publishing happens once (see civicloop.publisher.base). When it is complete (committed, and pushed
if there is a remote), `refs/civicloop/published/<poll-id>` records the commit, so that neither
deleting the branch nor editing or deleting the merged file makes the publisher write it again.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from civicloop.publisher.base import Change, Published, PublishError, superseded

AUTHOR = {
    "GIT_AUTHOR_NAME": "civicloop",
    "GIT_AUTHOR_EMAIL": "civicloop@localhost",
    "GIT_COMMITTER_NAME": "civicloop",
    "GIT_COMMITTER_EMAIL": "civicloop@localhost",
}
ZERO = "0" * 40
MARK = "refs/civicloop/published/"
FETCHED = "refs/civicloop/fetched/"  # the remote's base and results branch, as last read
CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")  # user:token@ in a remote's URL
REFUSED = re.compile(  # what git says when a remote refuses who we are
    r"Authentication failed|could not read (Username|Password)|Permission denied \(publickey"
    r"|The requested URL returned error: 40[13]"
)


class _Lost(Exception):
    """A ref moved between our reading it and our compare-and-swap: look again."""


class GitPublisher:
    def __init__(self, repo: Path, base: str | None = None, remote: str | None = None):
        self.repo, self.base, self.remote = repo, base, remote

    def publish(self, change: Change) -> Published:
        """Every failure's message without the credentials a remote's URL may carry, wherever
        it names the remote or quotes git (CIVICLOOP_GIT_REMOTE may be the URL itself)."""
        try:
            return self._publish(change)
        except PublishError as error:
            raise PublishError(CREDENTIALS.sub("***@", str(error)), error.retryable) from None

    def _publish(self, change: Change) -> Published:
        for _ in range(5):
            try:
                return self._attempt(change)
            except _Lost:
                continue  # a concurrent run moved a ref: its work is what we now find
        raise PublishError(f"{change.branch} kept moving while civicloop published it; retry")

    def _attempt(self, change: Change) -> Published:
        done = self._rev(MARK + change.poll_id)
        if done is not None:
            self._check(change, done, "the commit civicloop published")
            return Published(change.branch, done, None, created=False)
        branch = f"refs/heads/{change.branch}"
        remote_head, far = self._read_remote(change)
        base_name = self.base or remote_head or self._default_branch()
        local_base = self._rev(f"refs/heads/{base_name}")
        far_base, far_branch = far.get(base_name), far.get(change.branch)
        local = self._rev(branch)
        where = f"{self.remote} " if self.remote else ""
        holders = [
            (far_branch, f"{where}branch {change.branch}"),
            (far_base, f"{where}branch {base_name}"),
            (local, f"branch {change.branch}"),
            (local_base, f"branch {base_name}"),
        ]
        for commit, place in holders:
            if commit is not None and self._check(change, commit, place, local_base):
                if commit == local and self.remote and far_branch is None:
                    self._push(change.branch, commit, expect=None)  # an earlier push failed
                self._mark(change.poll_id, commit)
                return Published(change.branch, commit, None, created=False)
        parent = local or far_branch or far_base or local_base
        if parent is None:
            raise PublishError(
                f"{self.repo} has no branch {base_name} to start results branches from: set "
                "CIVICLOOP_BASE_BRANCH to the branch editors merge into",
                False,
            )
        commit = self._commit(change, parent)
        self._move(branch, commit, local)
        if self.remote:
            self._push(change.branch, commit, expect=far_branch)
        self._mark(change.poll_id, commit)
        return Published(change.branch, commit, None, created=True)

    def _check(self, change: Change, commit: str, place: str, base: str | None = None) -> bool:
        """Whether `commit` holds the poll's results file, or held it since `base` (someone
        deleted it since: that too is the editors' decision); raises if it holds other answers."""
        content = self._file_at(commit, change.path)
        if content is None:
            since = [commit, "--not", base] if base and base != commit else [commit]
            return bool(self._git("rev-list", "-1", *since, "--", change.path).strip())
        problem = superseded(change, content, place)
        if problem:
            raise problem
        return True

    def _default_branch(self) -> str:
        """`init.defaultBranch`, else `main`: never whatever happens to be checked out."""
        return self._git("config", "init.defaultBranch", check=False).strip() or "main"

    def _read_remote(self, change: Change) -> tuple[str | None, dict[str, str]]:
        """The remote's default branch and, fetched, its heads that matter here (none when there
        is no remote): what editors merged or deleted there counts as much as what is here."""
        if not self.remote:
            return None, {}
        head, heads = None, {}
        remote, env = self._remote()
        for line in self._git("ls-remote", "--symref", remote, env=env, timeout=120).splitlines():
            left, _, name = line.partition("\t")
            if left.startswith("ref: ") and name == "HEAD":
                head = left.removeprefix("ref: refs/heads/")
            elif name.startswith("refs/heads/"):
                heads[name.removeprefix("refs/heads/")] = left
        wanted = {self.base or head or self._default_branch(), change.branch} & heads.keys()
        if wanted:
            specs = [f"+refs/heads/{name}:{FETCHED}{name}" for name in sorted(wanted)]
            self._git(
                "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, *specs,
                env=env, timeout=120,
            )  # fmt: skip
        return head, {name: heads[name] for name in wanted}

    def _commit(self, change: Change, parent: str) -> str:
        blob = self._git("hash-object", "-w", "--stdin", input=change.content).strip()
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", parent, env=env)
            self._git(
                "update-index", "--add", "--cacheinfo", f"100644,{blob},{change.path}", env=env
            )
            tree = self._git("write-tree", env=env).strip()
        message = f"{change.title}\n\n{change.description}"
        return self._git("commit-tree", tree, "-p", parent, "-m", message, env=AUTHOR).strip()

    def _move(self, ref: str, new: str, old: str | None) -> None:
        """Compare-and-swap `ref` from `old` (None: absent) to `new`, unless a worktree has it
        checked out: moving it there would leave the reverse of our commit staged."""
        for record in self._git("worktree", "list", "--porcelain", "-z").split("\0\0"):
            fields = dict(field.partition(" ")[::2] for field in record.split("\0") if field)
            if fields.get("branch") == ref:
                raise PublishError(
                    f"{ref.removeprefix('refs/heads/')} is checked out in {fields['worktree']}; "
                    "civicloop will not move a branch under a checkout. Switch that checkout to "
                    "another branch (git switch main), then publish again.",
                    False,
                )
        result = self._run("update-ref", ref, new, old or ZERO)
        if result.returncode != 0:
            if self._rev(ref) != old:
                raise _Lost()
            raise self._failure("update-ref", result)

    def _mark(self, poll_id: str, commit: str) -> None:
        self._git("update-ref", MARK + poll_id, commit)

    def _push(self, branch: str, commit: str, expect: str | None) -> None:
        """Push `commit` as the remote's branch if the remote's branch is still `expect`."""
        ref = f"refs/heads/{branch}"
        lease = f"--force-with-lease={ref}:{expect or ''}"
        remote, env = self._remote()
        result = self._run(
            "push", "--quiet", lease, remote, f"{commit}:{ref}", env=env, timeout=120
        )
        if result.returncode == 0:
            return
        if b"[rejected]" in result.stderr or b"stale info" in result.stderr:
            raise _Lost()  # someone else pushed that branch meanwhile
        error = self._failure("push", result)
        raise PublishError(f"committed {branch}, but pushing it failed: {error}") from None

    def _remote(self) -> tuple[str, dict[str, str]]:
        """The remote as git's command line names it, and the environment git needs with it: a
        URL's user:token@ goes by an `insteadOf` rule in the environment, which only its user
        may read, never by the command line, which `ps` shows everyone."""
        assert self.remote
        bare = CREDENTIALS.sub("", self.remote)
        if bare == self.remote:
            return bare, {}
        rule = {"GIT_CONFIG_KEY_0": f"url.{self.remote}.insteadOf", "GIT_CONFIG_VALUE_0": bare}
        return bare, {"GIT_CONFIG_COUNT": "1", **rule}

    def _rev(self, ref: str) -> str | None:
        out = self._git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False).strip()
        return out or None

    def _file_at(self, commit: str, path: str) -> bytes | None:
        listed = self._git("ls-tree", "-z", commit, "--", path).split("\0")[0]
        meta, _, name = listed.partition("\t")
        if name != path or meta.split(" ")[1:2] != ["blob"]:
            return None
        return self._run("cat-file", "blob", meta.split(" ")[2], check=True).stdout

    def _git(self, *args: str, check: bool = True, **options: object) -> str:
        return self._run(*args, check=check, **options).stdout.decode()  # type: ignore[arg-type]

    def _run(
        self,
        *args: str,
        input: bytes | None = None,
        env: dict | None = None,
        check: bool = False,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            result = subprocess.run(
                ["git", *args],
                cwd=self.repo,
                input=input,
                capture_output=True,
                timeout=timeout,
                env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PublishError(f"git {args[0]} failed: {error}") from None
        if check and result.returncode != 0:
            raise self._failure(args[0], result)
        return result

    def _failure(self, command: str, result: subprocess.CompletedProcess[bytes]) -> PublishError:
        """Git's own words; talking to the remote may work later, the rest needs a person."""
        message = result.stderr.decode(errors="replace").strip()
        if REFUSED.search(message):
            return PublishError(
                f"git {command} failed: the remote {self.remote} refused civicloop's credentials "
                f"({message}): check CIVICLOOP_GIT_REMOTE and the credentials git uses for it",
                False,
            )
        return PublishError(
            f"git {command} failed: {message}", retryable=command in ("push", "ls-remote", "fetch")
        )
