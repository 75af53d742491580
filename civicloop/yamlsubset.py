"""The YAML editors may write in front matter: plain data, bounded, each value with its line.

Refused as soon as seen, in bounded time and memory, is what YAML allows but content never
needs: anchors and aliases (an alias bomb expands to gigabytes), tags (`!!binary`,
`!!python/...`), nesting deeper than any content type (libyaml takes minutes on deep nesting);
then, on the node tree, merge keys and duplicate keys (YAML keeps the last one silently).
libyaml parses twice, once to scan the events and once to compose the nodes, which costs less
than composing them in Python; front matter that cannot hold an anchor, alias or tag and is
small enough to parse fast at any depth is parsed once (the usual case). The data is made from
the nodes in the same walk that checks them. Timestamps stay text: pydantic parses them, so an
impossible date is a field error, not a crash.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.resolver import Resolver

from civicloop.text import forbidden_character

MAX_DEPTH = 12  # results' breakdown counts, the deepest content, are 6 levels down
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"
OPENING = (MappingStartEvent, SequenceStartEvent)
CLOSING = (MappingEndEvent, SequenceEndEvent)


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that front matter does not accept; `problem_mark` is where it is."""

    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _Loader(CParser, SafeConstructor, Resolver):  # type: ignore[misc]
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    # No path resolvers are registered: a scalar's tag depends on its text alone, and keys such
    # as 'title' recur in every file, so it is looked up once (libyaml asks for every node).
    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _scalar_tag(value, implicit[0])
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@lru_cache(maxsize=16384)
def _scalar_tag(value: str, plain: bool) -> str:
    """PyYAML's implicit resolution (a plain `3` is an int, `yes` a bool...); quoted: text."""
    if plain:
        table = _Loader.yaml_implicit_resolvers
        for tag, regexp in table.get(value[:1], []) + table.get(None, []):
            if regexp.match(value):
                return tag
    return STR


_Loader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (to point problems at their lines) and the data; raises yaml.YAMLError."""
    if len(text) <= QUICK_SIZE and not INDICATORS.search(text):
        try:
            return _parse(text, quick=True)
        except yaml.YAMLError:
            pass  # said by the full way, whose first problem may come earlier in the text
    _scan(text)
    return _parse(text, quick=False)


# Without these characters front matter can hold no anchor ('&'), alias ('*') or tag ('!'), and
# in this size libyaml parses any nesting in milliseconds: the nodes are then composed without
# scanning the events first, and the depth is checked on them.
INDICATORS = re.compile("[&*!]")
QUICK_SIZE = 4096


def _parse(text: str, quick: bool) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        builder = _Builder(loader, escapes="\\" in text, quick=quick)
        data = builder.data(node, 0)
        if builder.unmade is not None:  # after every check, as PyYAML would have raised it
            raise builder.unmade
        return node, data
    finally:
        loader.dispose()


def _scan(text: str) -> None:
    """Refuse anchors, aliases, tags and deep nesting, stopping at the first one."""
    parser = CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, StreamEndEvent):
                return
            if isinstance(event, CLOSING):
                depth -= 1
                continue
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                raise Refused(
                    event.start_mark,
                    "anchors and aliases ('&name', '*name') are not allowed; write each value out",
                )
            tag = getattr(event, "tag", None)
            if tag not in (None, "!", STR):
                shown = "!!" + tag[18:] if tag.startswith("tag:yaml.org,2002:") else tag
                raise Refused(
                    event.start_mark, f"the tag '{shown}' is not allowed; write plain values"
                )
            if isinstance(event, OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    raise Refused(
                        event.start_mark, f"lists and maps nested more than {MAX_DEPTH} deep"
                    )
    finally:
        parser.dispose()


class _Builder:
    """The data of a node tree, checked on the way: keys are field names, each once in its map;
    escapes ("\\0") bring no control character (raw ones are refused before parsing); with
    `quick`, no deeper than MAX_DEPTH (else the events were scanned for it). Plain text, the
    bulk of front matter, is taken as it is; other scalars are made by PyYAML's constructor."""

    def __init__(self, constructor: SafeConstructor, escapes: bool, quick: bool) -> None:
        self.constructor = constructor
        self.escapes = escapes
        self.quick = quick
        self.unmade: yaml.YAMLError | None = None  # the first scalar PyYAML cannot make

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == STR:
            return node.value
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as error:
            self.unmade = self.unmade or error
            return None

    def data(self, node: yaml.Node, depth: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if self.escapes:
                bad = forbidden_character(node.value)
                if bad:
                    raise Refused(node.start_mark, f"the text contains {bad}; remove it")
            return self.scalar(node)
        depth += 1
        if self.quick and depth > MAX_DEPTH:
            raise Refused(node.start_mark, f"lists and maps nested more than {MAX_DEPTH} deep")
        if isinstance(node, yaml.SequenceNode):
            return [self.data(item, depth) for item in node.value]
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
        return {key.value: self.data(value, depth) for key, value in node.value}
