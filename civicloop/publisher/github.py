"""Publishing poll results as a pull request on GitHub (or GitHub Enterprise Server, whose API
lives under `/api/v3`) through the REST API, so editors review them like any other change.

OpenAPI operations used, as described in github/rest-api-description
(`descriptions/api.github.com/api.github.com.2022-11-28.json`): `git/get-ref`, `git/create-ref`,
`repos/get`, `repos/get-content`, `repos/create-or-update-file-contents`, `pulls/list`,
`pulls/create` and `issues/add-labels`.

Every attempt looks at what is already there before changing anything, so that a retry after a
failure at any point, a lost answer, a second run or a concurrent one all end with one branch
`results/<poll>`, one pull request and no repeated commit. It only ever adds what is missing
(branch, file, pull request, label): once the file is on the branch or merged, or the pull
request exists, it is the editors', and is never changed again (see civicloop.publisher.base).
Failures raise `PublishError`; the caller retries later.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from typing import Any
from urllib.parse import quote

import httpx

from civicloop.publisher.base import Change, Published, PublishError, superseded

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
PERMISSIONS = "contents:write and pull_requests:write"


def github_message(body: Any) -> str:
    """GitHub's own words: `message` plus any `errors[]` (validation-error objects or strings)."""
    if not isinstance(body, dict):
        return str(body or "")[:200]
    parts = [str(body.get("message") or "")]
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            error = error.get("message") or " ".join(
                str(error[k]) for k in ("resource", "field", "code") if error.get(k)
            )
        parts.append(str(error))
    return "; ".join(part for part in parts if part)


def wait_seconds(response: httpx.Response) -> int | None:
    """How long GitHub asks us to wait: `retry-after`, or until `x-ratelimit-reset` (UTC epoch
    seconds) when `x-ratelimit-remaining` is 0."""
    headers = response.headers
    if headers.get("retry-after", "").isdigit():
        return int(headers["retry-after"])
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(0, int(reset) - int(time.time()))
    return None


