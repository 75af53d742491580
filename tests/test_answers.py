"""The exchange of a poll's answers between the bot and the core: the store's answers, exported
by `python -m bot answers` and read by `read_poll_answers`, give the results file the old direct
reading of the tables gave; a malformed answers file is one clear line and exit 1; the store
alone holds SQL on the bot's tables."""

from __future__ import annotations

import ast
import contextlib
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

import bot.__main__ as bot_main
from bot.store import Store
from civicloop.answers import MAX_BYTES, read_poll_answers
from civicloop.cli import main
from civicloop.results import Answer, PollInfo, render, results_of

OPENED = datetime(2026, 12, 1, 8, tzinfo=UTC)
CLOSED = datetime(2026, 12, 20, 19, tzinfo=UTC)
SECRET = b"a secret of at least thirty-two bytes"


def answers_read_before(db: sqlite3.Connection, poll_id: str) -> list[Answer]:
    """The core's reading of the bot's tables before the exchange (civicloop/answers.py as it
    was), kept here as the oracle the exchange must agree with."""
    rows = db.execute(
        "SELECT a.options, a.language, c.text FROM answers a LEFT JOIN comments c "
        "ON c.poll_id = a.poll_id AND c.voter = a.voter WHERE a.poll_id = ? ORDER BY a.voter",
        (poll_id,),
    ).fetchall()
    answers = [Answer(json.loads(options), language, text) for options, language, text in rows]
    lone = db.execute(
        "SELECT text FROM comments c WHERE poll_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM answers a WHERE a.poll_id = c.poll_id AND a.voter = c.voter)",
        (poll_id,),
    ).fetchall()
    return answers + [Answer([], "", text) for (text,) in lone]


def times_read_before(db: sqlite3.Connection, poll_id: str) -> tuple[str | None, str | None]:
    found = db.execute(
        "SELECT opened_at, closed_at FROM polls WHERE poll_id = ?", (poll_id,)
    ).fetchone()
    return (found[0], found[1]) if found else (None, None)


def vote(store: Store, user: int, options: list[int], language: str = "en", at: int = 0) -> None:
    store.record_answer("p", user, options, update_id=at or user, language=language)


def opened_and_closed(store: Store) -> None:
    store.mark_poll("p", opened_at=OPENED.isoformat(), closed_at=CLOSED.isoformat())


def groups(store: Store) -> None:
    for user in range(1, 23):
        vote(store, user, [user % 2], "fr" if user > 11 else "en")
    opened_and_closed(store)


def small_groups(store: Store) -> None:
    for user in range(1, 12):
        vote(store, user, [user % 3], "fr" if user > 9 else "en")
    opened_and_closed(store)


def lone_comments(store: Store) -> None:
    for user in range(1, 8):
        vote(store, user, [0])
    store.record_comment("p", 3, "I answered, and say so", update_id=50)
    store.record_comment("p", 40, "I never answered", update_id=51)
    store.record_comment("p", 41, "  \n ", update_id=52)  # only spaces: not listed
    store.record_comment("p", 42, "I never answered", update_id=53)  # the same words twice
    opened_and_closed(store)


def retracted(store: Store) -> None:
    for user in range(1, 9):
        vote(store, user, [1], at=user)
    vote(store, 2, [], at=20)  # retracted
    vote(store, 3, [0], at=21)  # changed
    vote(store, 4, [0], at=1)  # an older update, delivered late: loses
    store.record_comment("p", 2, "I took my answer back but not this", update_id=22)
    opened_and_closed(store)


def never_opened(store: Store) -> None:
    vote(store, 1, [0])  # the poll is someone else's: nothing of ours about it
    store.record_answer("q", 2, [1], update_id=2)


def multiple_choice(store: Store) -> None:
    for user in range(1, 10):
        vote(store, user, [0, 2] if user % 3 else [1, 2, 0], "fr" if user % 2 else "en")
    opened_and_closed(store)


