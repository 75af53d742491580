"""A loopback fake of the part of GitHub's REST API that `civicloop.publisher.github` uses.

It serves, for one repository, the operations `repos/get`, `git/get-ref`, `git/create-ref`,
`repos/get-content`, `repos/create-or-update-file-contents`, `pulls/list`, `pulls/create`,
`pulls/update` and `issues/add-labels`, keeping state (branches, commits with their files, pull
requests with numbers and `html_url`, labels), requiring `Authorization: Bearer <token>`, and
optionally living under a path prefix as GitHub Enterprise Server does (`/api/v3`).

What was checked, and where:

- Paths, methods, parameters, request bodies and success statuses (200, or 201 for create-ref,
  create-file and pulls/create) against the operations of the same ids in github/rest-api-
  description, `descriptions/api.github.com/api.github.com.2022-11-28.json`.
- Response shapes: `git-ref`, `content-file`, `file-commit`, `basic-error` and `validation-error`
  are copied verbatim from that file into `github_openapi_excerpt.json`, and the tests validate
  every answer of this fake against them. Pull requests and labels carry only the fields the
  publisher reads (`number`, `html_url`, `state`, `title`, `body`, `head`, `base`, `labels`…),
  named as in `pull-request-simple`, `pull-request` and `label`, not the whole schemas.
- GitHub's messages where the description has none, from answers quoted in public issues:
  422 "Reference already exists" and "Object does not exist" (create-ref); 422
  `Invalid request.\\n\\n"sha" wasn't supplied.` and 409 "<path> does not match <sha>"
  (contents); 422 "Validation Failed" with errors `A pull request already exists for o:b.` /
  `No commits between base and head` / field `head` code `invalid` (pulls/create); 401 "Bad
  credentials". Rate limits follow docs.github.com ("Rate limits for the REST API",
  "Troubleshooting"): 403 or 429, `x-ratelimit-remaining: 0` with `x-ratelimit-reset` in UTC
  epoch seconds, or `retry-after` for secondary limits.
- Simplifications: blob shas are git's, commit shas merely unique; a `head` filter without
  `owner:` is ignored (GitHub documents only the `user:ref-name` form); no pagination.

Faults: `fail(kind, times, match, after)` makes the next `times` requests whose "METHOD /path"
matches `match` (a regex searched for; path without prefix or query) answer with `kind` instead,
before touching state, or after it when `after` is true (the change happens, the answer is lost).
`before(match, action)` runs `action(fake)` once, just before the first such request is served:
a concurrent client acting at that very moment.

Editors' side, as the web interface does it: `edit` (a commit on a branch), `merge` (squash a
pull request into its base, optionally deleting its branch), `close` and `delete_branch`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DOCS = "https://docs.github.com/rest"
FAULTS = (
    "500", "502", "503", "401", "403", "403-ratelimit", "403-secondary", "429", "422", "404", "409",
    "hang", "drop", "stale-empty",
)  # fmt: skip
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID ABCD:1234."
)
HANG, DROP = "hang", "drop"


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass
class Recorded:
    method: str
    path: str  # without the prefix and the query
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int | None = None  # None when the fake hung or dropped the connection
    response: Any = None


@dataclass
class Fault:
    kind: str
    times: int
    match: re.Pattern[str] | None
    after: bool


@dataclass
class Commit:
    sha: str
    parent: str | None
    files: dict[str, bytes]
    message: str


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def validation_failed(*errors: dict) -> ApiError:
    return ApiError(422, "Validation Failed", list(errors))


@dataclass
class FakeGitHub:
    token: str = "ghs_FakeTokenForTests0123456789"
    repository: str = "civic/site"
    base: str = "main"
    prefix: str = ""  # e.g. "/api/v3" for GitHub Enterprise Server
    files: dict[str, bytes] = field(default_factory=lambda: {"README.md": b"# Site\n"})
    hang_seconds: float = 10.0  # longer than the client's timeout; cut short on leaving `with`
    refs: dict[str, str] = field(default_factory=dict)  # branch -> commit sha
    commits: dict[str, Commit] = field(default_factory=dict)
    pulls: list[dict] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.owner = self.repository.split("/")[0]
        self._faults: list[Fault] = []
        self._actions: list[tuple[re.Pattern[str], Callable[[FakeGitHub], None]]] = []
        self._lock = threading.RLock()  # `before` actions may call the editors' helpers
        self._stopping = threading.Event()
        self._numbers = itertools.count(1)
        self.refs[self.base] = self._commit(None, dict(self.files), "Initial commit")

    # -- running ---------------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()  # ends hanging answers at once
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads
        self._thread.join()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    # -- for tests -------------------------------------------------------------------------

    def fail(self, kind: str, times: int = 1, match: str | None = None, after: bool = False):
        assert kind in FAULTS, kind
        with self._lock:
            self._faults.append(Fault(kind, times, re.compile(match) if match else None, after))

    def before(self, match: str, action: Callable[[FakeGitHub], None]) -> None:
        with self._lock:
            self._actions.append((re.compile(match), action))

    def edit(self, branch: str, path: str, content: bytes | None, message: str = "Edit") -> str:
        """An editor's commit on `branch`: `path` replaced, or deleted when `content` is None."""
        with self._lock:
            files = dict(self.commits[self.refs[branch]].files)
            if content is None:
                del files[path]
            else:
                files[path] = content
            self.refs[branch] = self._commit(self.refs[branch], files, message)
            return self.refs[branch]

    def merge(self, number: int, delete_branch: bool = True) -> None:
        """Squash and merge: the base gets the branch's files in one new commit."""
        with self._lock:
            pull = self._numbered(str(number))
            head, base = pull["head"]["ref"], pull["base"]["ref"]
            files = dict(self.commits[self.refs[head]].files)
            self.refs[base] = self._commit(self.refs[base], files, f"{pull['title']} (#{number})")
            pull.update(state="closed", merged_at="2026-12-21T09:00:00Z")
            if delete_branch:
                del self.refs[head]

    def close(self, number: int) -> None:
        with self._lock:
            self._numbered(str(number)).update(state="closed", closed_at="2026-12-21T09:00:00Z")

    def delete_branch(self, branch: str) -> None:
        with self._lock:
            del self.refs[branch]

    def file(self, branch: str, path: str) -> bytes | None:
        return self.commits[self.refs[branch]].files.get(path)

    def commits_ahead(self, branch: str) -> int:
        """Commits on `branch` that the base branch does not have."""
        return len(self._history(self.refs[branch]) - self._history(self.refs[self.base]))

    def count(self, method: str, path: str) -> int:
        """Requests with this method whose path matches the regex `path` entirely."""
        return sum(
            r.method == method and re.fullmatch(path, r.path) is not None for r in self.requests
        )

    # -- answering -------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Any:
        """(status, headers, body) for one request, or HANG / DROP."""
        split = urlsplit(target)
        path = unquote(split.path)
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        local = path[len(self.prefix) :] if path.startswith(self.prefix + "/") else None
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ...
        with self._lock:
            record = Recorded(method, local or path, query, body, headers)
            self.requests.append(record)
            for action in [a for a in self._actions if a[0].search(f"{method} {record.path}")]:
                self._actions.remove(action)
                action[1](self)
            fault = self._take_fault(f"{method} {record.path}")
            if fault and not fault.after:
                outcome = self._fault(fault.kind)
            else:
                outcome = self._serve(method, local, query, body, headers)
                if fault:
                    outcome = self._fault(fault.kind)
            if isinstance(outcome, tuple):
                record.status, record.response = outcome[0], outcome[2]
        return outcome

    def _take_fault(self, request: str) -> Fault | None:
        for fault in self._faults:
            if fault.match is None or fault.match.search(request):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _serve(self, method: str, path: str | None, query: dict, body: Any, headers: dict) -> Any:
        try:
            if headers.get("authorization") != f"Bearer {self.token}":
                raise ApiError(401, "Bad credentials")
            if body is ...:
                raise ApiError(400, "Problems parsing JSON")
            for verb, pattern, handler in ROUTES:
                found = re.fullmatch(pattern, path or "")
                if found and verb == method:
                    if f"{found['owner']}/{found['repo']}" != self.repository:
                        raise ApiError(404, "Not Found")
                    return handler(self, query, body or {}, *found.groups()[2:])
            raise ApiError(404, "Not Found")
        except ApiError as error:
            answer = {
                "message": error.message,
                "documentation_url": DOCS,
                "status": str(error.status),
            }
            if error.errors:
                answer["errors"] = error.errors
            return error.status, {}, answer

    def _fault(self, kind: str) -> Any:
        reset = str(int(time.time()) + 120)
        if kind in (HANG, DROP):
            return kind
        if kind == "stale-empty":  # a listing that lags behind, as search indexes may
            return 200, {}, []
        if kind == "502":
            return 502, {"Content-Type": "text/html"}, b"<html><h1>502 Bad Gateway</h1></html>"
        canned = {
            "500": (500, {}, "Server Error"),
            "503": (503, {}, "Service Unavailable"),
            "401": (401, {}, "Bad credentials"),
            "403": (403, {}, "Resource not accessible by personal access token"),
            "403-ratelimit": (
                403,
                {
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-used": "5000",
                    "x-ratelimit-reset": reset,
                },
                "API rate limit exceeded for user ID 1.",
            ),
            "403-secondary": (403, {"retry-after": "60"}, SECONDARY),
            "429": (429, {"retry-after": "30"}, SECONDARY),
            "404": (404, {}, "Not Found"),
            "409": (409, {}, "Conflict"),
        }
        if kind == "422":
            error = {"resource": "Fake", "code": "custom", "message": "Injected validation failure"}
            status, headers, message, errors = 422, {}, "Validation Failed", [error]
        else:
            (status, headers, message), errors = canned[kind], None
        answer = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if errors:
            answer["errors"] = errors
        return status, headers, answer

    # -- state -----------------------------------------------------------------------------

    def _commit(self, parent: str | None, files: dict[str, bytes], message: str) -> str:
        sha = hashlib.sha1(f"commit {len(self.commits)} {parent} {message}".encode()).hexdigest()
        self.commits[sha] = Commit(sha, parent, files, message)
        return sha

    def _history(self, sha: str | None) -> set[str]:
        seen = set()
        while sha is not None:
            seen.add(sha)
            sha = self.commits[sha].parent
        return seen

    def _api(self, path: str) -> str:
        return f"{self.url}/repos/{self.repository}{path}"

    def _git_ref(self, branch: str) -> dict:
        sha = self.refs[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": "REF_" + base64.b64encode(branch.encode()).decode(),
            "url": self._api(f"/git/refs/heads/{branch}"),
            "object": {"type": "commit", "sha": sha, "url": self._api(f"/git/commits/{sha}")},
        }

    def _content(self, path: str, ref: str, content: bytes) -> dict:
        sha = blob_sha(content)
        links = {
            "self": self._api(f"/contents/{path}?ref={ref}"),
            "git": self._api(f"/git/blobs/{sha}"),
            "html": f"https://github.example/{self.repository}/blob/{ref}/{path}",
        }
        return {
            "type": "file",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(content),
            "url": links["self"],
            "git_url": links["git"],
            "html_url": links["html"],
            "download_url": f"https://raw.example/{self.repository}/{ref}/{path}",
            "_links": links,
        }

    def _pull(self, pull: dict) -> dict:
        branch = pull["head"]["ref"]
        head = {**pull["head"], "sha": self.refs.get(branch, pull["head"]["sha"])}
        return {**pull, "head": head, "labels": [dict(label) for label in pull["labels"]]}

    # -- operations (ROUTES) ---------------------------------------------------------------

    def get_repo(self, query: dict, body: dict) -> Any:
        """`repos/get`, with only the fields a publisher reads of `full-repository`."""
        url = f"https://github.example/{self.repository}"
        return 200, {}, {"full_name": self.repository, "html_url": url, "default_branch": self.base}

    def get_ref(self, query: dict, body: dict, ref: str) -> Any:
        branch = ref.removeprefix("heads/")
        if not ref.startswith("heads/") or branch not in self.refs:
            raise ApiError(404, "Not Found")
        return 200, {}, self._git_ref(branch)

    def create_ref(self, query: dict, body: dict) -> Any:
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not isinstance(sha, str):
            raise validation_failed({"resource": "Reference", "field": "ref", "code": "missing"})
        if not ref.startswith("refs/heads/") or ref.count("/") < 2:
            raise validation_failed({"resource": "Reference", "field": "ref", "code": "invalid"})
        if sha not in self.commits:
            raise ApiError(422, "Object does not exist")
        branch = ref.removeprefix("refs/heads/")
        if branch in self.refs:
            raise ApiError(422, "Reference already exists")
        self.refs[branch] = sha
        return 201, {"Location": self._api(f"/git/{ref}")}, self._git_ref(branch)

    def get_content(self, query: dict, body: dict, path: str) -> Any:
        ref = query.get("ref", self.base)
        if ref not in self.refs:
            raise ApiError(404, f"No commit found for the ref {ref}")
        files = self.commits[self.refs[ref]].files
        if path in files:
            content = files[path]
            encoded = base64.encodebytes(content).decode("ascii")  # line-wrapped, as GitHub's
            return (
                200,
                {},
                {**self._content(path, ref, content), "content": encoded, "encoding": "base64"},
            )
        inside = sorted({name for name in files if name.startswith(path.rstrip("/") + "/")})
        if inside:  # a directory: the array form
            return 200, {}, [self._content(name, ref, files[name]) for name in inside]
        raise ApiError(404, "Not Found")

    def put_content(self, query: dict, body: dict, path: str) -> Any:
        for required in ("message", "content"):
            if not isinstance(body.get(required), str):
                raise ApiError(422, f'Invalid request.\n\n"{required}" wasn\'t supplied.')
        branch = body.get("branch", self.base)
        if branch not in self.refs:
            raise ApiError(404, f"Branch {branch} not found")
        try:
            content = base64.b64decode(body["content"], validate=True)
        except ValueError:
            raise validation_failed(
                {"resource": "Content", "field": "content", "code": "invalid"}
            ) from None
        parent = self.commits[self.refs[branch]]
        if path in parent.files:
            if "sha" not in body:
                raise ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if body["sha"] != blob_sha(parent.files[path]):
                raise ApiError(409, f"{path} does not match {body['sha']}")
        sha = self._commit(parent.sha, {**parent.files, path: content}, body["message"])
        self.refs[branch] = sha
        person = {"name": "Civicloop", "email": "bot@example.org", "date": "2026-11-27T12:00:00Z"}
        commit = {
            "sha": sha,
            "node_id": f"C_{sha[:12]}",
            "url": self._api(f"/git/commits/{sha}"),
            "html_url": f"https://github.example/{self.repository}/commit/{sha}",
            "author": person,
            "committer": person,
            "message": body["message"],
            "tree": {"url": self._api(f"/git/trees/{sha}"), "sha": sha},
            "parents": [
                {"url": self._api(f"/git/commits/{parent.sha}"), "html_url": "", "sha": parent.sha}
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }
        status = 200 if path in parent.files else 201
        return status, {}, {"content": self._content(path, branch, content), "commit": commit}

    def list_pulls(self, query: dict, body: dict) -> Any:
        state = query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise validation_failed({"resource": "Issue", "field": "state", "code": "invalid"})
        found = [
            self._pull(pull)
            for pull in reversed(self.pulls)  # newest first, GitHub's default order
            if state in ("all", pull["state"])
            and (":" not in query.get("head", ":") or pull["head"]["label"] == query["head"])
            and query.get("base", pull["base"]["ref"]) == pull["base"]["ref"]
        ]
        return 200, {}, found

    def create_pull(self, query: dict, body: dict) -> Any:
        head, base = body.get("head"), body.get("base")
        if not isinstance(head, str) or not isinstance(base, str) or "title" not in body:
            raise validation_failed({"resource": "PullRequest", "field": "head", "code": "missing"})
        owner, _, branch = head.rpartition(":")
        if branch not in self.refs or owner not in ("", self.owner):
            raise validation_failed({"resource": "PullRequest", "field": "head", "code": "invalid"})
        if base not in self.refs:
            raise validation_failed({"resource": "PullRequest", "field": "base", "code": "invalid"})
        label = f"{self.owner}:{branch}"
        if any(
            p["head"]["label"] == label and p["base"]["ref"] == base and p["state"] == "open"
            for p in self.pulls
        ):
            message = f"A pull request already exists for {label}."
            raise validation_failed(
                {"resource": "PullRequest", "code": "custom", "message": message}
            )
        if not self._history(self.refs[branch]) - self._history(self.refs[base]):
            message = f"No commits between {base} and {branch}"
            raise validation_failed(
                {"resource": "PullRequest", "code": "custom", "message": message}
            )
        number = next(self._numbers)
        pull = {
            "url": self._api(f"/pulls/{number}"),
            "id": 1000 + number,
            "node_id": f"PR_{number}",
            "html_url": f"https://github.example/{self.repository}/pull/{number}",
            "number": number,
            "state": "open",
            "locked": False,
            "title": body["title"],
            "body": body.get("body"),
            "labels": [],
            "draft": bool(body.get("draft", False)),
            "head": {"label": label, "ref": branch, "sha": self.refs[branch]},
            "base": {"label": f"{self.owner}:{base}", "ref": base, "sha": self.refs[base]},
            "merged_at": None,
            "closed_at": None,
        }
        self.pulls.append(pull)
        return 201, {"Location": pull["url"]}, self._pull(pull)

    def _numbered(self, number: str) -> dict:
        for pull in self.pulls:
            if pull["number"] == int(number):
                return pull
        raise ApiError(404, "Not Found")

    def update_pull(self, query: dict, body: dict, number: str) -> Any:
        pull = self._numbered(number)
        if body.get("state", "open") not in ("open", "closed"):
            raise validation_failed(
                {"resource": "PullRequest", "field": "state", "code": "invalid"}
            )
        pull.update({key: body[key] for key in ("title", "body", "state") if key in body})
        return 200, {}, self._pull(pull)

    def add_labels(self, query: dict, body: dict, number: str) -> Any:
        pull = self._numbered(number)
        names = body.get("labels") if isinstance(body, dict) else body
        if not names or not all(isinstance(name, str) for name in names):
            raise validation_failed({"resource": "Label", "field": "labels", "code": "invalid"})
        for name in names:
            if name not in {label["name"] for label in pull["labels"]}:
                pull["labels"].append(
                    {
                        "id": 2000 + len(pull["labels"]),
                        "node_id": f"LA_{name}",
                        "url": self._api(f"/labels/{name}"),
                        "name": name,
                        "description": None,
                        "color": "ededed",
                        "default": False,
                    }
                )
        return 200, {}, self._pull(pull)["labels"]


REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES = [
    ("GET", REPO, FakeGitHub.get_repo),
    ("GET", REPO + r"/git/ref/(.+)", FakeGitHub.get_ref),
    ("POST", REPO + r"/git/refs", FakeGitHub.create_ref),
    ("GET", REPO + r"/contents/(.+)", FakeGitHub.get_content),
    ("PUT", REPO + r"/contents/(.+)", FakeGitHub.put_content),
    ("GET", REPO + r"/pulls", FakeGitHub.list_pulls),
    ("POST", REPO + r"/pulls", FakeGitHub.create_pull),
    ("PATCH", REPO + r"/pulls/(\d+)", FakeGitHub.update_pull),
    ("POST", REPO + r"/issues/(\d+)/labels", FakeGitHub.add_labels),
]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread: nothing outlives a test
    fake: FakeGitHub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub
    timeout = 5  # an idle kept-alive connection ends by itself
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: _Server

    def do_GET(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        outcome = fake.answer(self.command, self.path, headers, raw)
        if outcome == HANG:
            fake._stopping.wait(fake.hang_seconds)
        if outcome in (HANG, DROP):
            self.close_connection = True  # hang up without a word
            return
        status, extra, body = outcome
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        extra = {"Content-Type": "application/json; charset=utf-8", **extra}
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Api-Version-Selected", headers.get("x-github-api-version", ""))
        if "x-ratelimit-remaining" not in extra:
            self.send_header("x-ratelimit-limit", "5000")
            self.send_header("x-ratelimit-remaining", "4999")
            self.send_header("x-ratelimit-reset", str(int(time.time()) + 3600))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass
