"""The YAML editors may write in front matter: plain data, bounded, each value with its line.

libyaml parses; the nodes are composed here, one event at a time, so that what YAML allows but
content never needs is refused as soon as it is seen, in bounded time and memory: anchors and
aliases (an alias bomb expands to gigabytes), tags (`!!binary`, `!!python/...`), merge keys,
duplicate keys (YAML keeps the last one silently), nesting deeper than any content type.
Timestamps stay text: pydantic parses them, so an impossible date is a field error, not a crash.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.resolver import Resolver

from civicloop.text import forbidden_character

MAX_DEPTH = 12  # results' breakdown counts, the deepest content, are 6 levels down
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that front matter does not accept; `problem_mark` is where it is."""

    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


class _Loader(Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.depth = 0
        # Raw control characters are refused before parsing; only escapes ("\0") bring them.
        self.escapes = "\\" in text

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            raise Refused(
                event.start_mark,
                "anchors and aliases ('&name', '*name') are not allowed; write each value out",
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", STR):
            raise Refused(
                event.start_mark,
                f"the tag '{_shown_tag(tag)}' is not allowed; write plain values",
            )
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise Refused(event.start_mark, f"lists and maps nested more than {MAX_DEPTH} deep")
        node = super().compose_node(parent, index)
        if isinstance(event, CollectionStartEvent):
            self.depth -= 1
        return node

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
        node = super().compose_scalar_node(anchor)
        bad = self.escapes and forbidden_character(node.value)
        if bad:
            raise Refused(node.start_mark, f"the text contains {bad}; remove it")
        return node

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        seen: set[str] = set()
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise Refused(key.start_mark, "a key must be a plain name, not a list or map")
            if key.tag == MERGE:
                raise Refused(key.start_mark, "merge keys ('<<') are not allowed; write each key")
            if key.tag != STR:
                raise Refused(
                    key.start_mark,
                    f"'{key.value}' is not a field name (keys are names such as 'title')",
                )
            if key.value in seen:
                raise Refused(
                    key.start_mark,
                    f"the key '{key.value}' is given twice in the same place; keep one",
                )
            seen.add(key.value)
        return node


_Loader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (to point problems at their lines) and the data; raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()
