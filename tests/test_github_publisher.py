"""GitHubPublisher against the loopback fake of GitHub's REST API (tests/githubapi.py): what it
leaves in the repository, idempotence across retries and re-runs, and what each failure says."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from githubapi import FakeGitHub

from civicloop.publisher.base import Change, PublishError
from civicloop.publisher.env import publisher_from_env
from civicloop.publisher.github import GitHubPublisher

PATH = "content/committees/test/results/test-poll.md"
CHANGE = Change(
    poll_id="test-poll",
    path=PATH,
    content=b"---\ntitle: Which day suits you?\n---\n| Monday | 12 |\n| Tuesday | 30 |\n",
    title="Results of poll test-poll",
    description="**42** answers. Review before merging.",
)
CHANGED = Change(
    poll_id=CHANGE.poll_id,
    path=PATH,
    content=CHANGE.content + b"| Wednesday | 3 |\n",
    title=CHANGE.title,
    description="**45** answers, three late. Review before merging.",
)
PULLS = r"/repos/civic/site/pulls"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def publisher(fake: FakeGitHub, **overrides: Any) -> GitHubPublisher:
    options = {
        "token": fake.token,
        "repository": fake.repository,
        "api_url": fake.url,
        "base": "main",
        "label": "poll-results",
        "timeout": 30.0,  # a busy machine's answers; the hang tests set a short one
    }
    return GitHubPublisher(**{**options, **overrides})


def test_publishes_a_branch_a_commit_and_a_labelled_pull_request(github: FakeGitHub):
    published = publisher(github).publish(CHANGE)

    assert published.branch == "results/test-poll"
    assert published.created
    assert published.commit == github.refs["results/test-poll"]
    assert github.file("results/test-poll", PATH) == CHANGE.content
    assert github.file("main", PATH) is None
    assert github.commits_ahead("results/test-poll") == 1
    assert github.commits[published.commit].message == CHANGE.title
    [pull] = github.pulls
    assert published.url == pull["html_url"] == "https://github.example/civic/site/pull/1"
    assert (pull["title"], pull["body"]) == (CHANGE.title, CHANGE.description)
    assert pull["head"]["ref"] == CHANGE.branch
    assert (pull["base"]["ref"], pull["state"]) == ("main", "open")
    assert [label["name"] for label in pull["labels"]] == ["poll-results"]
    for request in github.requests:
        assert request.headers["authorization"] == f"Bearer {github.token}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
    [listing] = [r for r in github.requests if r.method == "GET" and r.path == PULLS]
    assert listing.query == {"head": "civic:results/test-poll", "state": "all", "per_page": "100"}


def test_a_second_run_changes_nothing(github: FakeGitHub):
    first = publisher(github).publish(CHANGE)
    before = len(github.requests)

    again = publisher(github).publish(CHANGE)

    assert again.created is False
    assert again.commit is None
    assert (again.branch, again.url) == (first.branch, first.url)
    assert len(github.pulls) == 1
    assert github.commits_ahead(CHANGE.branch) == 1
    writes = [(r.method, r.path, r.status) for r in github.requests[before:] if r.method != "GET"]
    assert writes == []  # it looks, finds everything there, and writes nothing


@pytest.mark.parametrize(
    ("kind", "match", "after", "left_to_create"),
    [
        ("502", r"^POST .*/pulls$", False, True),  # branch and commit made, pull request not
        ("drop", r"^POST .*/pulls$", True, False),  # pull request made, its answer lost
        ("hang", r"^PUT .*/contents/", True, True),  # commit made, its answer too late
        ("503", r"^PUT .*/contents/", False, True),
        ("500", r"^POST .*/labels$", False, False),  # everything but the label
        ("drop", r"^POST .*/git/refs$", True, True),  # branch made, answer lost
    ],
)
def test_a_retry_after_a_failure_half_way_completes_once(
    github: FakeGitHub, kind: str, match: str, after: bool, left_to_create: bool
):
    github.fail(kind, match=match, after=after)
    with pytest.raises(PublishError) as failure:
        publisher(github, timeout=0.5 if kind == "hang" else 30.0).publish(CHANGE)
    assert failure.value.retryable

    published = publisher(github).publish(CHANGE)

    assert published.created is left_to_create
    assert list(github.refs) == ["main", CHANGE.branch]
    assert github.commits_ahead(CHANGE.branch) == 1
    assert github.file(CHANGE.branch, PATH) == CHANGE.content
    [pull] = github.pulls
    assert published.url == pull["html_url"]
    assert [label["name"] for label in pull["labels"]] == ["poll-results"]
    assert github.count("POST", PULLS) <= 2


@pytest.mark.parametrize(
    ("kind", "retryable", "words"),
    [
        ("500", True, ["500", "retry"]),
        ("502", True, ["502", "retry"]),
        ("503", True, ["503", "retry"]),
        ("hang", True, ["did not answer within 0.5 s", "reading branch main"]),
        ("drop", True, ["could not reach GitHub", "RemoteProtocolError"]),
        ("429", True, ["rate limit", "429", "retry in 30 s"]),
        ("403-secondary", True, ["rate limit", "403", "retry in 60 s"]),
        ("403-ratelimit", True, ["rate limit", "403", "retry in 1"]),  # about 120 s
        ("401", False, ["GITHUB_TOKEN is refused (401", "contents:write", "pull_requests:write"]),
        ("403", False, ["403", "not accessible", "contents:write", "civic/site"]),
        ("422", False, ["422", "Injected validation failure"]),
    ],
)
def test_each_failure_says_whether_to_retry_and_never_shows_the_token(
    github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    retryable: bool,
    words: list[str],
):
    caplog.set_level(logging.DEBUG)
    github.fail(kind)
    with pytest.raises(PublishError) as failure:
        publisher(github, timeout=0.5 if kind == "hang" else 30.0).publish(CHANGE)

    message = str(failure.value)
    assert failure.value.retryable is retryable, message
    for word in words:
        assert word in message
    assert github.token not in message
    assert github.token not in repr(failure.value.__cause__)
    assert github.token not in caplog.text
    assert github.token not in repr(publisher(github))


@pytest.mark.parametrize("kind", ["403-secondary", "502", "422"])
def test_a_failure_on_a_later_step_is_classified_alike(github: FakeGitHub, kind: str):
    github.fail(kind, match=r"^PATCH |^POST .*/labels$|^POST .*/pulls$")
    with pytest.raises(PublishError) as failure:
        publisher(github).publish(CHANGE)
    assert failure.value.retryable is (kind != "422")
    assert "opening a pull request for results/test-poll" in str(failure.value)


@pytest.mark.parametrize(
    ("kind", "retryable", "words"),
    [
        ("404", False, ["404", "can read civic/site but apparently not write", "contents:write"]),
        ("409", True, ["conflict", "committing", "retry"]),
    ],
)
def test_a_refused_write_says_so(github: FakeGitHub, kind: str, retryable: bool, words: list[str]):
    github.fail(kind, match=r"^PUT .*/contents/")
    with pytest.raises(PublishError) as failure:
        publisher(github).publish(CHANGE)
    assert failure.value.retryable is retryable
    for word in words:
        assert word in str(failure.value)


def test_a_wrong_token_is_refused_clearly(github: FakeGitHub):
    with pytest.raises(PublishError) as failure:
        publisher(github, token="ghp_wrongWrongWrong").publish(CHANGE)
    assert not failure.value.retryable
    assert "GITHUB_TOKEN is refused (401: Bad credentials)" in str(failure.value)
    assert "ghp_wrongWrongWrong" not in str(failure.value)
    assert github.refs.keys() == {"main"}


@pytest.mark.parametrize(
    ("repository", "base"), [("civic/nowhere", "main"), ("civic/site", "trunk")]
)
def test_a_missing_repository_or_base_branch_says_what_to_check(
    github: FakeGitHub, repository: str, base: str
):
    with pytest.raises(PublishError) as failure:
        publisher(github, repository=repository, base=base).publish(CHANGE)
    message = str(failure.value)
    assert not failure.value.retryable
    assert "404" in message
    assert repository in message
    assert "GITHUB_REPOSITORY" in message
    assert "CIVICLOOP_BASE_BRANCH" in message


def test_results_already_on_the_base_are_left_as_they_are():
    """A results file on the base is published and the editors': even one without a digest."""
    with FakeGitHub(files={PATH: b"old results, edited\n"}) as github:
        published = publisher(github).publish(CHANGE)
    assert (published.created, published.commit, published.url) == (False, None, None)
    assert list(github.refs) == ["main"] and github.pulls == []
    assert github.count("PUT", r".*") == 0
    assert github.file("main", PATH) == b"old results, edited\n"