def forgotten(store: Store) -> None:
    for user in range(1, 8):
        store.ensure_user(user, user, "en")
        vote(store, user, [user % 2])
    store.record_comment("p", 1, "a comment of someone who leaves", update_id=30)
    opened_and_closed(store)
    store.mark_poll("p", published_at=CLOSED.isoformat())
    store.forget(1)  # a closed poll's answer stays, unlinked


def suppressed(store: Store) -> None:
    for user in range(1, 5):
        vote(store, user, [user % 2], "fr")
    store.record_comment("p", 1, "<b>four</b> [people](javascript:x)", update_id=9)
    opened_and_closed(store)


def opened_only(store: Store) -> None:
    for user in range(1, 7):
        vote(store, user, [1])
    store.mark_poll("p", opened_at=OPENED.isoformat())


STATES: list[Callable[[Store], None]] = [
    groups,
    small_groups,
    lone_comments,
    retracted,
    never_opened,
    multiple_choice,
    forgotten,
    suppressed,
    opened_only,
]


@pytest.mark.parametrize("comments", [True, False], ids=["comments", "no-comments"])
@pytest.mark.parametrize("state", STATES, ids=[s.__name__ for s in STATES])
def test_exported_answers_give_the_results_the_tables_gave(
    state, comments, tmp_path, monkeypatch, capsysbinary
):
    path = tmp_path / "bot.sqlite3"
    store = Store(path, SECRET)
    with store.transaction():
        state(store)
    store.close()
    poll = PollInfo("p", "c", "c/01-s", "Q?", "single", ["a", "b", "c"], comments=comments)
    with sqlite3.connect(path) as db:
        before = results_of(poll, answers_read_before(db, "p"))
        opened, closed = times_read_before(db, "p")

    monkeypatch.setenv("CIVICLOOP_DB", str(path))
    assert bot_main.main(["answers", "p"]) == 0
    exported = tmp_path / "p.json"
    exported.write_bytes(capsysbinary.readouterr().out)
    after = read_poll_answers(exported, "p")

    # the session's times stand in for a poll the bot never opened, as `civicloop results` does
    opens, closes = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    expected = render(
        before,
        datetime.fromisoformat(opened) if opened else opens,
        datetime.fromisoformat(closed) if closed else closes,
    )
    assert after.outcome(poll) == before
    assert render(after.outcome(poll), after.opened or opens, after.closed or closes) == expected


def test_the_exchange_says_nothing_of_who_answered(tmp_path, monkeypatch, capsysbinary):
    """No pseudonym, no user id, no time of an answer; the order of the answers is theirs, and
    no comment sits beside the choice of the one who wrote it."""
    path = tmp_path / "bot.sqlite3"
    store = Store(path, SECRET)
    with store.transaction():
        for user in (5, 3, 9, 1):
            store.ensure_user(user, 1000 + user, "en")
            vote(store, user, [user % 3], "fr" if user > 4 else "en", at=user)
        store.record_comment("p", 9, "mine", update_id=20)
        opened_and_closed(store)
    voters = {store.voter(user) for user in (5, 3, 9, 1)}
    store.close()
    monkeypatch.setenv("CIVICLOOP_DB", str(path))
    assert bot_main.main(["answers", "p"]) == 0
    out = capsysbinary.readouterr().out.decode()
    document = json.loads(out)
    assert set(document) == {"version", "poll", "opened", "closed", "answers", "comments"}
    assert document["answers"] == [
        {"options": [0], "group": "en", "role": None},
        {"options": [0], "group": "fr", "role": None},
        {"options": [1], "group": "en", "role": None},
        {"options": [2], "group": "fr", "role": None},
    ]
    assert document["comments"] == ["mine"]
    assert not [v for v in voters if v in out]
    assert "100" not in out.replace(CLOSED.isoformat(), "")  # no chat id


