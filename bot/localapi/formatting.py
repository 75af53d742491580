"""Text formatting as Telegram does it: parse_mode markup -> plain text + MessageEntity list.

Entity offsets and lengths are in UTF-16 code units, like the real API, so bots that compute
offsets themselves are checked against the same arithmetic Telegram uses. Badly formed markup is
rejected with Telegram's "can't parse entities" error, which is a common production failure.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from .errors import ApiError, bad_request

Entity = dict[str, Any]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cu(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def format_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) for an outgoing bot message, with auto-detected entities."""
    if entities:
        plain, explicit = text, [_entity(e) for e in entities]
    else:
        mode = (parse_mode or "").lower()
        if not mode:
            plain, explicit = text, []
        elif mode == "html":
            plain, explicit = _HtmlToEntities().run(text)
        elif mode == "markdownv2":
            plain, explicit = _markdown_v2(text)
        elif mode == "markdown":
            plain, explicit = _markdown_legacy(text)
        else:
            raise bad_request("unsupported parse_mode")
    return plain, _merge(explicit, detect_entities(plain))


_ENTITY_FIELDS = (
    "type",
    "offset",
    "length",
    "url",
    "user",
    "language",
    "custom_emoji_id",
    "unix_time",
    "date_time_format",
)


def _entity(raw: Any) -> Entity:
    """A MessageEntity given by the bot, reduced to the fields Telegram keeps."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise _parse_error("can't parse MessageEntity JSON object")
    if not all(isinstance(raw.get(k), int) and raw[k] >= 0 for k in ("offset", "length")):
        raise _parse_error("can't parse MessageEntity JSON object")
    return {k: raw[k] for k in _ENTITY_FIELDS if k in raw}


_AUTO = (
    ("url", re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'}]", re.I)),
    ("bot_command", re.compile(r"(?<![^\s(])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}\b")),
    ("hashtag", re.compile(r"(?<![\w#/])#\w*[^\W\d]\w*")),
)


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram recognises by itself in any message: urls, /commands, @mentions, #tags."""
    taken: list[tuple[int, int]] = []
    found: list[Entity] = []
    for kind, pattern in _AUTO:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            offset = utf16_len(text[:start])
            found.append({"type": kind, "offset": offset, "length": utf16_len(m.group())})
    return found


_OPAQUE = {"code", "pre", "url", "text_link", "text_mention", "custom_emoji"}


def _merge(explicit: list[Entity], auto: list[Entity]) -> list[Entity]:
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in explicit if e["type"] in _OPAQUE]
    merged = [e for e in explicit if e["length"] > 0]
    for e in auto:
        s, t = e["offset"], e["offset"] + e["length"]
        if not any(s < b_end and b_start < t for b_start, b_end in blocked):
            merged.append(e)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


# --- HTML -------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",
}