def test_results_already_on_the_base_need_no_pull_request():
    with FakeGitHub(files={PATH: CHANGE.content}) as github:
        published = publisher(github).publish(CHANGE)
    assert (published.commit, published.url) == (None, None)
    assert github.pulls == []
    assert github.count("PUT", r".*") == 0


def test_a_closed_pull_request_is_reused_not_reopened(github: FakeGitHub):
    first = publisher(github).publish(CHANGE)
    github.pulls[0]["state"] = "closed"  # editors declined it

    again = publisher(github).publish(CHANGED)

    assert again.url == first.url
    assert len(github.pulls) == 1
    assert github.pulls[0]["state"] == "closed"


def test_a_pull_request_not_listed_yet_is_found_after_github_says_it_exists(github: FakeGitHub):
    first = publisher(github).publish(CHANGE)
    github.fail("stale-empty", match=r"^GET .*/pulls$")

    again = publisher(github).publish(CHANGE)

    assert (again.url, again.created) == (first.url, False)
    assert len(github.pulls) == 1
    assert github.count("GET", PULLS) == 3  # first run, stale listing, listing after the 422


def test_github_enterprise_api_url_with_a_path_prefix():
    with FakeGitHub(prefix="/api/v3") as github:
        published = publisher(github).publish(CHANGE)
    assert github.url.endswith("/api/v3")
    assert published.url == github.pulls[0]["html_url"]
    assert github.requests[0].status == 200  # the fake answers 404 to paths outside the prefix
    assert github.file(CHANGE.branch, PATH) == CHANGE.content


