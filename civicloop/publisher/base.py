"""Publishing poll results back into `content/` as a reviewable change: a branch (and, on GitHub,
a pull request) per poll. Editors' review of that change is the moderation step.

Every back-end is idempotent: one branch and one pull request per poll, whatever is retried,
restarted or run twice. A failure raises `PublishError`; the results stay in the bot's store and
the attempt is retried later.

Publishing happens once. The results file records a digest of the answers it was made from
(`answers_digest`); once the poll's branch, pull request or merged file exists, editors own the
file, and a publisher only compares digests: equal (or not recorded) means "already published",
different means new answers, which it refuses to write over editors' review (`superseded`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
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


DIGEST_FIELD = "answers_digest"
_RECORDED = re.compile(rf"^{DIGEST_FIELD}:[ \t]*['\"]?(sha256:[0-9a-f]{{64}})['\"]?[ \t]*$", re.M)


def digest(value: object) -> str:
    """A stable name for JSON-like data: what a results file was made from."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def recorded_digest(content: bytes) -> str | None:
    """The `answers_digest` in a results file's front matter, if any. A pattern, not a YAML
    parser: the file may be an editor's, half-edited or hostile."""
    text = content.decode("utf-8", errors="replace")
    if not text.startswith("---\n"):
        return None
    head, ends, _ = text[4:].partition("\n---\n")
    found = _RECORDED.search(head) if ends else None
    return found[1] if found else None


def superseded(change: Change, existing: bytes, where: str) -> PublishError | None:
    """Why `existing` (the poll's results file in `where`) must not be replaced by `change`, or
    None when it holds the same answers (or does not say which) and so is already published."""
    old, new = recorded_digest(existing), recorded_digest(change.content)
    if old is None or new is None or old == new:
        return None
    return PublishError(
        f"{change.path} in {where} was made from other answers ({old[:19]}…) than the ones now "
        f"in the store ({new[:19]}…); civicloop does not write over results editors may have "
        "reviewed, so it left them as they are. Editors: bring the figures up to date by hand "
        "if they should change (see the README, 'Poll results back into the content').",
        retryable=False,
    )


class Publisher(Protocol):
    def publish(self, change: Change) -> Published: ...
