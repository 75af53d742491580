"""The broadcast conversation, its steps in one place (each handler's docstring says its move):

    COMMITTEE  /broadcast lists the committees; a committee button             -> TEXT
    TEXT       a text is previewed with Send and Cancel buttons                -> CONFIRM
               a text too long is refused with its length                      -> TEXT
    CONFIRM    Send queues it for the committee's subscribers                  -> ended
               Cancel                                                          -> ended
               another text is previewed instead                               -> CONFIRM
    any step   /cancel ends it; /broadcast starts over; another committee button -> TEXT

The state is the editor's `drafts` row (`step_of`), written in the transaction that handles the
update, so a step commits with its update or not at all, and a bot killed (even SIGKILL) after
the preview resumes where it was. PTB's ConversationHandler was not used: it keeps its state in
memory and writes a persistence on its own schedule, outside that transaction, so a kill loses
the last steps and an update rolled back (a later handler failed) leaves it a step ahead.
"""

from __future__ import annotations

import hashlib
import sqlite3
from enum import Enum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot import messages as say
from bot.civic import Civic
from bot.context import CivicContext
from bot.editors import editors_only, language
from bot.i18n import t
from bot.outbox import MAX_TEXT, message, text_length
from bot.outbox_key import OutboxKey
from bot.sitedata import short


class Step(Enum):
    COMMITTEE = "committee"  # no draft: the committee list is (or may be) shown
    TEXT = "text"  # a committee is picked: the next text is the message
    CONFIRM = "confirm"  # the text is previewed: send or cancel


def step_of(draft: sqlite3.Row | None) -> Step:
    if draft is None:
        return Step.COMMITTEE
    return Step.CONFIRM if draft["text"] else Step.TEXT


def _draft(c: Civic, update: Update) -> sqlite3.Row | None:
    return c.store.draft(update.effective_user.id) if c.is_admin(update) else None


@editors_only
async def begin(update: Update, context: CivicContext) -> None:
    """/broadcast, from any step: start over at COMMITTEE (an earlier draft is dropped)."""
    c = context.civic
    lang = language(c, update)
    c.store.set_draft(update.effective_user.id, None)
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
async def pick_committee(update: Update, context: CivicContext) -> None:
    """Any step -> TEXT: a committee button (pressing another one changes the committee)."""
    c = context.civic
    lang = language(c, update)
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


async def write_text(update: Update, context: CivicContext) -> None:
    """TEXT or CONFIRM -> CONFIRM: the text becomes the preview (a new text replaces it); too
    long, it is refused and the step is TEXT. In COMMITTEE (or from a citizen) the text is not
    the conversation's: it falls through to the citizens' handlers."""
    c = context.civic
    draft = _draft(c, update)
    if step_of(draft) not in (Step.TEXT, Step.CONFIRM):
        return
    lang = language(c, update)
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
async def confirm(update: Update, context: CivicContext) -> None:
    """CONFIRM -> sent (bc-send) or ended (bc-cancel); from any other step, ended, and nothing
    is sent: a second press or a replay finds the draft gone."""
    c = context.civic
    lang = language(c, update)
    draft = _draft(c, update)
    c.store.set_draft(update.effective_user.id, None)
    if update.callback_query.data == "bc-cancel" or step_of(draft) is not Step.CONFIRM:
        c.ack(update, t(lang, "Nothing was sent."))
        return
    # One id per confirmed draft: its messages' keys, so they cannot be queued twice.
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
async def cancel(update: Update, context: CivicContext) -> None:
    """/cancel, from any step: ended, nothing sent."""
    c = context.civic
    c.store.set_draft(update.effective_user.id, None)
    c.reply(update, t(language(c, update), "Nothing was sent."))


@editors_only
async def resend_uncertain(update: Update, context: CivicContext) -> None:
    """Send again the broadcast messages that may not have arrived (the editor's choice)."""
    c = context.civic
    count = c.store.resend_uncertain_broadcasts()
    c.ack(update, t(language(c, update), "Sending {count} messages again.", count=count))
    c.wake_outbox.set()


BUTTONS = {
    r"^bc:[0-9a-f]{12}$": pick_committee,
    r"^bc-(send|cancel)$": confirm,
    r"^bc-resend$": resend_uncertain,
}
