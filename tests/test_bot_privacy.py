"""Citizens' data is private on disk: /forget leaves no byte of the person in the database, its
`-wal` and `-shm` files or the logs; store and secret files are the owner's alone; a weak or
leaked key is refused or redacted."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from botkit import buttons

from bot import logs
from bot.settings import Settings
from bot.sitedata import short
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
MARKER = "Zyxwvutsrq"
CITIZEN = 7392018465  # distinctive in decimal, so a stray copy of it is found
BINARY_ID = CITIZEN.to_bytes(6, "big")  # how SQLite stores it in a record (6-byte integer)
KEY = b"k" * 16 + b"0123456789abcdef"  # 32 bytes
TOKEN = "123456:PRIVACY-TEST"


def on_disk(db: Path) -> bytes:
    """The raw bytes of the database and of every file SQLite keeps beside it."""
    return b"".join(
        path.read_bytes() for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if path.exists()
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    before = os.umask(value)
    try:
        yield
    finally:
        os.umask(before)


# /forget through the real bot -----------------------------------------------------------------


async def test_forget_leaves_no_trace_in_the_files_or_the_logs(make_harness, caplog):
    caplog.set_level(logging.INFO)  # the production level (bot.logs.setup)
    kit = await make_harness()
    kit.ctl.add_user(
        CITIZEN, MARKER, last_name=f"{MARKER}son", username=f"{MARKER}_u", language_code="en"
    )
    welcome = await kit.command(CITIZEN, "start", "What I store")
    listing = await kit.press(CITIZEN, welcome, "lang:en", "Committees you can follow")
    await kit.press_answered(CITIZEN, listing, f"sub:{short('test')}", "You now follow")
    poll = await kit.until(lambda: [m for m in kit.messages(CITIZEN) if m.get("poll")])
    kit.ctl.answer_poll(CITIZEN, [2], message_id=poll[0]["message_id"])
    rating = await kit.until(
        lambda: [m for m in kit.messages(CITIZEN) if f"rate:{short('test-rating')}:4" in buttons(m)]
    )
    kit.ctl.press_button(CITIZEN, rating[0]["message_id"], data=f"rate:{short('test-rating')}:4")
    await kit.until(lambda: len(kit.rows("SELECT 1 FROM answers")) == 2)
    before = len(kit.messages(CITIZEN))
    kit.ctl.send_message(CITIZEN, f"{MARKER} here, call me on 0470 12 34 56")
    await kit.reply_to(CITIZEN, before, containing="/help")
    mine = await kit.command(CITIZEN, "mydata", containing="stored about you")
    assert str(CITIZEN) in mine["text"] and "polls that have closed" in mine["text"]
    with closing(Store(":memory:", kit.settings.secret)) as store:
        pseudonym = store.voter(CITIZEN)
    written = on_disk(kit.settings.db)
    assert MARKER.lower().encode() in written.lower()  # the files read below are where it was
    assert BINARY_ID in written  # an INTEGER column's bytes (users.chat_id)

    question = await kit.command(CITIZEN, "forget", containing="Erase")
    assert "polls that have closed" in question["text"]
    await kit.press(CITIZEN, question, "forget:yes", containing="Everything about you is erased")

    left = on_disk(kit.settings.db).lower()
    for trace in (MARKER.lower(), str(CITIZEN), pseudonym, "0470 12 34 56"):
        assert trace.encode() not in left, trace
    # Once the farewell has left the queue, no page that held the chat id stays in any file.
    await kit.until(lambda: not kit.rows("SELECT 1 FROM outbox WHERE chat_id = ?", CITIZEN))
    left = on_disk(kit.settings.db)
    assert BINARY_ID not in left and MARKER.lower().encode() not in left.lower()
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records).lower()
    assert caplog.records and MARKER.lower() not in logged and str(CITIZEN) not in logged


# /forget and polls: what goes, what stays in totals ------------------------------------------

POLL_STATES = {
    "open": {},
    "closed": {"closed_at": "2026-12-01T10:00:00+00:00"},
    "published": {
        "closed_at": "2026-12-01T10:00:00+00:00",
        "published_at": "2026-12-01T11:00:00+00:00",
    },
}


@pytest.mark.parametrize(
    ("state", "answer_stays", "comment_stays"),
    [("open", False, False), ("closed", True, False), ("published", True, True)],
)
def test_forget_erases_open_polls_and_unlinks_closed_ones(
    tmp_path, state, answer_stays, comment_stays
):
    path = tmp_path / "bot.sqlite3"
    store = Store(path, KEY)
    comment = f"{MARKER} thinks Tuesday is better"
    with store.transaction():
        for user in (1, 2):
            store.ensure_user(user, user, "fr" if user == 1 else "en")
            store.record_answer("p", user, [user], update_id=10 + user, language="fr")
        store.record_comment("p", 1, comment, update_id=20)
        store.mark_poll("p", opened_at="2026-11-30T10:00:00+00:00", **POLL_STATES[state])
    voter = store.voter(1)

    store.forget(1)

    answers = store.db.execute("SELECT * FROM answers ORDER BY options").fetchall()
    expected = [[1], [2]] if answer_stays else [[2]]
    assert [json.loads(r["options"]) for r in answers] == expected
    if answer_stays:
        kept = answers[0]
        assert kept["voter"] not in (voter, store.voter(2)) and len(kept["voter"]) == 64
        assert (kept["update_id"], kept["answered_at"]) == (0, POLL_STATES[state]["closed_at"])
        assert kept["language"] == "fr"  # the one breakdown results offer
    assert store.poll_answers("p").comments == ([comment] if comment_stays else [])
    assert store.personal_data(1) == {} and store.voter(2) in {r["voter"] for r in answers}
    store.close()
    raw = on_disk(path)
    assert voter.encode() not in raw
    assert (MARKER.encode() in raw) == comment_stays


def test_forget_scrubs_a_database_written_before_secure_delete(tmp_path):
    """Rows deleted by an older version sit in free pages: the first open rebuilds the file."""
    path = tmp_path / "old.sqlite3"
    Store(path, KEY).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA secure_delete = OFF")
        db.execute("DELETE FROM state WHERE key = 'secure_delete'")
        db.execute("INSERT INTO inbox VALUES (1, ?, 'x')", (MARKER * 400,))
        db.execute("DELETE FROM inbox")
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert MARKER.encode() in on_disk(path)
    Store(path, KEY).close()
    assert MARKER.encode() not in on_disk(path)


# files and folders ---------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o000])
def test_store_files_are_the_owners_alone(tmp_path, mask):
    path = tmp_path / "var" / "deeper" / "bot.sqlite3"
    with umask(mask):
        store = Store(path, KEY)
        with store.transaction():
            store.ensure_user(1, 1, "en")
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert [mode(p) for p in files] == [0o600] * 3
        assert [mode(p) for p in (path.parent, path.parent.parent)] == [0o700] * 2
        store.close()


def test_existing_store_files_are_made_private(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with umask(0):
        holder = sqlite3.connect(path)  # keeps the -wal and -shm files in place
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("CREATE TABLE t (x)")
        Path(f"{path}-journal").touch()
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    for file in files:
        file.chmod(0o666)
    Store(path, KEY).close()
    assert [mode(p) for p in files] == [0o600] * 4
    holder.close()


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CIVICLOOP_DB": str(tmp_path / "var" / "bot.sqlite3"),
        "HOME": str(tmp_path / "home"),
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({}, "home/.config/civicloop/secret"),
        ({"XDG_CONFIG_HOME": "{tmp}/xdg"}, "xdg/civicloop/secret"),
        ({"CIVICLOOP_SECRET_FILE": "{tmp}/keys/civicloop.key"}, "keys/civicloop.key"),
    ],
)
def test_default_secret_is_made_once_away_from_the_database(tmp_path, extra, where):
    env = env_for(tmp_path, **{k: v.format(tmp=tmp_path) for k, v in extra.items()})
    with umask(0o022):
        first = Settings.from_env(env)
    secret = tmp_path / where
    assert secret.read_text().encode() == first.secret and len(first.secret) == 64
    assert (mode(secret), mode(secret.parent)) == (0o600, 0o700)
    assert not (tmp_path / "var").exists() or not (tmp_path / "var" / "secret").exists()
    assert Settings.from_env(env).secret == first.secret  # pseudonyms stay the same


def test_a_secret_beside_the_database_is_moved_away(tmp_path):
    legacy = tmp_path / "var" / "secret"
    legacy.parent.mkdir()
    legacy.write_text("a" * 64 + "\n")
    settings = Settings.from_env(env_for(tmp_path))
    assert settings.secret == b"a" * 64 and not legacy.exists()
    assert mode(tmp_path / "home/.config/civicloop/secret") == 0o600


# weak secrets --------------------------------------------------------------------------------

WEAK = [
    ("", 0),
    ("x", 1),
    (" ", 0),
    (" " * 40, 0),
    ("\t\n \r" * 10, 0),
    ("\u00a0\u2003" * 12, 0),
    ("a" * 31, 31),
    ("  " + "a" * 31 + "\n", 31),
    ("é" * 15, 30),
    ("🔑" * 7, 28),
]


@pytest.mark.parametrize(("secret", "length"), WEAK)
def test_a_short_secret_is_refused_at_start(tmp_path, secret, length):
    env = {**os.environ, **env_for(tmp_path, CIVICLOOP_SECRET=secret)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"civicloop bot: CIVICLOOP_SECRET is {length} bytes (spaces around it do not count); "
        "the key of the pseudonyms needs at least 32: make one with `openssl rand -hex 32`\n"
    )


@pytest.mark.parametrize(
    "make",
    [lambda key: key.mkdir(), lambda key: key.symlink_to(key.with_name("missing"))],
    ids=["folder", "dangling-link"],
)
def test_an_unusable_secret_file_is_one_line_at_start(tmp_path, make):
    key = tmp_path / "key"
    make(key)
    before = os.lstat(key).st_mode
    env = {**os.environ, **env_for(tmp_path, CIVICLOOP_SECRET_FILE=str(key))}
    env.pop("CIVICLOOP_SECRET", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    error = f"{key} is not a file; CIVICLOOP_SECRET_FILE names the key's file"
    assert (result.returncode, result.stderr) == (2, f"civicloop bot: {error}\n")
    assert os.lstat(key).st_mode == before and not key.with_name("missing").exists()


@pytest.mark.parametrize(
    ("content", "length"), [(b"short\n", 5), (b" \n" * 20, 0), (b"\xff\x00" * 8, 16)]
)
def test_a_short_secret_file_is_refused(tmp_path, content, length):
    key = tmp_path / "key"
    key.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{key} is {length} bytes"):
        Settings.from_env(env_for(tmp_path, CIVICLOOP_SECRET_FILE=str(key)))


def test_a_secret_file_of_random_bytes_is_used_as_it_is(tmp_path):
    key = tmp_path / "key"
    key.write_bytes(b"\xff\n" + os.urandom(30))
    settings = Settings.from_env(env_for(tmp_path, CIVICLOOP_SECRET_FILE=str(key)))
    assert settings.secret == key.read_bytes()


@pytest.mark.parametrize("secret", ["a" * 32, " " + "0123456789" * 4 + "\n", "é" * 16])
def test_a_secret_of_32_bytes_or_more_is_accepted(tmp_path, secret):
    settings = Settings.from_env(env_for(tmp_path, CIVICLOOP_SECRET=secret))
    assert settings.secret == secret.strip().encode()


def test_the_settings_repr_shows_no_secret(tmp_path):
    """A traceback's locals or a debug print of the settings must not show the secrets."""
    hook = "hook-secret-Zq7-0123456789"
    env = env_for(tmp_path, CIVICLOOP_SECRET="k" * 40, CIVICLOOP_WEBHOOK_SECRET=hook)
    env["CIVICLOOP_WEBHOOK_URL"] = "https://bot.example.org/telegram"
    settings = Settings.from_env(env)
    assert settings.webhook_secret == hook
    shown = repr(settings)
    assert "Settings(" in shown and "api_url=" in shown
    assert not any(s in shown for s in (TOKEN, TOKEN.partition(":")[2], "k" * 40, hook))


