"""The bot as its own process: killed with SIGKILL mid-work it loses and doubles nothing;
in webhook mode it accepts only Telegram's secret."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import time

import httpx
from botkit import TOKEN, handled, latest, publish_data, start_bot, wait
from conftest import free_port

from bot.localapi import ControlClient
from bot.sitedata import short


def test_sigkill_loses_no_answer_and_counts_none_twice(local_api, tmp_path):
    publish_data(tmp_path)
    ctl = ControlClient(local_api, TOKEN)
    bot = start_bot(local_api, tmp_path)
    users = list(range(1, 31))
    polls = {}
    try:
        for user in users:
            ctl.add_user(user_id=user, first_name=f"U{user}")
            ctl.send_command(user_id=user, command="start")
            welcome = latest(ctl, user, lambda m: "lang:en" in json.dumps(m))
            ctl.press_button(user_id=user, message_id=welcome["message_id"], data="lang:en")
            listing = latest(ctl, user, lambda m: "sub:" in json.dumps(m))
            ctl.press_button(
                user_id=user, message_id=listing["message_id"], data=f"sub:{short('test')}"
            )
        for user in users:
            polls[user] = latest(ctl, user, lambda m: "poll" in m)["message_id"]

        rng = random.Random(7)
        expected: dict[int, list[int]] = {}
        kills = 0
        for step in range(600):
            user = rng.choice(users)
            choice = [rng.randrange(3)] if step % 9 or user not in expected else []
            last = ctl.answer_poll(user_id=user, option_ids=choice, message_id=polls[user])
            if choice:
                expected[user] = choice
            else:
                expected.pop(user)  # retracted
            if step % 120 == 60:
                time.sleep(rng.random() * 0.2)
                bot.send_signal(signal.SIGKILL)
                bot.wait()
                kills += 1
                bot = start_bot(local_api, tmp_path)
        assert kills == 5

        wait(lambda: handled(tmp_path / "bot.sqlite3", last["update_id"]), 60)
        with contextlib.closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
            answers = db.execute("SELECT voter, options FROM answers").fetchall()
        assert len(answers) == len(expected)  # none lost, none double
        counted = sorted(json.loads(o) for _, o in answers)
        assert counted == sorted(expected.values())
    finally:
        bot.kill()
        bot.wait()


def webhook_mode(hook: str, port: int) -> dict[str, str]:
    return {
        "CIVICLOOP_WEBHOOK_URL": hook,
        "CIVICLOOP_WEBHOOK_SECRET": "s3cret-token",
        "CIVICLOOP_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


def test_webhook_accepts_only_telegrams_secret(local_api, tmp_path):
    publish_data(tmp_path)
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    bot = start_bot(local_api, tmp_path, **webhook_mode(hook, port))
    ctl = ControlClient(local_api, TOKEN)
    try:
        wait(lambda: ctl.webhook_info()["url"] == hook)
        ctl.add_user(user_id=5, first_name="Web")
        ctl.send_command(user_id=5, command="start")
        assert latest(ctl, 5, lambda m: "What I store" in m.get("text", ""))

        forged = {
            "update_id": 999999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "/stop",
                "from": {"id": 5, "is_bot": False, "first_name": "Web"},
            },
        }
        assert httpx.post(hook, json=forged).status_code == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        assert httpx.post(hook, json=forged, headers=headers).status_code == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        assert httpx.post(hook, content=b"{not json", headers=headers).status_code == 400
        with contextlib.closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db:
            assert (
                db.execute("SELECT count(*) FROM inbox WHERE update_id = 999999").fetchone()[0] == 0
            )
            assert db.execute("SELECT value FROM state").fetchone()[0] < 999999
    finally:
        bot.kill()
        bot.wait()
    assert "s3cret-token" not in (tmp_path / "bot.log").read_text()
    assert TOKEN not in (tmp_path / "bot.log").read_text()


def test_a_rejected_token_stops_the_bot_saying_so_but_never_the_token(local_api, tmp_path):
    """python-telegram-bot's error for a rejected token holds the token: the bot says which
    setting to fix and exits 2, and the token appears nowhere in its output."""
    publish_data(tmp_path)
    wrong = "987654:WrongTokenNobodyMayRead"
    bot = start_bot(local_api, tmp_path, TELEGRAM_BOT_TOKEN=wrong)
    assert bot.wait(timeout=60) == 2
    said = (tmp_path / "bot.log").read_text()
    assert "rejected TELEGRAM_BOT_TOKEN" in said
    assert "WrongTokenNobodyMayRead" not in said and "Traceback" not in said


def test_webhook_is_set_once_telegram_answers(local_api, tmp_path):
    """In webhook mode, a dropped connection and a 502 when setting the webhook at start are
    tried again, each said in the log; then updates arrive and are answered."""
    publish_data(tmp_path)
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    ctl = ControlClient(local_api, TOKEN)
    for kind in ("reset", "502"):
        ctl.inject_fault(kind=kind, method="setWebhook")
    bot = start_bot(local_api, tmp_path, **webhook_mode(hook, port))
    try:
        wait(lambda: ctl.webhook_info()["url"] == hook, timeout=30)
        said = (tmp_path / "bot.log").read_text()
        assert said.count("setWebhook failed") == 2, said
        ctl.add_user(user_id=6, first_name="Web")
        ctl.send_command(user_id=6, command="start")
        assert latest(ctl, 6, lambda m: "What I store" in m.get("text", ""))
    finally:
        bot.kill()
        bot.wait()
