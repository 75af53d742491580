"""The `civicloop` command: validate content, write skeletons, export the front-matter schemas."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from civicloop import scaffold
from civicloop.catalog import load
from civicloop.content import json_schemas


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs a UTC offset, e.g. 2026-12-01T18:00+01:00"
        )
    return value


def validate(args: argparse.Namespace) -> int:
    catalog = load(args.content)
    for problem in catalog.problems:
        print(f"{args.content.as_posix().rstrip('/')}/{problem}")
    if catalog.problems:
        print(f"{len(catalog.problems)} problem(s) in {args.content}", file=sys.stderr)
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="civicloop", description=__doc__)
    root.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("validate", help="check all content; exit 1 on any problem")

    maker = commands.add_parser("new", help="write a valid skeleton of a new page")
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

    out = commands.add_parser("schema", help="write the front-matter JSON Schemas (for editors)")
    out.add_argument("--out", type=Path, default=Path("build/schema"))
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handlers = {"validate": validate, "new": new, "schema": schema}
    try:
        return handlers[args.command](args)
    except ValueError as error:
        print(f"civicloop: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