# redaction -----------------------------------------------------------------------------------

SECRET_TEXT = "pseudonym-key-Zq7-0123456789abcdefghij"
FORMS = {
    "raw": SECRET_TEXT,
    "hex": SECRET_TEXT.encode().hex(),
    "HEX": SECRET_TEXT.encode().hex().upper(),
    "base64": base64.b64encode(SECRET_TEXT.encode()).decode(),
    "urlsafe": base64.urlsafe_b64encode(SECRET_TEXT.encode()).decode(),
    "token": TOKEN,
    "webhook": "webhook-secret-value",
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("where", ["message", "args", "exception", "cause"])
def test_secrets_are_redacted_from_logs(form, where):
    settings = Settings(
        token=TOKEN, secret=SECRET_TEXT.encode(), webhook_secret="webhook-secret-value"
    )
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.setup(settings.redactions())
    root.handlers[0].setStream(stream)  # what would go to stderr
    value = FORMS[form]
    log = logging.getLogger("civicloop.privacy")
    try:
        if where == "message":
            log.warning(f"key {value} end")
        elif where == "args":
            log.warning("key %s end %r", value, {"k": value})
        elif where == "exception":
            try:
                raise RuntimeError(f"cannot use {value}")
            except RuntimeError:
                log.exception("failed")
        else:
            try:
                try:
                    raise KeyError(value)
                except KeyError as error:
                    raise RuntimeError("lookup failed") from error
            except RuntimeError:
                log.exception("failed")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    shown = stream.getvalue()
    assert value not in shown and "[redacted]" in shown, shown


async def test_the_log_names_no_person_when_a_send_fails(make_harness, tmp_path, caplog):
    """Logs outlive /forget: a failed send names the message's row, never its chat or key."""
    from botkit import publish_data
    from test_bot_citizens import subscribe

    caplog.set_level(logging.INFO)
    kit = await make_harness()
    kit.ctl.add_user(CITIZEN, MARKER, language_code="en")
    await subscribe(kit, CITIZEN)
    await kit.until(lambda: [m for m in kit.messages(CITIZEN) if m.get("poll")])
    await kit.until(lambda: [m for m in kit.messages(CITIZEN) if "How clear" in m.get("text", "")])
    kit.ctl.block(CITIZEN, notify=False)  # Telegram answers 403 to the next message
    publish_data(tmp_path, place="Library")  # which is this announcement
    await kit.until(lambda: "blocked the bot" in caplog.text)
    assert str(CITIZEN) not in caplog.text and MARKER not in caplog.text
