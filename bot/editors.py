"""What editors (ids in CIVICLOOP_ADMINS) can do: broadcast with a preview, poll status, stats."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import messages as say
from bot.civic import Civic, civic
from bot.i18n import DEFAULT, t
from bot.outbox import MAX_TEXT, message, text_length
from bot.outbox_key import OutboxKey
from bot.schedule import close_poll
from bot.sitedata import short
from civicloop.tally import tally

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def editors_only(handler: Handler) -> Handler:
    """Anyone else gets a polite refusal, and nothing happens."""

    @wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        c = civic(context)
        if not c.is_admin(update):
            lang = _lang(c, update)
            text = t(lang, "Sorry, only the committee's editors can do that.")
            if update.callback_query:
                c.ack(update, text)
            else:
                c.reply(update, text)
            return
        await handler(update, context)

    return guarded


def _lang(c: Civic, update: Update) -> str:
    user = c.store.user(update.effective_user.id)
    return user["language"] if user else DEFAULT


@editors_only
async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    lang = _lang(c, update)
    rows = [
        [InlineKeyboardButton(committee.title[:60], callback_data=f"bc:{short(slug)}")]
        for slug, committee in sorted(c.data.committees.items())
    ]
    text = t(lang, "Broadcast to which committee's subscribers?")
    uncertain = c.store.uncertain_broadcasts()
    if uncertain:
        text = (
            t(
                lang,
                "{count} messages of earlier broadcasts may not have arrived: the connection "
                "broke after they were sent, and a broadcast is never sent twice unless you "
                "ask.",
                count=uncertain,
            )
            + "\n\n"
            + text
        )
        label = t(lang, "Send those {count} again", count=uncertain)
        rows.append([InlineKeyboardButton(label, callback_data="bc-resend")])
    c.reply(update, text, InlineKeyboardMarkup(rows))


@editors_only
async def resend_uncertain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send again the broadcast messages that may not have arrived (the editor's choice)."""
    c = civic(context)
    count = c.store.resend_uncertain_broadcasts()
    c.ack(update, t(_lang(c, update), "Sending {count} messages again.", count=count))
    c.wake_outbox.set()


@editors_only
async def pick_committee(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    lang = _lang(c, update)
    slug = c.data.find(update.callback_query.data.split(":", 1)[1])
    if slug not in c.data.committees:
        c.ack(update, t(lang, "This button is no longer valid."))
        return
    c.store.set_draft(update.effective_user.id, slug)
    c.ack(update)
    c.reply(
        update,
        t(
            lang,
            "Send me the message for the subscribers of {title}.",
            title=say.escape(c.data.committees[slug].title),
        ),
    )


async def draft_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An editor's text while a broadcast draft is open becomes its preview; else fall through."""
    c = civic(context)
    draft = c.store.draft(update.effective_user.id) if c.is_admin(update) else None
    if draft is None:
        return
    lang = _lang(c, update)
    text = update.message.text
    length = text_length(text)
    if length > MAX_TEXT:  # refused whole, never cut: the editor shortens it
        c.store.set_draft(update.effective_user.id, draft["committee"])
        c.reply(
            update,
            t(
                lang,
                "Not sent: this message has {length} characters and Telegram allows at most "
                "{limit}. Shorten it by {excess} and send it to me again.",
                length=length,
                limit=MAX_TEXT,
                excess=length - MAX_TEXT,
            ),
        )
        raise ApplicationHandlerStop
    c.store.set_draft(update.effective_user.id, draft["committee"], text)
    count = len(c.store.subscribers(draft["committee"]))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "Send to {count} subscribers", count=count), callback_data="bc-send"
                ),
                InlineKeyboardButton(t(lang, "Cancel"), callback_data="bc-cancel"),
            ]
        ]
    )
    # The text alone, as the subscribers will get it: with a heading it could exceed the limit.
    committee = c.data.committees.get(draft["committee"])
    title = committee.title if committee else draft["committee"]
    c.reply(
        update,
        t(
            lang,
            "Preview: the subscribers of {title} will get the next message as it is "
            "({length} characters).",
            title=say.escape(title),
            length=length,
        ),
    )
    c.reply(update, say.escape(text), keyboard)
    raise ApplicationHandlerStop


@editors_only
async def confirm_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    lang = _lang(c, update)
    draft = c.store.draft(update.effective_user.id)
    c.store.set_draft(update.effective_user.id, None)
    if update.callback_query.data == "bc-cancel" or draft is None or not draft["text"]:
        c.ack(update, t(lang, "Nothing was sent."))
        return
    # One id per confirmed draft: a second press or a replay finds the draft gone.
    ident = hashlib.sha256(
        f"{update.callback_query.message.message_id}:{draft['committee']}:{draft['text']}".encode()
    ).hexdigest()[:16]
    subscribers = c.store.subscribers(draft["committee"])
    for user in subscribers:
        c.queue(
            OutboxKey.broadcast(ident, user["user_id"]),
            user["user_id"],
            user["chat_id"],
            message(say.escape(draft["text"])),
        )
    c.ack(update)
    c.reply(update, t(lang, "Queued for {count} subscribers.", count=len(subscribers)))


@editors_only
async def poll_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    lang = _lang(c, update)
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
async def close_poll_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Close a poll now instead of at its closing time (its results are then published)."""
    c = civic(context)
    lang = _lang(c, update)
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
async def close_poll_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    lang = _lang(c, update)
    poll_id = c.data.find(update.callback_query.data.split(":", 1)[1])
    if poll_id not in c.data.polls or not c.poll_is_open(poll_id):
        c.ack(update, t(lang, "This poll is closed."))
        return
    close_poll(c, c.data.polls[poll_id], datetime.now(UTC))
    c.ack(update)
    c.reply(update, t(lang, "Closed. Its results are being published; see /pollstatus."))


@editors_only
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    c = civic(context)
    figures = c.store.stats()
    lines = [
        f"users: {figures['users']}",
        f"answers: {figures['answers']}",
        f"inbox pending: {figures['inbox_pending']}",
        "outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["outbox"].items())),
    ]
    lines += [f"{slug}: {n}" for slug, n in sorted(figures["subscriptions"].items())]
    c.reply(update, say.escape("\n".join(lines)))