class GitHubPublisher:
    """One branch and one pull request per poll in `repository` ("owner/name"), labelled `label`."""

    def __init__(
        self,
        token: str,
        repository: str,
        api_url: str = "https://api.github.com",
        base: str | None = None,  # None: the repository's default branch
        label: str = "poll-results",
        timeout: float = 15.0,
    ):
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"GITHUB_REPOSITORY is {repository!r}; write it as owner/name")
        if not re.fullmatch(r"[!-~]+", token):  # else the HTTP library's error quotes it
            raise ValueError(
                "GITHUB_TOKEN holds a space, a line break or a character no token has: "
                "give it as GitHub showed it"
            )
        self._token = token
        self.owner = owner
        self.repository = repository
        self.api_url = api_url.rstrip("/")
        self.base = base
        self.label = label
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the token
        return f"GitHubPublisher({self.repository!r}, api_url={self.api_url!r}, base={self.base!r})"

    def publish(self, change: Change) -> Published:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "civicloop",
        }
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))
        with httpx.Client(base_url=self.api_url, headers=headers, timeout=timeout) as client:
            repo = f"/repos/{self.repository}"
            base = self.base or self._default_branch(client, repo)
            for _ in range(5):
                published = self._attempt(client, repo, change, base)
                if published is not None:
                    break
            else:
                raise self._error(f"{change.branch} kept changing while publishing; retry", True)
        log.info(
            "published poll %s on %s: %s",
            change.poll_id,
            change.branch,
            published.url or ("new" if published.created else "already published"),
        )
        return published

    def _default_branch(self, client: httpx.Client, repo: str) -> str:
        _, found = self._call(client, "GET", repo, what="reading the repository", setup=True)
        if not isinstance(found, dict) or not isinstance(found.get("default_branch"), str):
            raise self._error("GitHub did not say which branch is the default one", True)
        return found["default_branch"]

    def _attempt(
        self, client: httpx.Client, repo: str, change: Change, base: str
    ) -> Published | None:
        """One look at what is there, then what is missing; None when a concurrent run changed
        something between the two (its work is then what the next look finds)."""
        _, ref = self._call(
            client,
            "GET",
            f"{repo}/git/ref/heads/{quote(base)}",
            what=f"reading branch {base}",
            setup=True,
        )
        if self._holds(client, repo, change, base):  # merged: the editors' file now
            return Published(change.branch, None, None, created=False)
        pull = self._find_pull(client, repo, change)
        status, _ = self._call(
            client,
            "GET",
            f"{repo}/git/ref/heads/{quote(change.branch)}",
            what=f"reading branch {change.branch}",
            allow=((404, ""),),
        )
        commit = None
        if status == 404:
            if pull is not None:  # editors merged or closed it, and deleted the branch
                return Published(change.branch, None, pull["html_url"], created=False)
            status, _ = self._call(
                client,
                "POST",
                f"{repo}/git/refs",
                json={"ref": f"refs/heads/{change.branch}", "sha": ref["object"]["sha"]},
                what=f"creating branch {change.branch}",
                expect=(201,),
                allow=((422, "Reference already exists"),),
            )
            if status != 201:
                return None
        held = self._holds(client, repo, change, change.branch)
        if not held and pull is None:  # with a pull request, editors emptied the branch
            commit = self._put_file(client, repo, change)
            if commit is None:
                return None
        created = commit is not None
        if pull is None:
            pull, opened = self._open_pull(client, repo, change, base)
            if pull is None:
                return None
            created = created or opened
        if self.label not in [x["name"] for x in pull["labels"]]:
            self._call(
                client,
                "POST",
                f"{repo}/issues/{pull['number']}/labels",
                json={"labels": [self.label]},
                what=f"labelling pull request #{pull['number']}",
            )
        return Published(change.branch, commit, pull["html_url"], created=created)

    def _holds(self, client: httpx.Client, repo: str, change: Change, branch: str) -> bool:
        """Whether `branch` has the poll's results file; raises if it was made from other
        answers (see civicloop.publisher.base.superseded)."""
        status, found = self._call(
            client,
            "GET",
            f"{repo}/contents/{quote(change.path)}",
            params={"ref": branch},
            what=f"reading {change.path} on {branch}",
            allow=((404, ""),),
        )
        if status == 404:
            return False
        if not isinstance(found, dict) or found.get("type") != "file":
            raise self._error(
                f"{change.path} on {branch} in {self.repository} is not a file", False
            )
        try:
            content = base64.b64decode(found.get("content") or "")
        except ValueError:
            raise self._error(f"GitHub sent {change.path} in an unknown encoding", True) from None
        problem = superseded(change, content, f"branch {branch} of {self.repository}")
        if problem:
            raise self._error(str(problem), False)
        return True

    def _put_file(self, client: httpx.Client, repo: str, change: Change) -> str | None:
        """Commit `change.content` as a new file on the branch: its commit's sha, or None when a
        concurrent run put one there first."""
        status, committed = self._call(
            client,
            "PUT",
            f"{repo}/contents/{quote(change.path)}",
            json={
                "message": change.title,
                "content": base64.b64encode(change.content).decode("ascii"),
                "branch": change.branch,
            },
            what=f"committing {change.path} on {change.branch}",
            expect=(201,),
            allow=((422, '"sha" wasn\'t supplied'),),  # the file exists now: not ours to replace
        )
        return committed["commit"]["sha"] if status == 201 else None

    def _open_pull(
        self, client: httpx.Client, repo: str, change: Change, base: str
    ) -> tuple[dict | None, bool]:
        """The branch's new pull request (and True), or one a concurrent run opened (False), or
        (None, False) when GitHub says it exists but does not list it yet."""
        status, answer = self._call(
            client,
            "POST",
            f"{repo}/pulls",
            json={
                "title": change.title,
                "head": change.branch,
                "base": base,
                "body": change.description,
            },
            what=f"opening a pull request for {change.branch}",
            expect=(201,),
            allow=((422, "A pull request already exists"), (422, "No commits between")),
        )
        if status == 201:
            return answer, True
        # Opened by a concurrent run or by an earlier attempt whose answer was lost; or the base
        # caught up with the branch meanwhile (merged): either way the next look sees it.
        return self._find_pull(client, repo, change), False

    def _find_pull(self, client: httpx.Client, repo: str, change: Change) -> dict | None:
        """The pull request whose head is the branch, in any state; an open one first."""
        _, pulls = self._call(
            client,
            "GET",
            f"{repo}/pulls",
            params={"head": f"{self.owner}:{change.branch}", "state": "all", "per_page": 100},
            what=f"listing pull requests for {change.branch}",
        )
        pulls = sorted(pulls, key=lambda pull: pull.get("state") != "open")
        return pulls[0] if pulls else None

    def _call(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        *,
        what: str,
        expect: tuple[int, ...] = (200,),
        allow: tuple[tuple[int, str], ...] = (),
        setup: bool = False,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """One request: its status and JSON body when the status is expected, or is allowed with
        GitHub's message containing the given words; a PublishError otherwise.

        `setup` marks the first request, where a 404 or 409 means the repository or its base
        branch is missing or empty."""
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise self._error(
                f"GitHub did not answer within {self.timeout:g} s while {what}", True
            ) from exc
        except httpx.TransportError as exc:
            raise self._error(
                f"could not reach GitHub at {self.api_url} while {what}: {exc!r}",
                True,
            ) from exc
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text.strip()[:200]
        status = response.status_code
        if status in expect or any(
            status == code and words in github_message(body) for code, words in allow
        ):
            if status < 300 and isinstance(body, str):
                raise self._error(
                    f"GitHub answered with something that is not JSON while {what}", True
                )
            return status, body
        raise self._refusal(response, body, what, setup)

    def _refusal(self, response: httpx.Response, body: Any, what: str, setup: bool) -> PublishError:
        """Says what went wrong in terms of what to fix, and whether a retry may help."""
        status, message = response.status_code, github_message(body)
        wait = wait_seconds(response)
        limited = wait is not None or "rate limit" in message.lower()
        if status == 429 or (status == 403 and limited):
            wait = 60 if wait is None else wait  # GitHub's advice when it gives no time
            text = (
                f"GitHub rate limit reached ({status}) while {what}; retry in {wait} s: {message}"
            )
            return self._error(text, True)
        if status == 401:
            return self._error(
                f"GITHUB_TOKEN is refused (401: {message}) while {what}: check that it is valid, "
                f"not expired, and has {PERMISSIONS} on {self.repository}",
                False,
            )
        if status == 403:
            return self._error(
                f"GitHub forbids {what} (403: {message}): give GITHUB_TOKEN {PERMISSIONS} "
                f"(and issues:write for labels) on {self.repository}",
                False,
            )
        if setup and status in (404, 409):
            return self._error(
                f"GitHub has no repository {self.repository!r} with a branch "
                f"{self.base or 'default'!r} "
                f"visible to GITHUB_TOKEN ({status}: {message}): check GITHUB_REPOSITORY, "
                "CIVICLOOP_BASE_BRANCH and which repositories the token may access",
                False,
            )
        if status == 404:  # the repository is there: what GitHub hides is the right to write
            return self._error(
                f"GitHub answered 404 ({message}) while {what}: GITHUB_TOKEN can read "
                f"{self.repository} but apparently not write to it; give it {PERMISSIONS}",
                False,
            )
        if status == 409:
            return self._error(
                f"GitHub reports a conflict while {what} ({message}): someone changed the "
                "branch meanwhile; retry",
                True,
            )
        if status >= 500:
            return self._error(f"GitHub failed ({status}) while {what}; retry later", True)
        return self._error(f"GitHub refused {what} ({status}: {message})", False)

    def _error(self, message: str, retryable: bool) -> PublishError:
        """A PublishError whose message cannot carry the token, whatever was echoed into it."""
        if self._token:
            message = message.replace(self._token, "***")
        return PublishError(message, retryable)
