"""When a session is, in words, as far as its sources say: "Tuesday 9 December 2026,
18:00–20:00 CET", "Tuesday 9 December 2026, time not published", "Date not known: between ...".
Pages, feeds, descriptions and the bot's messages say it the same way; `session` is a session's
model or its open-data record (`civicloop.opendata.SessionRecord`): both have `starts`, `ends`,
`date` and `date_between`."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time

from civicloop.labels import translator


@cache
def locale(lang: str) -> Locale:
    """Babel gets a Locale, not its name, which it would parse at every call."""
    return Locale.parse(lang)


def session_time(session: Any, zone: str, lang: str, short: bool = False) -> str:
    """A session's (its model's) time span in the zone `zone`, or what is known of its date."""
    if session.starts is None or session.ends is None:
        return unknown_time(session, lang, short)
    return _when(session.starts, session.ends, zone, lang, short)


@lru_cache(maxsize=65536)
def _when(starts: datetime, ends: datetime, zone_name: str, lang: str, short: bool) -> str:
    """A session's time span in its committee's zone: one date, or two when it ends another
    day, and the zone's abbreviation."""
    zone = ZoneInfo(zone_name)
    babel = locale(lang)
    day = "d MMM y, HH:mm" if short else "EEEE d MMMM y, HH:mm"
    text = format_datetime(starts, day, tzinfo=zone, locale=babel)
    if starts.astimezone(zone).date() == ends.astimezone(zone).date():
        text += "–" + format_time(ends, "HH:mm", tzinfo=zone, locale=babel)
    else:
        text += " – " + format_datetime(ends, day, tzinfo=zone, locale=babel)
    return text + " " + starts.astimezone(zone).tzname()


def unknown_time(session: Any, lang: str, short: bool = False) -> str:
    """What is known of the date of a session whose time is not published (`session.date`),
    or whose date is not known (`session.date_between`, or nothing)."""
    t = translator(lang)
    if session.date is not None:
        day = format_date(session.date, "d MMM y" if short else "EEEE d MMMM y", locale=lang)
        return t("{day}, time not published", day=day)
    known = days(session)
    if known is None:
        return t("Date not known")
    first, last = (format_date(d, "d MMMM y", locale=lang) for d in known)
    return t("Date not known: between {first} and {last}", first=first, last=last)


def days(session: Any) -> tuple[date, date] | None:
    """The first and last day a session is on, or may have been on; None: nothing is known."""
    if session.date is not None:
        return session.date, session.date
    if session.date_between is not None:
        return session.date_between[0], session.date_between[1]
    return None
