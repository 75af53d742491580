"""The `civicloop` command: validate content, write skeletons, export the front-matter schemas."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from civicloop import draw_command
from civicloop.anchors import anchor_problems
from civicloop.answers import AnswersError, read_poll_answers
from civicloop.answers import schema as answers_schema
from civicloop.generate import Clashes
from civicloop.generate import generate as write_site
from civicloop.loading import load
from civicloop.organisation import contact
from civicloop.publisher.base import PublishError
from civicloop.publisher.env import publisher_from_env
from civicloop.results import PollInfo, change_for
from civicloop.sitecontext import SiteContext, current_time
from civicloop.types import TYPES, json_schemas
from civicloop.types.base import write_skeleton


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
    counts = ", ".join(
        f"{n} {t.counted[n != 1]}"
        for name, t in TYPES.items()
        if t.counted
        for n in [len(catalog.of(name))]
    )
    print(f"ok: {len(catalog.docs)} pages ({counts}), no problems")
    return 0


def new(args: argparse.Namespace) -> int:
    kind = args.type
    path = write_skeleton(kind, *kind.skeleton.make(args.content, args))
    print(f"wrote {path}; fill it in, then run: civicloop validate")
    return 0


def schema(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    schemas = json_schemas()
    for name, document in schemas.items():
        (args.out / f"{name}.json").write_text(json.dumps(document, indent=1) + "\n")
    (args.out / "poll-answers.json").write_text(json.dumps(answers_schema(), indent=1) + "\n")
    print(f"wrote {len(schemas)} front-matter schemas to {args.out}")
    return 0


def results(args: argparse.Namespace) -> int:
    """Tally a poll's answers (as the bot hands them) and publish its results file as a
    reviewable change."""
    catalog = load(args.content)
    found = [(s, p) for s in catalog.sessions for p in s.model.polls if p.id == args.poll]
    if not found:
        known = sorted(p.id for s in catalog.sessions for p in s.model.polls)
        raise ValueError(f"no poll '{args.poll}' in {args.content}; known: {', '.join(known)}")
    session, poll = found[0]
    info = PollInfo(
        poll.id, session.committee, session.id, poll.question, poll.kind, poll.labels, poll.comments
    )
    try:
        answers = read_poll_answers(args.answers, poll.id)
    except AnswersError as error:
        print(f"civicloop: {error}", file=sys.stderr)
        return 1
    # A poll the bot never opened keeps the times its session gives.
    change = change_for(
        answers.outcome(info), answers.opened or poll.opens, answers.closed or poll.closes
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
    try:
        known = contact(args.contact) if args.contact else None
    except ValueError as error:
        print(f"civicloop: --contact: {error}", file=sys.stderr)
        return 1
    site = SiteContext.open(args.content, args.site_url, contact=known)
    for problem in site.catalog.problems:
        print(f"{args.content.as_posix().rstrip('/')}/{problem}")
    if site.catalog.problems:
        print(f"{len(site.catalog.problems)} problem(s) in {args.content}", file=sys.stderr)
        return 1
    try:
        written, removed = write_site(site, args.site_name, args.out)
    except Clashes as error:
        for problem in error.problems:
            print(f"{args.content.as_posix().rstrip('/')}/{problem}")
        print(f"{len(error.problems)} problem(s) in {args.content}", file=sys.stderr)
        return 1
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
    for name, kind in TYPES.items():
        if kind.skeleton:
            each = kinds.add_parser(name)
            each.set_defaults(type=kind)
            for argument in kind.skeleton.arguments:
                each.add_argument(*argument.flags, **argument.options)

    r = commands.add_parser(
        "results",
        help="publish a poll's results from its answers",
        epilog="e.g. python -m bot answers POLL | civicloop results POLL --answers -",
    )
    r.set_defaults(run=results)
    r.add_argument("poll", help="the poll id")
    r.add_argument(
        "--answers",
        required=True,
        type=lambda given: given if given == "-" else Path(given),
        metavar="FILE",
        help="the poll's answers as `python -m bot answers POLL` writes them; - for standard input",
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
    g.add_argument(
        "--contact",
        default=os.environ.get("CIVICLOOP_CONTACT"),
        help="the organisation's email address or https:// page (default: CIVICLOOP_CONTACT; "
        "unset: pages name none)",
    )
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
