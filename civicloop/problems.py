"""Problems found in content, each pointing at a file and a line an editor can open."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def shown_path(rel: str) -> str:
    """A path as one printable line: bytes that are not UTF-8 and control characters escaped."""
    return printable(os.fsencode(rel).decode("utf-8", "backslashreplace"))


def printable(text: str) -> str:
    """Text for a one-line message: invisible and control characters escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def node_line(root: yaml.Node | None, loc: tuple[Any, ...], first_line: int) -> int:
    """The file line of the YAML node at `loc` (or of its nearest parent that exists)."""
    node, line = root, first_line
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                break
            key, node = match
            line = first_line + key.start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = first_line + node.start_mark.line
        else:
            break
    return line


def field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _shown(value: Any) -> str:
    text = repr(value.isoformat() if isinstance(value, date | datetime) else value)
    return text if len(text) <= 80 else text[:77] + "..."


# YAML reads `yes`, `on`, `12`, `1.0` as other things than text, and `true` as a yes-no value.
HINTS = [
    (("string_type",), "put text in quotes when YAML could read it as a number or yes/no"),
    (("int_type", "int_parsing", "int_from_float"), "write a whole number such as 3, no quotes"),
    (("bool_type", "bool_parsing"), "write true or false, no quotes"),
    (
        ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"),
        "write it like 2026-12-01T18:00:00+01:00",
    ),
]


def explain(error: dict[str, Any], allowed: list[str]) -> str:
    """One pydantic error as a sentence naming the field, the value and what would be valid."""
    loc, kind, value = error["loc"], error["type"], error.get("input")
    field = field_name(loc)
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "extra_forbidden":
        return f"unknown field '{field}'; valid fields here: {', '.join(allowed)}"
    if kind == "timezone_aware":
        return (
            f"'{field}' is {_shown(value)} without a UTC offset; "
            "write it like 2026-12-01T18:00:00+01:00"
        )
    message = error["msg"].removeprefix("Value error, ")
    if not field:
        return message
    if kind == "string_type" and value is None:
        return f"'{field}' is empty; write the text, or remove the line"
    if kind == "value_error" and value is None:  # a rule about a field left out
        return f"'{field}' is missing: {message}"
    hint = next((h for kinds, h in HINTS if kind in kinds), None)
    return f"'{field}' is {_shown(value)}: {message}" + (f"; {hint}" if hint else "")


def validation_problems(
    path: str, error: ValidationError, root: yaml.Node | None, first_line: int, model: type
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = item["loc"]
        owner = _owner(model, loc[:-1]) if item["type"] == "extra_forbidden" else model
        allowed = list(getattr(owner, "model_fields", {}))
        line = node_line(root, loc, first_line)
        problems.append(Problem(path, line, explain(item, allowed)))
    return problems


def _owner(model: type, loc: tuple[Any, ...]) -> type:
    """The model class that holds the field at `loc`, to list its valid fields."""
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if hasattr(candidate, "model_fields"):
                model = candidate
                break
    return model
