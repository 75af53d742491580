"""Publishing poll results back into `content/` as a reviewable change: a branch (and, on GitHub,
a pull request) per poll. Editors' review of that change is the moderation step.

Every back-end is idempotent: one branch and one pull request per poll, whatever is retried,
restarted or run twice. A failure raises `PublishError`; the results stay in the bot's store and
the attempt is retried later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Change:
    poll_id: str
    path: str  # repository-relative, e.g. content/committees/x/results/poll.md
    content: bytes
    title: str  # commit subject and pull request title
    description: str  # pull request body: Markdown

    @property
    def branch(self) -> str:
        return f"results/{self.poll_id}"


@dataclass(frozen=True)
class Published:
    branch: str
    commit: str | None
    url: str | None  # the pull request, where there is one
    created: bool  # False when an earlier attempt had already published the same thing


class PublishError(Exception):
    """The host refused or failed; `retryable` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Publisher(Protocol):
    def publish(self, change: Change) -> Published: ...


def publisher_from_env(env: Mapping[str, str] | None = None) -> Publisher:
    """CIVICLOOP_PUBLISHER=git (default) or github, configured by the variables in README."""
    env = os.environ if env is None else env
    kind = env.get("CIVICLOOP_PUBLISHER", "git")
    if kind == "github":
        from civicloop.github import GitHubPublisher

        missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(k)]
        if missing:
            raise ValueError(f"CIVICLOOP_PUBLISHER=github needs {', '.join(missing)}")
        return GitHubPublisher(
            token=env["GITHUB_TOKEN"],
            repository=env["GITHUB_REPOSITORY"],
            api_url=env.get("GITHUB_API_URL", "https://api.github.com"),
            base=env.get("CIVICLOOP_BASE_BRANCH", "main"),
            label=env.get("CIVICLOOP_RESULTS_LABEL", "poll-results"),
        )
    if kind == "git":
        from civicloop.gitrepo import GitPublisher

        return GitPublisher(
            repo=Path(env.get("CIVICLOOP_REPO", ".")),
            base=env.get("CIVICLOOP_BASE_BRANCH") or None,
            remote=env.get("CIVICLOOP_GIT_REMOTE") or None,
        )
    raise ValueError(f"CIVICLOOP_PUBLISHER is {kind!r}; use 'git' or 'github'")
