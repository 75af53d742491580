"""The publisher the configuration names (CIVICLOOP_PUBLISHER and the variables in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from civicloop.publisher.base import Publisher
from civicloop.publisher.github import GitHubPublisher
from civicloop.publisher.gitrepo import GitPublisher


def publisher_from_env(env: Mapping[str, str] | None = None) -> Publisher:
    """CIVICLOOP_PUBLISHER=git (default) or github, configured by the variables in README."""
    env = os.environ if env is None else env
    kind = env.get("CIVICLOOP_PUBLISHER", "git")
    if kind == "github":
        missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(k)]
        if missing:
            raise ValueError(f"CIVICLOOP_PUBLISHER=github needs {', '.join(missing)}")
        return GitHubPublisher(
            token=env["GITHUB_TOKEN"],
            repository=env["GITHUB_REPOSITORY"],
            api_url=env.get("GITHUB_API_URL", "https://api.github.com"),
            base=env.get("CIVICLOOP_BASE_BRANCH") or None,
            label=env.get("CIVICLOOP_RESULTS_LABEL", "poll-results"),
        )
    if kind == "git":
        return GitPublisher(
            repo=Path(env.get("CIVICLOOP_REPO", ".")),
            base=env.get("CIVICLOOP_BASE_BRANCH") or None,
            remote=env.get("CIVICLOOP_GIT_REMOTE") or None,
        )
    raise ValueError(f"CIVICLOOP_PUBLISHER is {kind!r}; use 'git' or 'github'")