def test_publisher_from_env_builds_a_github_publisher(github: FakeGitHub):
    env = {
        "CIVICLOOP_PUBLISHER": "github",
        "GITHUB_TOKEN": github.token,
        "GITHUB_REPOSITORY": github.repository,
        "GITHUB_API_URL": github.url,
    }
    assert publisher_from_env(env).publish(CHANGE).created
    with pytest.raises(ValueError, match="owner/name"):
        publisher_from_env({**env, "GITHUB_REPOSITORY": "site"})


def openapi_validators() -> dict[str, jsonschema.Draft7Validator]:
    """The schemas copied from GitHub's OpenAPI description, `nullable` turned into JSON Schema."""

    def nullable(node: Any) -> Any:
        if isinstance(node, list):
            return [nullable(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: nullable(value) for key, value in node.items() if key != "nullable"}
        if node.get("nullable") and isinstance(node.get("type"), str):
            out["type"] = [node["type"], "null"]
        return out

    excerpt = json.loads((Path(__file__).parent / "github_openapi_excerpt.json").read_text())
    return {
        name: jsonschema.Draft7Validator(nullable(schema))
        for name, schema in excerpt["schemas"].items()
    }


def test_the_fake_answers_in_the_shapes_of_githubs_openapi_description(github: FakeGitHub):
    validators = openapi_validators()
    publisher(github).publish(CHANGE)
    publisher(github).publish(CHANGED)
    for kind in ("401", "403-ratelimit", "422", "500"):
        github.fail(kind)
        with pytest.raises(PublishError):
            publisher(github).publish(CHANGE)
    with pytest.raises(PublishError):
        publisher(github, repository="civic/nowhere").publish(CHANGE)

    shapes = {
        ("GET", r".*/git/ref/.*", 200): "git-ref",
        ("POST", r".*/git/refs", 201): "git-ref",
        ("GET", r".*/contents/.*", 200): "content-file",
        ("PUT", r".*/contents/.*", 200): "file-commit",
        ("PUT", r".*/contents/.*", 201): "file-commit",
    }
    checked = set()
    for request in github.requests:
        if request.status is None:
            continue
        if request.status >= 400:
            name = "validation-error" if "errors" in request.response else "basic-error"
        else:
            name = next(
                (
                    shape
                    for (method, path, status), shape in shapes.items()
                    if request.method == method
                    and re.fullmatch(path, request.path)
                    and request.status == status
                ),
                None,
            )
        if name:
            validators[name].validate(request.response)
            checked.add(name)
    assert checked == {"git-ref", "content-file", "file-commit", "basic-error", "validation-error"}
