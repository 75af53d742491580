"""How often and when each content file changed, read from git in one pass.

Calendars need a SEQUENCE that grows whenever a session changes, and feeds need the time of the
last change. Both come from the reviewed commits, so the build itself stays stateless.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Revision:
    count: int  # commits that touched the file, plus one if it has uncommitted changes
    updated: datetime
    created: datetime


def revisions(content: Path) -> dict[str, Revision]:
    """Revision of every file under `content`, keyed by its path relative to `content`."""
    try:
        top = _git(content, "rev-parse", "--show-toplevel").strip()
        prefix = content.resolve().relative_to(Path(top).resolve()).as_posix()
        log = _git(content, "log", "--format=%x00%ct", "--name-only", "--no-renames", "--", ".")
        dirty = _git(content, "status", "--porcelain", "--untracked-files=all", "--", ".")
    except (OSError, subprocess.CalledProcessError, ValueError):
        return {}
    strip = "" if prefix == "." else prefix + "/"
    times: dict[str, list[int]] = {}
    for entry in log.split("\0")[1:]:
        stamp, *names = entry.strip().splitlines()
        for name in names:
            times.setdefault(name.removeprefix(strip), []).append(int(stamp))
    result = {
        name: Revision(len(stamps), _utc(max(stamps)), _utc(min(stamps)))
        for name, stamps in times.items()
    }
    for line in dirty.splitlines():
        name = line[3:].strip('"').removeprefix(strip)
        path = content / name
        if not path.is_file():
            continue
        now = _utc(int(path.stat().st_mtime))
        old = result.get(name)
        result[name] = Revision((old.count if old else 0) + 1, now, old.created if old else now)
    return result


def status_changes(content: Path) -> dict[str, list[tuple[datetime, str]]]:
    """When each file's top-level `status:` line took each value, oldest first, from the commits
    that changed that line (one `git log`): a recommendation's timeline and its feed entry."""
    try:
        top = _git(content, "rev-parse", "--show-toplevel").strip()
        prefix = content.resolve().relative_to(Path(top).resolve()).as_posix()
        log = _git(
            content,
            *("log", "-p", "-U0", "--format=%x00%ct", "--no-renames", "--no-color"),
            *("-G", "^status:", "--", "."),
        )
    except (OSError, subprocess.CalledProcessError, ValueError):
        return {}
    strip = "" if prefix == "." else prefix + "/"
    changes: dict[str, list[tuple[datetime, str]]] = {}
    for commit in log.split("\0")[1:]:
        stamp, _, diff = commit.partition("\n")
        name = None
        for line in diff.splitlines():
            if line.startswith("+++ "):
                target = line[4:]
                name = target[2:].removeprefix(strip) if target.startswith("b/") else None
            elif name and line.startswith("+status:"):
                value = line.removeprefix("+status:").strip().strip("'\"")
                changes.setdefault(name, []).append((_utc(int(stamp)), value))
    return {name: sorted(values) for name, values in changes.items()}


def revision(content: Path, rel: str, known: dict[str, Revision]) -> Revision:
    """The file's revision; outside git, its modification time stands for both times."""
    if rel in known:
        return known[rel]
    stamp = _utc(int((content / rel).stat().st_mtime))
    return Revision(0, stamp, stamp)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def _utc(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)
