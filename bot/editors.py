"""What editors (ids in CIVICLOOP_ADMINS) can do: poll status, closing a poll, stats (and the
broadcast, bot/broadcast.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import messages as say
from bot.civic import Civic
from bot.context import CivicContext, Handler
from bot.i18n import DEFAULT, t
from bot.schedule import close_poll
from bot.sitedata import short
from civicloop.tally import tally


def editors_only(handler: Handler) -> Handler:
    """Anyone else gets a polite refusal, and nothing happens."""

    @wraps(handler)
    async def guarded(update: Update, context: CivicContext) -> None:
        c = context.civic
        if not c.is_admin(update):
            lang = language(c, update)
            text = t(lang, "Sorry, only the committee's editors can do that.")
            if update.callback_query:
                c.ack(update, text)
            else:
                c.reply(update, text)
            return
        await handler(update, context)

    return guarded


def language(c: Civic, update: Update) -> str:
    """The editor's language (they may never have sent /start)."""
    user = c.store.user(update.effective_user.id)
    return user["language"] if user else DEFAULT


@editors_only
async def poll_status(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = language(c, update)
    blocks = []
    for poll in sorted(c.data.polls.values(), key=lambda p: p.opens):
        state = c.store.poll_state(poll.id)
        result = tally(poll.options, c.store.answers(poll.id))
        sent = len(c.store.poll_messages(poll.id))
        if state and state["closed_at"]:
            status = t(lang, "closed")
        else:
            status = t(lang, "open") if c.poll_is_open(poll.id) else t(lang, "not open")
        sent_to = t(lang, "sent to {count}", count=sent)
        answered = t(lang, "{count} respondents", count=result.respondents)
        lines = [
            f"<b>{say.escape(poll.question)}</b> ({poll.id})\n{status} · {sent_to} · {answered}"
        ]
        if poll.kind != "rating" or (state and state["closed_at"]):  # a rating's stay hidden
            lines.extend(f"  {say.escape(o.label)}: {o.count}" for o in result.options)
        if state and state["publish_error"]:
            lines.append(
                "  "
                + t(lang, "Publishing failed: {error}", error=say.escape(state["publish_error"]))
            )
        elif state and state["published_at"]:
            lines.append("  " + t(lang, "Results published."))
        blocks.append("\n".join(lines))
    c.reply(update, "\n\n".join(blocks) or t(lang, "No poll is published yet."))


@editors_only
async def close_poll_menu(update: Update, context: CivicContext) -> None:
    """Close a poll now instead of at its closing time (its results are then published)."""
    c = context.civic
    lang = language(c, update)
    rows = [
        [InlineKeyboardButton(poll.question[:60], callback_data=f"close:{short(poll.id)}")]
        for poll in sorted(c.data.polls.values(), key=lambda p: p.closes)
        if c.poll_is_open(poll.id)
    ]
    if not rows:
        c.reply(update, t(lang, "No poll is open."))
        return
    c.reply(update, t(lang, "Close which poll now?"), InlineKeyboardMarkup(rows))


@editors_only
async def close_poll_now(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = language(c, update)
    poll_id = c.data.find(update.callback_query.data.split(":", 1)[1])
    if poll_id not in c.data.polls or not c.poll_is_open(poll_id):
        c.ack(update, t(lang, "This poll is closed."))
        return
    close_poll(c, c.data.polls[poll_id], datetime.now(UTC))
    c.ack(update)
    c.reply(update, t(lang, "Closed. Its results are being published; see /pollstatus."))


@editors_only
async def stats(update: Update, context: CivicContext) -> None:
    c = context.civic
    figures = c.store.stats()
    lines = [
        f"users: {figures['users']}",
        f"answers: {figures['answers']}",
        f"inbox pending: {figures['inbox_pending']}",
        "outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["outbox"].items())),
    ]
    lines += [f"{slug}: {n}" for slug, n in sorted(figures["subscriptions"].items())]
    c.reply(update, say.escape("\n".join(lines)))