class _HtmlToEntities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.u16 = 0
        self.stack: list[tuple[str, Entity | None]] = []
        self.entities: list[Entity] = []

    def run(self, text: str) -> tuple[str, list[Entity]]:
        self.feed(text)
        self.close()
        if self.stack:
            raise _parse_error(
                f'can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        return "".join(self.parts), self.entities

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.u16 += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        kind = _HTML_TAGS.get(tag)
        if tag == "span" and attr.get("class") != "tg-spoiler":
            kind = None
        if kind is None:
            raise _parse_error(f'unsupported start tag "{tag}" at byte offset {self._offset()}')
        entity: Entity | None = {"type": kind, "offset": self.u16}
        if kind == "text_link":
            href = attr.get("href", "")
            if not href:
                entity = None  # Telegram drops links without a URL but keeps the text
            else:
                entity["url"] = href
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = attr.get("emoji-id", "")
        elif kind == "blockquote" and "expandable" in attr:
            entity["type"] = "expandable_blockquote"
        elif kind == "code" and self.stack and self.stack[-1][0] == "pre":
            pre = self.stack[-1][1]
            lang = attr.get("class", "")
            if pre is not None and lang.startswith("language-"):
                pre["language"] = lang[len("language-") :]
                entity = None  # <pre><code class=language-x> is a single pre entity
        self.stack.append((tag, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _parse_error(f'unsupported start tag "{tag}" at byte offset {self._offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"</{self.stack[-1][0]}>"' if self.stack else "no end tag"
            raise _parse_error(
                f"unmatched end tag at byte offset {self._offset()}, "
                f'expected {expected}, found "</{tag}>"'
            )
        _, entity = self.stack.pop()
        if entity is not None:
            entity["length"] = self.u16 - entity["offset"]
            if entity["length"] > 0:
                self.entities.append(entity)

    def _offset(self) -> int:
        return self.getpos()[1]


# --- MarkdownV2 (port of tdlib's parse_markdown_v2) ---------------------------------------------

_RESERVED = "_*[]()~`>#+-=|{}.!"


def _reserved(ch: str) -> ApiError:
    return _parse_error(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _markdown_v2(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    u16 = 0
    entities: list[Entity] = []
    stack: list[dict[str, Any]] = []  # open entities: type, offset, byte, start (index in out)
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else ""

    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1]["type"] in ("code", "pre")
        quote_start = c == ">" and not in_code and (i == 0 or text[i - 1] == "\n")
        if quote_start:
            if not stack or stack[-1]["type"] != "blockquote":
                stack.append({"type": "blockquote", "offset": u16, "byte": i, "start": len(out)})
            i += 1
            continue
        if c == "\n" and stack and stack[-1]["type"] == "blockquote" and at(i + 1) != ">":
            _close(stack, entities, u16)
        reserved = "`" if in_code else _RESERVED
        if c not in reserved:
            out.append(c)
            u16 += _cu(c)
            i += 1
            continue
        top = stack[-1]["type"] if stack else None
        is_end = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and at(i + 1) != "_")
            or (top == "code" and c == "`")
            or (top == "pre" and text[i : i + 3] == "```")
            or (top in ("text_link", "custom_emoji") and c == "]")
            or (top == "underline" and text[i : i + 2] == "__")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and text[i : i + 2] == "||")
        )
        if not is_end:
            entity: dict[str, Any] = {"offset": u16, "byte": len(text[:i].encode())}
            if c == "_":
                if at(i + 1) == "_":
                    entity["type"] = "underline"
                    i += 1
                else:
                    entity["type"] = "italic"
            elif c == "*":
                entity["type"] = "bold"
            elif c == "~":
                entity["type"] = "strikethrough"
            elif c == "|" and at(i + 1) == "|":
                entity["type"] = "spoiler"
                i += 1
            elif c == "[":
                entity["type"] = "text_link"
            elif c == "!" and at(i + 1) == "[":
                entity["type"] = "custom_emoji"
                i += 1
            elif c == "`" and text[i : i + 3] == "```":
                entity["type"] = "pre"
                i += 3
                end = i
                while end < n and not text[end].isspace() and text[end] != "`":
                    end += 1
                if end != i and end < n and text[end] != "`":
                    entity["language"] = text[i:end]
                    i = end
                if at(i) in ("\n", "\r"):
                    i += 2 if at(i + 1) in ("\n", "\r") and at(i + 1) != at(i) else 1
                i -= 1
            elif c == "`":
                entity["type"] = "code"
            else:
                raise _reserved(c)
            entity["start"] = len(out)
            stack.append(entity)
            i += 1
            continue
        # end of an entity
        entity = stack[-1]
        if top in ("underline", "spoiler"):
            i += 1
        elif top == "pre":
            i += 2
        elif top in ("text_link", "custom_emoji"):
            if at(i + 1) != "(":
                url = "".join(out[entity["start"] :])
            else:
                i += 2
                url_begin = i
                chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        chars.append(text[i + 1])
                        i += 2
                        continue
                    chars.append(text[i])
                    i += 1
                if i >= n:
                    raise _parse_error(f"Can't find end of a URL at byte offset {url_begin}")
                url = "".join(chars)
            if top == "text_link":
                entity["url"] = url
            else:
                entity["custom_emoji_id"] = url.removeprefix("tg://emoji?id=")
        _close(stack, entities, u16)
        i += 1
    if stack and stack[-1]["type"] == "blockquote":
        _close(stack, entities, u16)
    if stack:
        raise _parse_error(
            f"Can't find end of {stack[-1]['type'].title()} entity at byte offset "
            f"{stack[-1]['byte']}"
        )
    return "".join(out), entities


def _close(stack: list[dict[str, Any]], entities: list[Entity], u16: int) -> None:
    entity = stack.pop()
    if u16 == entity["offset"]:
        return
    result = {k: v for k, v in entity.items() if k not in ("byte", "start")}
    result["length"] = u16 - entity["offset"]
    entities.append(result)


# --- legacy Markdown ----------------------------------------------------------------------------


def _markdown_legacy(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    u16 = 0
    entities: list[Entity] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += _cu(c)
            i += 1
            continue
        begin = len(text[:i].encode())
        end_char = "]" if c == "[" else c
        is_pre = False
        i += 1
        language = ""
        if c == "`" and text[i : i + 2] == "``":
            i += 2
            is_pre = True
            end = i
            while end < n and not text[end].isspace() and text[end] != "`":
                end += 1
            if end != i and end < n and text[end] != "`":
                language = text[i:end]
                i = end
        offset = u16
        while i < n and (text[i] != end_char or (is_pre and text[i : i + 3] != "```")):
            out.append(text[i])
            u16 += _cu(text[i])
            i += 1
        if i >= n:
            raise _parse_error(f"Can't find end of the entity starting at byte offset {begin}")
        if offset != u16:
            entity: Entity = {"offset": offset, "length": u16 - offset}
            if c == "_":
                entity["type"] = "italic"
            elif c == "*":
                entity["type"] = "bold"
            elif c == "`":
                entity["type"] = "pre" if is_pre else "code"
                if language:
                    entity["language"] = language
            else:
                entity["type"] = "text_link"
                if text[i + 1 : i + 2] == "(":
                    close = text.find(")", i + 2)
                    if close < 0:
                        raise _parse_error(f"Can't find end of a URL at byte offset {begin}")
                    entity["url"] = text[i + 2 : close]
                    i = close
                else:
                    entity = {}
            if entity:
                entities.append(entity)
        i += 3 if is_pre else 1
    return "".join(out), entities
