"""A committee's public draw file: what a stratified draw will select and how (the model and the
draw's steps are `civicloop.draw`, `lottery`, `pool` and `selection`); its page is the selection
record made from the files the steps publish beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from civicloop.catalog import Catalog
from civicloop.draw import Draw
from civicloop.draw_files import DrawFileError, published
from civicloop.draw_record import record
from civicloop.escaping import Markdown
from civicloop.problems import Problem
from civicloop.types.base import ContentType, PageInput, Place


def _context(page: PageInput) -> dict[str, Any]:
    entry = page.entry
    # Markdown the record made, each value in it escaped there
    return {"record": Markdown(record(page.site.catalog.root / entry.path, entry.model, page.lang))}


def _published_files(catalog: Catalog) -> Iterator[Problem]:
    """The files the draw's steps wrote beside each draw file read as they are written."""
    for entry in catalog.of("draw"):
        try:
            published(catalog.root / entry.path, entry.path)
        except DrawFileError as error:
            yield from error.problems


TYPE = ContentType(
    name="draw",
    model=Draw,
    position=7,
    translatable=frozenset({"title"}),
    place=Place(re.compile(r"^committees/[^/]+/draw\.md$"), "committees/<slug>/draw.md"),
    context=_context,
    checks=_published_files,
)
