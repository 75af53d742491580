"""Timed work: re-reading the site's data, announcing changes, reminders, opening and closing polls,
and "you said, we did": results published, recommendations that moved.

Every message is queued under a key that names it for good (`ann:<session>:<hash>:<user>`,
`rem:<session>:<starts>:<offset>:<user>`, `poll:<poll>:<user>`, `res:<poll>:<user>`,
`rec:<recommendation>:<event>:<user>`), in the transaction that records what was read, so
re-reading the same data, ticking twice or restarting (even after SIGKILL) never sends anything
twice.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages as say
from bot.civic import Civic
from bot.i18n import t
from bot.outbox import message
from bot.outbox_key import OutboxKey
from bot.results_job import ResultsJob
from bot.sitedata import SiteData, fetch, short
from civicloop.changes import session_changes
from civicloop.opendata import PollRecord

log = logging.getLogger(__name__)


async def refresh(c: Civic) -> bool:
    """Re-read the open data; on failure keep what we had. Returns whether the data was read."""
    try:
        data = await fetch(c.settings.data)
    except Exception as error:  # network, HTTP status, JSON or schema: all mean "keep the old"
        log.warning("could not read the site data from %s: %s", c.settings.data, error)
        return False
    async with c.lock:
        with c.store.transaction():
            announce(c, data)
            tell_results(c, data)
            tell_recommendations(c, data)
        c.data = data
    return True


def announce(c: Civic, data: SiteData) -> None:
    """Queue one message per subscriber for each session change they have not been told of."""
    seen = c.store.seen_sessions()
    first_reading = not seen
    for session in data.sessions.values():
        record = session.model_dump(mode="json")
        old_hash, old = seen.get(session.id, (None, None))
        if old_hash == session.hash:
            continue
        kinds = session_changes(old, record)
        c.store.see_session(session.id, session.hash, record)
        if first_reading or not kinds or not session.to_come(datetime.now(UTC)):
            continue  # the first reading only learns; past sessions are not news
        for user in c.store.subscribers(session.committee):
            text = say.announcement(data, session, kinds, user["language"])
            c.queue(
                OutboxKey.announce(session.id, session.hash, user["user_id"]),
                user["user_id"],
                user["chat_id"],
                message(text),
            )


def tell_results(c: Civic, data: SiteData) -> None:
    """Each person who answered a poll whose results are now in the site's data (merged by
    the editors and built) gets one message with the figures and the link. A closed poll's
    answers are final, so each poll is done once (`results_told_at`)."""
    since = c.store.results_news_since()
    for poll in data.polls.values():
        if poll.results is None or poll.results.closed < since:
            continue
        state = c.store.poll_state(poll.id)
        if state is not None and state["results_told_at"]:
            continue
        key = OutboxKey.results(poll.id)
        for user in c.store.answerers(poll.id, unsent=key):
            text = say.results_news(poll, user["language"])
            c.queue(key.to(user["user_id"]), user["user_id"], user["chat_id"], message(text))
        c.store.mark_poll(poll.id, results_told_at=datetime.now(UTC).isoformat())


def tell_recommendations(c: Civic, data: SiteData) -> None:
    """Followers of a committee get one message when one of its recommendations changes
    status or its response becomes overdue. A recommendation read for the first time is
    learnt, not announced."""
    seen = c.store.seen_recommendations()
    for record in data.recommendations.values():
        now = (record.status, record.response_overdue)
        before = seen.get(record.id)
        if before == now:
            continue
        c.store.see_recommendation(record.id, *now)
        if before is None:
            continue
        events = [record.status] if record.status != before[0] else []
        if record.response_overdue and not before[1]:
            events.append("overdue")
        for event in events:
            key = OutboxKey.recommendation(record.id, event)
            for user in c.store.subscribers(record.committee, unsent=key, news="recommendations"):
                text = say.recommendation_news(data, record, event, user["language"])
                c.queue(key.to(user["user_id"]), user["user_id"], user["chat_id"], message(text))


def remind(c: Civic, now: datetime) -> None:
    """Queue the reminder due for each upcoming session: only the latest offset that has passed.
    A session whose time is not published has no reminder: its hour would be invented."""
    offsets = sorted(c.settings.reminders)  # smallest first
    for session in c.data.sessions.values():
        if session.status != "scheduled" or session.starts is None or not (now < session.starts):
            continue
        due = next((o for o in offsets if session.starts - o <= now), None)
        if due is None:
            continue
        key = OutboxKey.reminder(session.id, session.starts, due)
        for user in c.store.subscribers(session.committee, reminders_only=True, unsent=key):
            text = say.reminder(c.data, session, user["language"])
            c.queue(key.to(user["user_id"]), user["user_id"], user["chat_id"], message(text))


def open_polls(c: Civic, now: datetime) -> None:
    """Send each open poll to everyone in its audience who has not had it yet."""
    for poll in c.data.polls.values():
        state = c.store.poll_state(poll.id)
        if not (poll.opens <= now < poll.closes) or (state and state["closed_at"]):
            continue
        if state is None or not state["opened_at"]:
            c.store.mark_poll(poll.id, opened_at=now.isoformat())
        for user in audience(c, poll):
            lang, user_id, chat = user["language"], user["user_id"], user["chat_id"]
            c.queue(OutboxKey.poll(poll.id, user_id), user_id, chat, poll_payload(poll, lang))
            if poll.comments:
                note = t(
                    lang,
                    "To add a comment, reply to the poll with your text. Editors "
                    "read comments before publishing them with the results.",
                )
                c.queue(OutboxKey.note(poll.id, user_id), user_id, chat, message(say.escape(note)))


def audience(c: Civic, poll: PollRecord) -> list[sqlite3.Row]:
    """Who gets the poll and has not yet: the committee's followers; for the rating of a
    recommendation's response, those who took part in the committee (answered one of its
    polls or hold a member role in it)."""
    unsent = OutboxKey.poll(poll.id)
    if poll.recommendation is None:
        return c.store.subscribers(poll.committee, unsent=unsent)
    polls = sorted(
        p.id for p in c.data.polls.values() if p.committee == poll.committee and p.id != poll.id
    )
    return c.store.participants(poll.committee, polls, unsent=unsent)


def poll_payload(poll: PollRecord, lang: str) -> dict:
    """A rating is buttons, never a Telegram poll, so that its figures stay hidden until it
    closes: a Telegram poll shows its figures to whoever votes (unless sent with
    `hide_results_until_closes`, Bot API 9.6, which older clients may not honour, and then
    shows each person's own copy at the close: their vote as 100%). Buttons carry no figure
    at all, the press is answered with one's own choice only, and the real figures come as
    the results, once published."""
    if poll.kind == "rating":
        key = short(poll.id)
        buttons = [
            InlineKeyboardButton(str(n), callback_data=f"rate:{key}:{n}") for n in range(1, 6)
        ]
        text = (
            f"<b>{say.escape(poll.question)}</b>\n"
            + t(lang, "1 = lowest, 5 = highest")
            + "\n"
            + t(lang, "The results are shown only when the rating closes.")
        )
        return message(text, InlineKeyboardMarkup([buttons]))
    return {
        "method": "send_poll",
        "question": poll.question,  # within Telegram's limits: the open data says so
        "options": poll.options,
        "is_anonymous": False,  # answers must reach us as poll_answer updates
        "allows_multiple_answers": poll.kind == "multiple",
    }


def close_polls(c: Civic, now: datetime) -> list[str]:
    """Stop polls whose time is up; returns the ids closed now (their results are ready)."""
    closed = []
    for poll in c.data.polls.values():
        state = c.store.poll_state(poll.id)
        if now >= poll.closes and not (state and state["closed_at"]):
            close_poll(c, poll, now)
            closed.append(poll.id)
    return closed


def close_poll(c: Civic, poll, now: datetime) -> None:
    """Stop the poll in every chat it was sent to; from now on answers are refused."""
    for sent in c.store.poll_messages(poll.id):
        if poll.kind == "rating":
            payload = {
                "method": "edit_message_reply_markup",
                "message_id": sent["message_id"],
                "reply_markup": None,
            }
        else:
            payload = {"method": "stop_poll", "message_id": sent["message_id"]}
        key = OutboxKey.stop(poll.id, sent["user_id"])
        c.queue(key, sent["user_id"], sent["chat_id"], payload)
    c.store.mark_poll(poll.id, closed_at=now.isoformat())


async def tick(c: Civic, results: ResultsJob | None = None) -> None:
    """One pass of the clock-driven work."""
    now = datetime.now(UTC)
    async with c.atomic():
        remind(c, now)
        open_polls(c, now)
        closed = close_polls(c, now)
    for poll_id in closed:
        log.info("poll %s closed", poll_id)
    if results is not None:
        await results.retry_due(now)  # the polls just closed are due at once