def test_the_export_reads_only_the_database(tmp_path, monkeypatch, capsys):
    """`python -m bot answers` needs no token and no key; it changes nothing in the file."""
    path = tmp_path / "bot.sqlite3"
    store = Store(path, SECRET)
    with store.transaction():
        vote(store, 1, [0])
    store.close()
    before = path.read_bytes()
    for name in ("TELEGRAM_BOT_TOKEN", "CIVICLOOP_SECRET", "CIVICLOOP_SECRET_FILE", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVICLOOP_DB", str(path))
    assert bot_main.main(["answers", "p"]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] == [
        {"options": [0], "group": "en", "role": None}
    ]
    assert path.read_bytes() == before
    assert bot_main.main(["answers", "nobody-asked"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["answers"] == []
    assert printed.err == f"civicloop bot: {path} has no answers to poll 'nobody-asked'\n"


@pytest.mark.parametrize(
    ("argv", "database", "error"),
    [
        (
            ["answers", "p"],
            "missing",
            "no bot database at {db}; set CIVICLOOP_DB to the bot's database",
        ),
        (["answers", "p"], "text", "{db} is not a bot database: file is not a database"),
        (
            ["answers", "p"],
            "empty-sqlite",
            "{db} is not a bot database (it has none of the bot's tables)",
        ),
        (["answers", "P Q"], "store", "'P Q' is not a poll id (a-z, 0-9 and -)"),
    ],
)
def test_export_errors_are_one_line(argv, database, error, tmp_path, monkeypatch, capsys):
    db = tmp_path / "bot.sqlite3"
    if database == "text":
        db.write_text("not a database\n")
    elif database == "empty-sqlite":
        with contextlib.closing(sqlite3.connect(db)) as made:
            made.execute("CREATE TABLE other (x)")
    elif database == "store":
        Store(db, SECRET).close()
    monkeypatch.setenv("CIVICLOOP_DB", str(db))
    assert bot_main.main(argv) == 2
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == ("", f"civicloop bot: {error.format(db=db)}\n")


GOOD = {
    "version": 1,
    "poll": "test-poll",
    "opened": "2026-12-01T08:00:00Z",
    "closed": "2026-12-20T19:00:00+01:00",
    "answers": [{"options": [0], "group": "en"}, {"options": [0, 1], "group": "fr-BE"}],
    "comments": ["a comment"],
}


def good(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


def without(key: str) -> bytes:
    return json.dumps({k: v for k, v in GOOD.items() if k != key}).encode()


def answer(**fields: object) -> bytes:
    return good(answers=[{"options": [0], "group": "en", **fields}])


MAKE = "make it with: python -m bot answers test-poll"
MALFORMED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "{f}:1: not JSON (Expecting value); " + MAKE),
    "not JSON": (b"poll,answers\n", "{f}:1: not JSON (Expecting value); " + MAKE),
    "cut short": (good()[:40], "{f}:1: not JSON (Unterminated string starting at); " + MAKE),
    "an array": (b"[]", "{f}: holds a JSON array, not an object of answers; " + MAKE),
    "null": (b"null", "{f}: holds a JSON null, not an object of answers; " + MAKE),
    "a number": (b"42", "{f}: holds a JSON number, not an object of answers; " + MAKE),
    "a string": (b'"answers"', "{f}: holds a JSON string, not an object of answers; " + MAKE),
    "no version": (
        without("version"),
        "{f}: has no format version, so it is no answers file; " + MAKE,
    ),
    "version 2": (
        good(version=2),
        "{f}: answers in format version 2, this civicloop reads version 1; "
        + MAKE
        + ", with the bot of this civicloop",
    ),
    "version as text": (
        good(version="1"),
        "{f}: answers in format version '1', this civicloop reads version 1; "
        + MAKE
        + ", with the bot of this civicloop",
    ),
    "version true": (
        good(version=True),
        "{f}: answers in format version True, this civicloop reads version 1; "
        + MAKE
        + ", with the bot of this civicloop",
    ),
    "another poll": (
        good(poll="other-poll"),
        "{f}: holds the answers of poll 'other-poll', not 'test-poll'; " + MAKE,
    ),
    "poll not a slug": (
        good(poll="Test Poll"),
        "{f}: poll: String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'; " + MAKE,
    ),
    "extra key": (good(voters=["ab12"]), "{f}: voters: Extra inputs are not permitted; " + MAKE),
    "extra key in an answer": (
        answer(voter="ab12"),
        "{f}: answers.0.voter: Extra inputs are not permitted; " + MAKE,
    ),
    "a key twice": (
        b'{"version": 1, "poll": "test-poll", "poll": "other-poll"}',
        "{f}: not answers (the key 'poll' appears twice); " + MAKE,
    ),
    "no answers": (without("answers"), "{f}: answers: Field required; " + MAKE),
    "answers not a list": (
        good(answers={"options": [0]}),
        "{f}: answers: Input should be a valid list; " + MAKE,
    ),
    "negative option": (
        answer(options=[-1]),
        "{f}: answers.0.options.0: Input should be greater than or equal to 0; " + MAKE,
    ),
    "option no poll has": (
        answer(options=[12]),
        "{f}: answers.0.options.0: Input should be less than 12; " + MAKE,
    ),
    "option as text": (
        answer(options=["0"]),
        "{f}: answers.0.options.0: Input should be a valid integer; " + MAKE,
    ),
    "option true": (
        answer(options=[True]),
        "{f}: answers.0.options.0: Input should be a valid integer; " + MAKE,
    ),
    "option NaN": (
        b'{"version": 1, "answers": [{"options": [NaN]}]}',
        "{f}: not answers (NaN is not a number JSON allows); " + MAKE,
    ),
    "option of 5,000 digits": (
        answer(options=[10**4000]).replace(b"1" + b"0" * 4000, b"1" + b"0" * 5000),
        "{f}: not answers (Exceeds the limit (4300 digits) for integer string conversion: "
        "value has 5001 digits; use sys.set_int_max_str_digits() to increase the limit); " + MAKE,
    ),
    "no options": (
        answer(options=[]),
        "{f}: answers.0.options: List should have at least 1 item after validation, not 0; " + MAKE,
    ),
    "group as markup": (
        answer(group="<b>en</b>"),
        "{f}: answers.0.group: String should match pattern "
        "'^[a-z]{{2,3}}(-[A-Za-z0-9]{{1,8}})*$'; " + MAKE,
    ),
    "time without offset": (
        good(opened="2026-12-01T08:00:00"),
        "{f}: opened: Input should have timezone info; " + MAKE,
    ),
    "time as words": (
        good(closed="soon"),
        "{f}: closed: Input should be a valid datetime or date, input is too short; " + MAKE,
    ),
    "comments as text": (
        good(comments="hi"),
        "{f}: comments: Input should be a valid list; " + MAKE,
    ),
    "unpaired surrogate in a comment": (
        good(comments=["\ud800 hi"]),
        "{f}: holds an unpaired surrogate (\\ud800), which is no text; " + MAKE,
    ),
    "unpaired surrogate in a key": (
        json.dumps({**GOOD, "\udc80": 1}).encode(),
        "{f}: holds an unpaired surrogate (\\udc80), which is no text; " + MAKE,
    ),
    "not UTF-8": (b'{"version": 1, "poll": "\xff"}', "{f}: not UTF-8 text (byte 24); " + MAKE),
    "UTF-16": (
        good().decode().encode("utf-16"),
        "{f}: not UTF-8 text (byte 0); " + MAKE,
    ),
    "nested too deep": (b"[" * 100_000, "{f}: not answers (nested too deep); " + MAKE),
    "huge": (b" " * (MAX_BYTES + 1), "{f}: larger than 64 MiB, not answers; " + MAKE),
    "a long key": (
        good(**{"k" * 5000: 1}),
        "{f}: " + "k" * 37 + "...: Extra inputs are not permitted; " + MAKE,
    ),
}


@pytest.mark.parametrize(("data", "error"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_answers_file_is_one_line_and_exit_1(data, error, content, tmp_path, capsys):
    path = tmp_path / "answers.json"
    path.write_bytes(data)
    assert main(["--content", str(content), "results", "test-poll", "--answers", str(path)]) == 1
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == ("", f"civicloop: {error.format(f=path)}\n")


def test_a_missing_or_unreadable_answers_file(content, tmp_path, capsys):
    for given, error in [
        (tmp_path / "nowhere.json", "no answers file at {f}; " + MAKE + " > {f}"),
        (tmp_path, "{f}: cannot read it (Is a directory); " + MAKE),
    ]:
        argv = ["--content", str(content), "results", "test-poll", "--answers", str(given)]
        assert main(argv) == 1
        assert capsys.readouterr().err == f"civicloop: {error.format(f=given)}\n"


def test_a_good_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "answers.json"
    path.write_bytes("\ufeff".encode() + good())
    read = read_poll_answers(path, "test-poll")
    assert [b.group for b in read.answers] == ["en", "fr-BE"] and read.comments == ["a comment"]


def test_the_schema_describes_what_the_bot_writes(tmp_path, monkeypatch, capsysbinary):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    capsysbinary.readouterr()
    schema = json.loads((tmp_path / "poll-answers.json").read_text())
    path = tmp_path / "bot.sqlite3"
    store = Store(path, SECRET)
    with store.transaction():
        groups(store)
        store.record_comment("p", 1, "a comment", update_id=99)
    store.close()
    monkeypatch.setenv("CIVICLOOP_DB", str(path))
    assert bot_main.main(["answers", "p"]) == 0
    jsonschema.validate(json.loads(capsysbinary.readouterr().out), schema)
    jsonschema.validate(json.loads(good()), schema)
    for bad in (good(voter="x"), answer(options=[-1]), without("version"), good(version=2)):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(json.loads(bad), schema)


SQL = ("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "PRAGMA", "SAVEPOINT", "ROLLBACK")


def sql_outside_the_store(root: Path) -> list[str]:
    """Calls of `.execute`/`.executemany`/`.executescript` given SQL text, and string constants
    that begin with a statement, in civicloop/ and in bot/ outside bot/store/; imports of
    sqlite3 in civicloop/."""
    found = []
    for package in ("civicloop", "bot"):
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative.startswith("bot/store/"):
                continue
            for node in ast.walk(ast.parse(path.read_text(), relative)):
                where = f"{relative}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if node.value.lstrip().startswith(tuple(s + " " for s in SQL)):
                        found.append(f"{where}: {node.value.strip()[:30]}")
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    text = node.args[0] if node.args else None
                    if node.func.attr.startswith("execute") and isinstance(
                        text, ast.Constant | ast.JoinedStr | ast.BinOp
                    ):
                        found.append(f"{where}: .{node.func.attr}(...)")
                elif package == "civicloop" and isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                    if "sqlite3" in names:
                        found.append(f"{where}: import sqlite3")
    return sorted(found)


def test_the_store_holds_all_the_sql(tmp_path):
    assert sql_outside_the_store(ROOT) == []
    # the check finds what it looks for
    (tmp_path / "civicloop").mkdir()
    (tmp_path / "bot/store").mkdir(parents=True)
    (tmp_path / "civicloop/a.py").write_text(
        'import sqlite3\nq = "SELECT 1"\ndb.execute(f"DELETE FROM t")\n'
    )
    (tmp_path / "bot/b.py").write_text('db.execute("ROLLBACK TO x")\nconsole.execute(action)\n')
    (tmp_path / "bot/store/c.py").write_text('db.execute("SELECT 1")\n')
    assert sql_outside_the_store(tmp_path) == [
        "bot/b.py:1: .execute(...)",
        "bot/b.py:1: ROLLBACK TO x",
        "civicloop/a.py:1: import sqlite3",
        "civicloop/a.py:2: SELECT 1",
        "civicloop/a.py:3: .execute(...)",
        "civicloop/a.py:3: DELETE FROM t",
    ]
