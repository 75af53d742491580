"""A poll's answers as the bot hands them to the tally: the documented exchange format between
the bot, which holds them, and the core, which never opens the bot's database.

`python -m bot answers <poll>` writes it, `civicloop results <poll> --answers FILE|-` reads it;
its JSON Schema is `poll-answers.json` from `civicloop schema`. It carries what the results are
made of and nothing that says who answered: no pseudonym, answers in an order of their own, the
comments apart from the answers (the results file lists them unlinked from any choice).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
)

from civicloop.content import Member
from civicloop.fields import OPTIONS, Slug
from civicloop.results import Answer, PollInfo, PollOutcome, results_of

VERSION = 1
MAX_BYTES = 64 * 2**20  # 20,000 answers take about 1 MB; a larger file is not an export of ours
JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "true/false"}
JSON_NAMES[type(None)] = "null"
Role = Member.model_fields["role"].annotation  # the member roles committee types name


class AnswersError(ValueError):
    """An answers file this program cannot use; the message says why and how to make one."""


class Ballot(BaseModel):
    """One respondent's choice: the options' indexes, the group the language breakdown counts
    it in (the language the respondent uses the bot in), and the member role they held in the
    poll's committee (none: one of the public; files written before roles have none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    options: list[Annotated[StrictInt, Field(ge=0, lt=OPTIONS[1])]] = Field(
        min_length=1, max_length=OPTIONS[1]
    )
    group: Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    role: Role | None = None


class PollAnswers(BaseModel):
    """One poll's answers, as `python -m bot answers <poll>` writes them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    poll: Slug
    opened: AwareDatetime | None = Field(description="when the bot opened the poll, if it did")
    closed: AwareDatetime | None = Field(description="when the bot closed it, if it did")
    answers: list[Ballot]
    comments: list[StrictStr] = Field(
        description="respondents' comments, whether they still answer or not"
    )

    def outcome(self, poll: PollInfo) -> PollOutcome:
        """The tally of these answers for `poll` (comments count only if it collects them)."""
        return results_of(
            poll,
            [Answer(list(b.options), b.group, role=b.role) for b in self.answers]
            + [Answer([], "", text) for text in self.comments],
        )


def schema() -> dict[str, Any]:
    document = PollAnswers.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document


def read_poll_answers(source: Path | Literal["-"], poll_id: str) -> PollAnswers:
    """The answers of `poll_id` from a file (`-`: standard input); AnswersError says what is
    wrong in one line, with the way to make a good one."""
    where = "standard input" if source == "-" else str(source)
    make = f"make it with: python -m bot answers {poll_id}"
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise AnswersError(f"no answers file at {where}; {make} > {where}") from None
    except OSError as error:
        raise AnswersError(f"{where}: cannot read it ({error.strerror}); {make}") from None
    if len(data) > MAX_BYTES:
        raise AnswersError(f"{where}: larger than {MAX_BYTES // 2**20} MiB, not answers; {make}")
    try:
        text = data.decode("utf-8-sig")  # a byte order mark, as some editors write, is no harm
        document = json.loads(text, object_pairs_hook=_unique, parse_constant=_constant)
        json.dumps(document, ensure_ascii=False).encode()  # every string UTF-8 can hold
    except UnicodeDecodeError as error:
        raise AnswersError(f"{where}: not UTF-8 text (byte {error.start}); {make}") from None
    except UnicodeEncodeError as error:
        raise AnswersError(
            f"{where}: holds an unpaired surrogate ({_shown(error.object[error.start])}), "
            f"which is no text; {make}"
        ) from None
    except json.JSONDecodeError as error:
        raise AnswersError(f"{where}:{error.lineno}: not JSON ({error.msg}); {make}") from None
    except RecursionError:
        raise AnswersError(f"{where}: not answers (nested too deep); {make}") from None
    except ValueError as error:  # from the two hooks
        raise AnswersError(f"{where}: not answers ({error}); {make}") from None
    if not isinstance(document, dict):
        kind = JSON_NAMES.get(type(document), "value")
        raise AnswersError(f"{where}: holds a JSON {kind}, not an object of answers; {make}")
    if "version" not in document:
        raise AnswersError(f"{where}: has no format version, so it is no answers file; {make}")
    if type(document["version"]) is not int or document["version"] != VERSION:  # not true, 1.0
        raise AnswersError(
            f"{where}: answers in format version {_shown(repr(document['version']))}, this "
            f"civicloop reads version {VERSION}; {make}, with the bot of this civicloop"
        )
    try:
        answers = PollAnswers.model_validate(document)
    except ValidationError as error:
        raise AnswersError(f"{where}: {_first(error)}; {make}") from None
    if answers.poll != poll_id:
        raise AnswersError(
            f"{where}: holds the answers of poll {answers.poll!r}, not {poll_id!r}; {make}"
        )
    return answers


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        twice = next(key for i, (key, _) in enumerate(pairs) if key in dict(pairs[:i]))
        raise ValueError(f"the key {_shown(repr(twice))} appears twice")
    return found


def _constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _first(error: ValidationError) -> str:
    """The first problem, where it is (`answers.3.options`), and how many others."""
    first = error.errors()[0]
    where = ".".join(_shown(part) for part in first["loc"]) or "the document"
    others = error.error_count() - 1
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    return f"{where}: {first['msg']}{more}"


def _shown(part: object, limit: int = 40) -> str:
    """A key or a place as the error line shows it: short, and printable whatever it holds."""
    text = part if isinstance(part, str) else str(part)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text.encode("ascii", "backslashreplace").decode()
