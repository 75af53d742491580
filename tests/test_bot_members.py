"""Committee members join through one-time invitation links (`python -m bot invite`): the role
is recorded under their pseudonym, shown by /mydata and /settings, left with /leave, and their
answers count with their group's. End to end: the real bot against the local Bot API server."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botkit import buttons, publish_data
from conftest import ROOT
from test_bot_citizens import subscribe

from bot.store import Store
from bot.store.members import token_hash
from civicloop import follow

LINK = re.compile(r"^https://t\.me/civicloop_test_bot\?start=(i-[A-Za-z0-9_-]{32})$")


def invite(kit, role: str = "citizen", count: int = 2, *extra: str) -> list[str]:
    """The organisers' command, run beside the bot as they run it: the links' payloads."""
    done = run_invite(
        kit.settings.db,
        kit.settings.data,
        ["--committee", "test", "--role", role, "--count", str(count), *extra],
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == count and f"role {role} in test" in done.stderr
    return [LINK.fullmatch(line)[1] for line in lines]


def run_invite(
    db: Path, data: str, argv: list[str], username: str | None = "civicloop_test_bot"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICLOOP_", "TELEGRAM_"))}
    env |= {"CIVICLOOP_DB": str(db), "CIVICLOOP_DATA": data}
    if username is not None:
        env["CIVICLOOP_BOT_USERNAME"] = username
    return subprocess.run(
        [sys.executable, "-m", "bot", "invite", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def start_with(kit, user: int, payload: str, containing: str) -> dict:
    before = len(kit.messages(user))
    kit.ctl.send_command(user, "start", payload)
    return await kit.reply_to(user, before, containing)


async def test_an_invitation_gives_its_role_once_under_the_pseudonym(harness, monkeypatch, capsys):
    kit = harness
    first, second = invite(kit)
    await subscribe(kit, 1)
    reply = await start_with(kit, 1, first, "Welcome: your role in Test committee is now")
    assert "citizen member" in reply["text"] and "/leave" in reply["text"]
    with contextlib.closing(Store(":memory:", kit.settings.secret)) as store:
        pseudonym = store.voter(1)
    await kit.rows_become(
        [(pseudonym, "test", "citizen")], "SELECT voter, committee, role FROM roles"
    )
    # the store keeps only the tokens' hashes, and of the one used, when (not by whom)
    tokens = [r[0] for r in kit.rows("SELECT token_hash FROM invitations ORDER BY token_hash")]
    assert tokens == sorted(token_hash(p.removeprefix("i-")) for p in (first, second))
    with kit.db() as db:
        dump = "\n".join(db.iterdump())
    assert first.removeprefix("i-") not in dump and second.removeprefix("i-") not in dump

    # single use: the same link does nothing for anyone else
    await kit.command(3, "start", "What I store")
    refused = await start_with(kit, 3, first, "already used or has expired")
    assert "organisers" in refused["text"]
    assert len(kit.rows("SELECT * FROM roles")) == 1

    mine = await kit.command(1, "mydata", "Everything stored about you")
    assert '"role": "citizen"' in mine["text"]
    settings = await kit.command(1, "settings", "Your role in Test committee: citizen member.")
    assert "news:results:off" in buttons(settings)

    # the member's answer counts with the citizen members'
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    kit.ctl.answer_poll(1, [2], message_id=poll["message_id"])
    await kit.rows_become([("[2]", "citizen")], "SELECT options, role FROM answers")

    left = await kit.command(1, "leave", "You no longer hold a member role in: Test committee.")
    assert "public" in left["text"]
    await kit.rows_become([], "SELECT * FROM roles")
    await kit.rows_become(
        [("test",)], "SELECT committee FROM subscriptions WHERE user_id = 1"
    )  # still following
    await kit.command(1, "leave", "You hold no member role.")
    kit.ctl.answer_poll(1, [0], message_id=poll["message_id"])
    await kit.rows_become([("[0]", None)], "SELECT options, role FROM answers")


async def test_a_newcomer_takes_the_role_after_the_language_even_across_a_restart(harness):
    kit = harness
    (payload,) = invite(kit, "politician", 1)
    token = payload.removeprefix("i-")
    welcome = await start_with(kit, 2, payload, "Ce que je conserve")
    assert buttons(welcome) == [f"lang:en:i:{token}", f"lang:fr:i:{token}"]
    assert kit.rows("SELECT * FROM roles") == []
    await kit.stop()
    await kit.start()
    done = await kit.press(2, welcome, f"lang:fr:i:{token}", "votre rôle dans Test committee")
    assert "responsable politique" in done["text"]
    await kit.rows_become([("test", "politician")], "SELECT committee, role FROM roles")
    await kit.rows_become([("test",)], "SELECT committee FROM subscriptions WHERE user_id = 2")
    # the button pressed again (or replayed) finds the link spent
    await kit.press(2, welcome, f"lang:fr:i:{token}", "a déjà servi ou a expiré")
    assert len(kit.rows("SELECT * FROM roles")) == 1


async def test_an_expired_or_unknown_invitation_gives_no_role(harness):
    kit = harness
    (payload,) = invite(kit, "citizen", 1, "--expires", "1")
    with kit.db() as db:  # a day later
        past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        db.execute("UPDATE invitations SET expires_at = ?", (past,))
    await kit.command(1, "start", "What I store")
    await start_with(kit, 1, payload, "already used or has expired")
    await start_with(kit, 1, follow.invitation("A" * 32), "already used or has expired")
    assert kit.rows("SELECT * FROM roles") == []
    assert [tuple(r) for r in kit.rows("SELECT redeemed_at FROM invitations")] == [(None,)]


async def test_forget_erases_the_role(harness):
    kit = harness
    (payload,) = invite(kit, "citizen", 1)
    await kit.command(1, "start", "What I store")
    await start_with(kit, 1, payload, "Welcome: your role")
    question = await kit.command(1, "forget", "Erase")
    await kit.press(1, question, "forget:yes", "Everything about you is erased.")
    await kit.rows_become([], "SELECT * FROM roles")


@pytest.mark.parametrize(
    ("argv", "username", "says"),
    [
        (["--role", "citizen"], None, "set CIVICLOOP_BOT_USERNAME"),
        (["--role", "citizen", "--count", "0"], "a_bot1", "--count is 1 to 1000"),
        (["--role", "citizen"], "a b", "a Telegram username is"),
        (["--role", "mayor"], "a_bot1", "invalid choice: 'mayor'"),
        *(
            (["--role", "citizen", "--expires", days], "a_bot1", "more than 0 and at most 3650")
            for days in ("0", "-1", "nan", "1e9", "inf", "3650.5")
        ),
        (["--role", "citizen", "--expires", "soon"], "a_bot1", "'soon' is not a number of days"),
    ],
)
def test_the_invite_command_refuses_what_it_cannot_do(tmp_path, argv, username, says):
    data = str(publish_data(tmp_path))
    done = run_invite(tmp_path / "bot.sqlite3", data, ["--committee", "test", *argv], username)
    assert done.returncode == 2 and says in done.stderr and not done.stdout
    assert not (tmp_path / "bot.sqlite3").exists()


def test_the_invite_command_needs_the_bots_database(tmp_path):
    """Links written to a database the bot does not read would all be refused: a wrong
    CIVICLOOP_DB, or a bot that never ran, is said, and no database is made."""
    data = str(publish_data(tmp_path))
    db = tmp_path / "wrong" / "bot.sqlite3"
    done = run_invite(db, data, ["--committee", "test", "--role", "citizen"])
    assert done.returncode == 2 and not done.stdout
    assert f"no bot database at {db} (CIVICLOOP_DB)" in done.stderr
    assert not db.exists() and not db.parent.exists()


def test_the_invite_command_checks_the_committee_against_the_site(tmp_path):
    db = tmp_path / "bot.sqlite3"
    Store(db, b"secret").close()  # the bot ran once
    done = run_invite(db, str(tmp_path / "nowhere"), ["--committee", "test", "--role", "citizen"])
    assert done.returncode == 1 and "(CIVICLOOP_DATA)" in done.stderr
    data = str(publish_data(tmp_path))
    done = run_invite(db, data, ["--committee", "other", "--role", "citizen"])
    assert done.returncode == 2 and "no committee 'other'; it has: test" in done.stderr
    assert not done.stdout


def test_leave_ends_the_roles_of_every_committee_as_its_help_says(tmp_path):
    from bot.commands import help_text

    with contextlib.closing(Store(tmp_path / "bot.sqlite3", b"secret")) as store:
        (first,) = store.invite("alpha", "citizen", 1)
        (second,) = store.invite("beta", "politician", 1)
        for token in (first, second):
            assert store.redeem(7, token, datetime.now(UTC)) is not None
        assert store.leave_roles(7) == ["alpha", "beta"]
        assert store.role(7, "alpha") is None and store.role(7, "beta") is None
    assert "/leave End your member roles, in every committee" in help_text("en").splitlines()
    assert "/leave Mettre fin à vos rôles de membre, dans tous les comités" in help_text("fr")


def test_every_role_a_committee_names_has_its_words_in_each_language():
    from typing import get_args

    from bot import messages as say
    from bot.i18n import LANGUAGES, t
    from civicloop.content import Member

    roles = get_args(Member.model_fields["role"].annotation)
    assert set(say.ROLES) == set(roles)
    for lang in LANGUAGES:
        if lang != "en":
            assert all(t(lang, say.ROLES[r]) != say.ROLES[r] or r == "expert" for r in roles)
