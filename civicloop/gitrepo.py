"""The embedded publisher: commit the results file on a branch `results/<poll-id>` of a local
git repository, and push it if a remote is configured.

It writes through a temporary index (`GIT_INDEX_FILE`) and `commit-tree`, so the editors' working
tree, index and checked-out branch are never touched, and it moves the branch with a
compare-and-swap `update-ref`, so two runs cannot both win.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from civicloop.publish import Change, Published, PublishError

AUTHOR = {
    "GIT_AUTHOR_NAME": "civicloop",
    "GIT_AUTHOR_EMAIL": "civicloop@localhost",
    "GIT_COMMITTER_NAME": "civicloop",
    "GIT_COMMITTER_EMAIL": "civicloop@localhost",
}


class GitPublisher:
    def __init__(self, repo: Path, base: str | None = None, remote: str | None = None):
        self.repo, self.base, self.remote = repo, base, remote

    def publish(self, change: Change) -> Published:
        ref = f"refs/heads/{change.branch}"
        current = self._rev(ref)
        parent = current or self._rev(self._base_ref())
        if parent is None:
            raise PublishError(f"{self.repo} has no branch {self._base_ref()} to start from", False)
        blob = self._git("hash-object", "-w", "--stdin", input=change.content).strip()
        if self._blob_at(parent, change.path) == blob:
            # Already on the branch (an earlier run, maybe unpushed) or already merged.
            if current is not None:
                self._push(change.branch)
            return Published(change.branch, current, None, created=False)
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", parent, env=env)
            self._git(
                "update-index", "--add", "--cacheinfo", f"100644,{blob},{change.path}", env=env
            )
            tree = self._git("write-tree", env=env).strip()
        commit = self._git(
            "commit-tree",
            tree,
            "-p",
            parent,
            "-m",
            f"{change.title}\n\n{change.description}",
            env=AUTHOR,
        ).strip()
        # Compare-and-swap: fails if someone moved the branch since we read it.
        self._git("update-ref", ref, commit, current or "0" * 40)
        self._push(change.branch)
        return Published(change.branch, commit, None, created=True)

    def _base_ref(self) -> str:
        if self.base:
            return f"refs/heads/{self.base}"
        head = self._git("symbolic-ref", "-q", "HEAD", check=False).strip()
        return head or "HEAD"

    def _rev(self, ref: str) -> str | None:
        out = self._git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False).strip()
        return out or None

    def _blob_at(self, commit: str, path: str) -> str | None:
        out = self._git("rev-parse", "-q", "--verify", f"{commit}:{path}", check=False).strip()
        return out or None

    def _push(self, branch: str) -> None:
        if self.remote:
            try:
                self._git(
                    "push",
                    "--quiet",
                    self.remote,
                    f"refs/heads/{branch}:refs/heads/{branch}",
                    timeout=120,
                )
            except PublishError as error:
                raise PublishError(f"committed {branch}, but pushing it failed: {error}") from None

    def _git(
        self,
        *args: str,
        input: bytes | None = None,
        env: dict | None = None,
        check: bool = True,
        timeout: float = 60,
    ) -> str:
        try:
            result = subprocess.run(
                ["git", *args],
                cwd=self.repo,
                input=input,
                capture_output=True,
                timeout=timeout,
                env={**os.environ, **(env or {})},
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PublishError(f"git {args[0]} failed: {error}") from None
        if check and result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()
            raise PublishError(f"git {args[0]} failed: {message}", retryable=args[0] == "push")
        return result.stdout.decode()
