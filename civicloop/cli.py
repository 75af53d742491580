"""The `civicloop` command: validate content, write skeletons, export the front-matter schemas."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from civicloop import draw_command, scaffold
from civicloop.anchors import anchor_problems
from civicloop.answers import open_store, poll_times, read_answers
from civicloop.catalog import load
from civicloop.content import json_schemas
from civicloop.generate import generate as write_site
from civicloop.publisher.base import PublishError
from civicloop.publisher.env import publisher_from_env
from civicloop.results import PollInfo, change_for, results_of
from civicloop.sitecontext import SiteContext, current_time


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs a UTC offset, e.g. 2026-12-01T18:00+01:00"
        )
    return value


def validate(args: argparse.Namespace) -> int:
    if not args.content.is_dir():
        print(f"civicloop: no content folder at {args.content}; give one with --content")
        return 1
    catalog = load(args.content)
    problems = catalog.problems
    if not problems:  # pages are rendered from valid content only
        problems = list(anchor_problems(SiteContext(catalog, "/", current_time())))
    for problem in problems:
        print(f"{args.content.as_posix().rstrip('/')}/{problem}")
    if problems:
        print(f"{len(problems)} problem(s) in {args.content}", file=sys.stderr)
        return 1
    kinds = {
        "committee": "committees",
        "session": "sessions",
        "case-study": "case studies",
        "webinar": "webinars",
    }
    counts = ", ".join(f"{len(catalog.of(k))} {name}" for k, name in kinds.items())
    print(f"ok: {len(catalog.docs)} pages ({counts}), no problems")
    return 0


def new(args: argparse.Namespace) -> int:
    content = args.content
    if args.kind == "session":
        path = scaffold.session(content, args.committee, args.starts, args.title)
    elif args.kind == "committee":
        path = scaffold.committee(content, args.slug, args.title, args.process, args.timezone)
    elif args.kind == "case-study":
        path = scaffold.case_study(content, args.slug, args.title, args.country, args.years)
    else:
        path = scaffold.webinar(content, args.slug, args.title, args.date, args.replay)
    print(f"wrote {path}; fill it in, then run: civicloop validate")
    return 0


def schema(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    schemas = json_schemas()
    for name, document in schemas.items():
        (args.out / f"{name}.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(schemas)} front-matter schemas to {args.out}")
    return 0


def results(args: argparse.Namespace) -> int:
    """Tally a poll from the bot's store and publish its results file as a reviewable change."""
    catalog = load(args.content)
    found = [(s, p) for s in catalog.of("session") for p in s.model.polls if p.id == args.poll]
    if not found:
        known = sorted(p.id for s in catalog.of("session") for p in s.model.polls)
        raise ValueError(f"no poll '{args.poll}' in {args.content}; known: {', '.join(known)}")
    session, poll = found[0]
    info = PollInfo(
        poll.id, session.committee, session.id, poll.question, poll.kind, poll.labels, poll.comments
    )
    with contextlib.closing(open_store(args.db)) as db:
        answers = read_answers(db, poll.id)
        opened, closed = poll_times(db, poll.id)
    change = change_for(
        results_of(info, answers),
        datetime.fromisoformat(opened) if opened else poll.opens,
        datetime.fromisoformat(closed) if closed else poll.closes,
    )
    if args.print:
        sys.stdout.write(change.content.decode())
        return 0
    try:
        published = publisher_from_env().publish(change)
    except PublishError as error:
        print(
            f"civicloop: publishing failed ({'will' if error.retryable else 'will not'} "
            f"succeed on retry): {error}",
            file=sys.stderr,
        )
        return 1
    state = "published" if published.created else "already published"
    print(
        f"{state}: {change.path} on branch {published.branch}"
        + (f", pull request {published.url}" if published.url else "")
    )
    return 0


def generate(args: argparse.Namespace) -> int:
    """Write the site's source tree (civicloop/generate.py); exit 1 on a content problem."""
    if not args.content.is_dir():
        print(f"civicloop: no content folder at {args.content}; give one with --content")
        return 1
    site = SiteContext.open(args.content, args.site_url)
    for problem in site.catalog.problems:
        print(f"{args.content.as_posix().rstrip('/')}/{problem}")
    if site.catalog.problems:
        print(f"{len(site.catalog.problems)} problem(s) in {args.content}", file=sys.stderr)
        return 1
    written, removed = write_site(site, args.site_name, args.out)
    print(
        f"{args.out}: {len(written.changed)} files written, "
        f"{len(written.made) - len(written.changed)} unchanged, {len(removed)} removed"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="civicloop", description=__doc__)
    root.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    commands = root.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="check all content; exit 1 on any problem")
    check.set_defaults(run=validate)

    maker = commands.add_parser("new", help="write a valid skeleton of a new page")
    maker.set_defaults(run=new)
    kinds = maker.add_subparsers(dest="kind", required=True)
    s = kinds.add_parser("session")
    s.add_argument("--committee", required=True)
    s.add_argument("--starts", required=True, type=_datetime, help="e.g. 2027-01-12T18:00+01:00")
    s.add_argument("--title")
    c = kinds.add_parser("committee")
    c.add_argument("slug")
    c.add_argument("--title", required=True)
    c.add_argument(
        "--process",
        default="political-task-committee",
        dest="process",
        choices=[
            "political-task-committee",
            "deliberative-committee",
            "citizens-assembly",
            "other",
        ],
    )
    c.add_argument("--timezone", default="Europe/Brussels")
    k = kinds.add_parser("case-study")
    k.add_argument("slug")
    k.add_argument("--title", required=True)
    k.add_argument("--country", required=True)
    k.add_argument("--years", required=True, help="'2015-', '2023-2024' or '2019'")
    w = kinds.add_parser("webinar")
    w.add_argument("slug")
    w.add_argument("--title", required=True)
    w.add_argument("--date", required=True, type=_datetime)
    w.add_argument("--replay", required=True, help="video URL")

    r = commands.add_parser("results", help="publish a poll's results from the bot's store")
    r.set_defaults(run=results)
    r.add_argument("poll", help="the poll id")
    r.add_argument(
        "--db", type=Path, default=Path(os.environ.get("CIVICLOOP_DB", "var/civicloop.sqlite3"))
    )
    r.add_argument("--print", action="store_true", help="print the file instead of publishing")

    out = commands.add_parser("schema", help="write the front-matter JSON Schemas (for editors)")
    out.set_defaults(run=schema)
    out.add_argument("--out", type=Path, default=Path("build/schema"))
    draw_command.add_parser(commands)

    g = commands.add_parser("generate", help="write the whole site source, for any generator")
    g.set_defaults(run=generate)
    g.add_argument("--out", type=Path, default=Path("build/source"), help="the tree to write")
    g.add_argument(
        "--site-url", default=os.environ.get("CIVICLOOP_SITE_URL", "http://127.0.0.1:8000/")
    )
    g.add_argument("--site-name", default="civicloop")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        print(f"civicloop: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
