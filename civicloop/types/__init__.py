"""The registry: every content type, found as a module of this package with a `TYPE` (adding a
type is adding a module). Validation, loading, pages, the feed, `civicloop new` and the JSON
Schemas all read it."""

from __future__ import annotations

import importlib
import pkgutil

from civicloop.types.base import ContentType


def _discover() -> dict[str, ContentType]:
    found: list[ContentType] = []
    for module in pkgutil.iter_modules(__path__):
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "TYPE", None)
        if isinstance(kind, ContentType):
            found.append(kind)
    found.sort(key=lambda t: t.position)
    types: dict[str, ContentType] = {}
    for kind in found:
        if kind.name in types:
            raise RuntimeError(f"two content types are named {kind.name!r}")
        types[kind.name] = kind
    return types


TYPES: dict[str, ContentType] = _discover()


def type_at(path: str) -> ContentType | None:
    """The type whose place `path` (relative to content/) is, or None."""
    return next((t for t in TYPES.values() if t.place and t.place.pattern.match(path)), None)


def json_schemas() -> dict[str, dict]:
    """JSON Schemas of the front matter, for editors' YAML tooling and the published site."""
    schemas = {}
    for name, kind in TYPES.items():
        schema = kind.model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schemas[name] = schema
    return schemas
