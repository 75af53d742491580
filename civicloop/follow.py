"""Links from the site to the bot: `https://t.me/<bot>?start=<payload>`, the payload's format
(made by the site, read by the bot), and the QR code of such a link.

Payload scheme, version 1. Telegram passes `start` on as `/start <payload>`: 1 to 64 of
A-Z a-z 0-9 _ -. Each payload is a kind letter, a form character, then its data:

- `c-<slug>`: follow a committee whose slug (folder name) is made of A-Z a-z 0-9 and `-`;
- `c_<base64url>`: any other committee slug, as unpadded base64url of its UTF-8;
- `s-<committee>_<file stem>`: open a session's agenda, both parts of A-Z a-z 0-9 and `-`;
- `s_<base64url>`: any other session, its id `<committee>/<file stem>` as above;
- `committees`: choose among all committees (the home page's link);
- `i-<token>`: a committee member's one-time invitation (`python -m bot invite`), the token
  16 to 43 of A-Z a-z 0-9 _ - (random: the bot keeps its hash, committee and role), short
  enough for the bot's buttons to carry it through a newcomer's language choice.

Each slug has exactly one payload and each payload one slug (a base64url form of a slug the
readable form could carry, or a non-canonical base64url, is refused), so the encoding is total
and reversible. Forms are never changed nor reused: a later version only adds new ones, so links
printed on posters keep working.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import segno

from civicloop.catalog import Entry
from civicloop.escaping import Markdown, html_text
from civicloop.labels import translator
from civicloop.problems import Problem

VERSION = 1
LIMIT = 64  # Telegram's longest `start` parameter
USERNAME = re.compile(r"[A-Za-z0-9_]{5,32}")  # Telegram's usernames
HOME = "committees"
_PLAIN = re.compile(r"[A-Za-z0-9-]+")
_CHARACTERS = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,43}")


@dataclass(frozen=True)
class Target:
    """What a payload asks for: a committee to follow, a session's agenda, or the list."""

    kind: Literal["committee", "session", "committees", "invitation"]
    ident: str = ""  # the committee's slug, the session's `<committee>/<stem>`, or the token


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(data: str) -> str | None:
    """The text `data` encodes (`parse` then checks that `data` is its one form), or None."""
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode() or None
    except (binascii.Error, ValueError):
        return None


def committee(slug: str) -> str:
    """The payload of following committee `slug`."""
    return f"c-{slug}" if _PLAIN.fullmatch(slug) else f"c_{_b64(slug)}"


def session(ident: str) -> str:
    """The payload of session `ident` (`<committee>/<file stem>`)."""
    folder, _, stem = ident.partition("/")
    if _PLAIN.fullmatch(folder) and _PLAIN.fullmatch(stem):
        return f"s-{folder}_{stem}"
    return f"s_{_b64(ident)}"


def invitation(token: str) -> str:
    """The payload of a member's invitation with `token` (ValueError if no payload can hold
    it)."""
    if not _TOKEN.fullmatch(token):
        raise ValueError(f"an invitation token is 16 to 43 of A-Z a-z 0-9 _ -, not {token!r}")
    return f"i-{token}"


def link(bot: str, payload: str) -> str:
    """The link that opens bot `bot` with `payload`."""
    return f"https://t.me/{bot}?start={payload}"


def parse(payload: str) -> Target | None:
    """What `payload` asks for, or None for anything this version did not make."""
    if payload == HOME:
        return Target("committees")
    if not _CHARACTERS.fullmatch(payload) or len(payload) < 3:
        return None
    kind, form, data = payload[0], payload[1], payload[2:]
    if kind == "c":
        slug = data if form == "-" else _unb64(data) if form == "_" else None
        if slug is None or "/" in slug or committee(slug) != payload:
            return None
        return Target("committee", slug)
    if kind == "s":
        if form == "-":
            folder, _, stem = data.partition("_")
            ident = f"{folder}/{stem}"
        else:
            ident = (_unb64(data) or "") if form == "_" else ""
        folder, _, stem = ident.partition("/")
        if not folder or not stem or "/" in stem or session(ident) != payload:
            return None
        return Target("session", ident)
    if kind == "i" and form == "-" and _TOKEN.fullmatch(data):
        return Target("invitation", data)
    return None


def username(env: Mapping[str, str] = os.environ) -> str | None:
    """CIVICLOOP_BOT_USERNAME without its `@`, or None when unset; a clear error if invalid."""
    value = env.get("CIVICLOOP_BOT_USERNAME", "").strip().removeprefix("@")
    if value and not USERNAME.fullmatch(value):
        raise ValueError(
            f"CIVICLOOP_BOT_USERNAME is {value!r}: a Telegram username is 5 to 32 letters, "
            "digits or '_' (the bot's name in @BotFather, e.g. civicloop_bot)"
        )
    return value or None


@dataclass(frozen=True)
class Offer:
    """A page's "Follow on Telegram": the link, and its QR code for posters and printed
    agendas (HTML: an inline SVG with its text alternative, and the link written below)."""

    url: str
    figure: Markdown


def offer(bot: str | None, payload: str, lang: str) -> Offer | None:
    """The link to the bot `bot` with `payload`, and its QR code in `lang`; None without a
    bot: the page then has no such link."""
    if bot is None:
        return None
    t = translator(lang)
    url = link(bot, payload)
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=4,
        light="#fff",  # dark on white in the dark colour scheme too, or readers cannot scan it
        title=t("QR code of {url}", url=url),
        svgclass="civicloop-follow__qr",
    )
    caption = html_text(t("Scan it to open the bot on Telegram: {url}", url=url))
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    figure = f'<figure class="civicloop-follow">{svg}<figcaption>{caption}</figcaption></figure>'
    return Offer(url, Markdown(figure))


def too_long(
    entries: Iterable[Entry], payload: Callable[[Entry], str], what: str
) -> Iterator[Problem]:
    """Entries whose payload Telegram would refuse: a problem at the file's first line."""
    for entry in entries:
        made = payload(entry)
        if len(made) > LIMIT:
            yield Problem(
                entry.path,
                1,
                f"the {what}'s Telegram link would need a start parameter of {len(made)} "
                f"characters ({made[:12]}...), over Telegram's {LIMIT}: shorten its name "
                f"(letters, digits and '-' make the shortest)",
            )
