"""`civicloop draw`: the organiser's steps of a verifiable draw, and anyone's check of it.

Only pseudonyms and counts are printed or written to the content; the one command that shows
names (`list`) writes them to a private file of the organiser's.
"""

from __future__ import annotations

import argparse
import csv
from datetime import UTC, date, datetime
from pathlib import Path

from civicloop.loading import load
from civicloop.lottery import LotteryError
from civicloop.pool import PoolError, ensure_private, load_key, new_key, read_pool
from civicloop.selection import DrawError, PublishedDraw, commit, pick, replace, seated, verify


def add_parser(commands: argparse._SubParsersAction) -> None:
    draw = commands.add_parser("draw", help="a verifiable stratified draw of a committee")
    draw.set_defaults(run=run)
    steps = draw.add_subparsers(dest="step", required=True)

    def step(name: str, help: str, pool: bool = True) -> argparse.ArgumentParser:
        p = steps.add_parser(name, help=help)
        p.add_argument("committee", help="the committee's slug (content/committees/<slug>/)")
        p.add_argument("--pool", type=Path, required=pool, help="the private CSV of volunteers")
        p.add_argument("--key", type=Path, help="the organiser's key file (or CIVICLOOP_DRAW_KEY)")
        return p

    c = step("commit", "step one: check the quotas, compute the lottery, write the commitment")
    c.add_argument("--seed", type=int, help="the library's seed (default: from the pool's hash)")
    p = step("pick", "step two: pick the panel with a public random value, draw substitutes")
    p.add_argument("--random", required=True, help="e.g. '4 17 23 31 40 42 / 7' (RFC 3797 style)")
    p.add_argument("--date", type=date.fromisoformat, help="day of the pick (default: today)")
    step("verify", "check the draw from its published files (and the pool, if given)", pool=False)
    r = step("replace", "seat the next fitting substitute in place of a member who leaves")
    r.add_argument("--member", required=True, help="the leaving member's pseudonym")
    r.add_argument("--date", type=date.fromisoformat, help="day of the change (default: today)")
    n = step("list", "write the organiser's own list of who was drawn, with the pool's rows")
    n.add_argument("--out", type=Path, required=True, help="a private CSV file (not in git)")
    k = steps.add_parser("key", help="write a new organiser's key to a private file")
    k.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (DrawError, PoolError, LotteryError) as error:
        raise ValueError(str(error)) from None


def _published(args: argparse.Namespace) -> PublishedDraw:
    catalog = load(args.content)
    path = f"committees/{args.committee}/draw.md"
    problems = [p for p in catalog.problems if p.path == path]
    if problems:
        listed = "\n".join(f"{args.content.as_posix().rstrip('/')}/{p}" for p in problems)
        raise DrawError(f"the draw file has problems:\n{listed}")
    doc = catalog.docs.get(path)
    if doc is None or doc.kind != "draw":
        raise DrawError(f"no draw file {args.content / path}; write one (see the README)")
    return PublishedDraw(doc.model, args.committee, args.content / path)


def _pool(args: argparse.Namespace, published: PublishedDraw):
    key = load_key(args.key, args.content)
    return read_pool(args.pool, published.draw, key, published.committee, args.content)


def _today(args: argparse.Namespace) -> date:
    return args.date or datetime.now(UTC).date()


def _run(args: argparse.Namespace) -> int:
    if args.step == "key":
        new_key(args.file, args.content)
        print(f"wrote a new key to {args.file}; keep it with the pool, never in git")
        return 0
    published = _published(args)
    if args.step == "verify":
        pool = _pool(args, published) if args.pool else None
        for line in verify(published, pool):
            print(f"ok: {line}")
        return 0
    pool = _pool(args, published)
    if args.step == "commit":
        done = commit(published, pool, args.seed)
        low = min(done["probabilities"].values())
        print(
            f"wrote {published.commitment_path}: {len(done['panels'])} panels on "
            f"{done['tickets']} tickets from {len(pool.people)} volunteers; lowest selection "
            f"probability {low:.1%}. Publish it, then pick with the random value announced."
        )
    elif args.step == "pick":
        done = pick(published, pool, args.random, _today(args))
        print(
            f"wrote {published.result_path}: ticket {done['random']['ticket']}, "
            f"{len(done['members'])} members, {len(done['substitutes'])} substitutes"
        )
    elif args.step == "replace":
        change = replace(published, pool, args.member, _today(args))
        shared = ", ".join(change["shared"]) or "none"
        print(f"{change['substitute']} replaces {change['member']} (same {shared})")
    else:
        _list(args, published, pool)
    return 0


def _list(args: argparse.Namespace, published: PublishedDraw, pool) -> None:
    """The pool's rows of the members and substitutes, for the organiser to contact them."""
    ensure_private(args.out, args.content, "the list")
    result = published.result()
    rows = {}
    with args.pool.open(newline="", encoding="utf-8-sig") as stream:
        for number, row in enumerate(csv.DictReader(stream), start=2):
            rows[number] = row
    now = seated(result)
    roles = [(m, "member" if m in now else "left") for m in result["members"]]
    roles += [
        (s, "member" if s in now else f"substitute {i}")
        for i, s in enumerate(result["substitutes"], start=1)
    ]
    with args.out.open("w", newline="", encoding="utf-8") as out:
        table = rows[pool.rows[roles[0][0]]] if roles else {}
        writer = csv.DictWriter(out, fieldnames=["role", "pseudonym", *table])
        writer.writeheader()
        for who, role in roles:
            writer.writerow({"role": role, "pseudonym": who, **rows[pool.rows[who]]})
    print(f"wrote {len(roles)} people to {args.out}; it holds personal data: keep it private")
