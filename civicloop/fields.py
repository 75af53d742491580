"""Field types every content model shares: what editors' text, numbers, dates, zones and links
must be. Their own module, so that content types kept in modules of their own (draws) use the
same rules without importing the models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationInfo,
)

from civicloop.text import telegram_length, unsafe_link, visible

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[StrictStr, Field(pattern=SLUG)]


def _paragraphs(value: str) -> str:
    value = value.strip()
    if not visible(value):
        raise ValueError("is empty or only spaces; write the text, or remove the line")
    return value


def _line(value: str) -> str:
    value = _paragraphs(value)
    if len(value.splitlines()) > 1:  # U+2028 and U+2029 too, line breaks to YAML and JS
        raise ValueError("must be one line")
    return value


Text = Annotated[StrictStr, AfterValidator(_line)]  # one line: titles, names, options
Paragraphs = Annotated[StrictStr, AfterValidator(_paragraphs)]  # line breaks allowed
PositiveInt = Annotated[StrictInt, Field(gt=0)]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]


@cache
def time_zones() -> frozenset[str]:
    """IANA zone names; not the system's aliases ('localtime') nor tzdata's test zone."""
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"})


def _timezone(name: str) -> str:
    if name not in time_zones():
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/Brussels'")
    ZoneInfo(name)
    return name


TimeZone = Annotated[StrictStr, AfterValidator(_timezone)]
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC)


def _written(value: Any) -> Any:
    """Dates come from YAML as text (see yamlsubset); a number would be read as seconds."""
    if not isinstance(value, str):
        raise ValueError("write a date and time like 2026-12-01T18:00:00+01:00")
    return value


def _in_range(value: datetime) -> datetime:
    """Every output converts dates to other time zones: keep them where that cannot overflow."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValueError("is outside the years 1970 to 9998; check the year")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_written), AfterValidator(_in_range)]


def _day(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("write a date like 2026-12-01")
    return value


Day = Annotated[date, BeforeValidator(_day)]


def _link(url: str) -> str:
    reason = unsafe_link(url)
    if reason:
        raise ValueError(f"{reason}; only https:, http:, mailto: and relative links are allowed")
    return url


def after(value: datetime, info: ValidationInfo, earlier: str) -> datetime:
    """For a field validator: the value must come after the field `earlier`."""
    start = info.data.get(earlier)
    if start is not None and value <= start:
        raise ValueError(f"must be after {earlier!r} ({start.isoformat()})")
    return value


SafeLink = Annotated[StrictStr, AfterValidator(_line), AfterValidator(_link)]


# Telegram's sendPoll limits (Bot API: question 1-300 characters, options 1-100 characters
# each): a poll beyond them would fail for every citizen, so it is a content error.
QUESTION_LENGTH, OPTION_LENGTH, OPTIONS = 300, 100, (2, 12)


def at_most(limit: int) -> AfterValidator:
    """1 to `limit` characters as Telegram counts them (checked in Python: pydantic's own length
    constraints refuse text holding an unpaired surrogate, which the outputs clean later)."""

    def check(value: str) -> str:
        length = telegram_length(value)
        if not length:
            raise ValueError("is empty; Telegram needs at least one character")
        if length > limit:
            raise ValueError(f"is {length} characters long; Telegram allows at most {limit}")
        return value

    return AfterValidator(check)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
