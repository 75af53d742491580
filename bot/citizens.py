"""What citizens can do with the bot: one small handler per step of the conversation.

Handlers never call Telegram: they change the store and queue their replies (`Civic.reply`),
all inside the transaction that processes the update, so a crash leaves no half-done step.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import messages as say
from bot.civic import Civic
from bot.context import CivicContext
from bot.i18n import DEFAULT, LANGUAGES, language_of, t
from bot.messages import N_
from bot.sitedata import short
from bot.store.people import NEWS
from civicloop import follow


def citizen(update: Update, c: Civic):
    """The citizen who sent `update`, registered if new (in their Telegram language)."""
    user = update.effective_user
    chat = update.effective_chat
    return c.store.ensure_user(user.id, chat.id, language_of(user.language_code))


def _target(c: Civic, payload: str) -> follow.Target | None:
    """What a `/start` payload (a site's link, `civicloop.follow`) asks for, if the open data
    has it."""
    target = follow.parse(payload)
    if target is None or target.kind in ("committees", "invitation"):
        return target
    known = c.data.committees if target.kind == "committee" else c.data.sessions
    return target if target.ident in known else None


async def start(update: Update, context: CivicContext) -> None:
    """The welcome and the language choice; with a link's payload, what it asks for: at once
    for someone the bot knows, after the language choice (carried by its buttons, which
    outlive a restart) for someone new."""
    c = context.civic
    new = c.store.user(update.effective_user.id) is None
    lang = citizen(update, c)["language"]
    payload = (update.message.text or "").partition(" ")[2].strip()
    target = _target(c, payload)
    if target is not None and not new:
        _carry_out(update, c, lang, target)
        return
    carried = ""
    if target is not None and target.kind == "invitation":
        carried = f":i:{target.ident}"  # the token itself: the bot keeps only its hash
    elif target is not None and target.kind != "committees":
        carried = f":{target.kind[0]}:{short(target.ident)}"
    buttons = [
        InlineKeyboardButton(name, callback_data=f"lang:{code}{carried}")
        for code, name in LANGUAGES.items()
    ]
    text = say.welcome(lang)
    if payload and target is None:
        unknown = t(lang, "I do not know the page this link comes from; here is how I work.")
        text = f"{unknown}\n\n{text}"
    c.reply(update, text, InlineKeyboardMarkup([buttons]))


def _carry_out(update: Update, c: Civic, lang: str, target: follow.Target) -> None:
    """Follow the committee, show the session's agenda, take up the member's role, or list
    the committees."""
    if target.kind == "invitation":
        _redeem(update, c, lang, target.ident)
    elif target.kind == "committee":
        c.store.subscribe(update.effective_user.id, target.ident, True)
        title = say.local_title(c.data.committees[target.ident], lang)
        text = t(lang, "You now follow {title}.", title=say.escape(title))
        c.reply(update, text, _committee_keyboard(update, c, lang))
    elif target.kind == "session":
        c.reply(update, say.agenda(c.data, c.data.sessions[target.ident], lang))
    else:
        committees(update, c, lang)


def _redeem(update: Update, c: Civic, lang: str, token: str) -> None:
    """A member's invitation: the role is recorded under their pseudonym (once: the link is
    then spent), they follow the committee, and are told so in their language."""
    user_id = update.effective_user.id
    invitation = c.store.redeem(user_id, token, datetime.now(UTC))
    if invitation is None:
        c.reply(
            update,
            t(
                lang,
                "This invitation link was already used or has expired: ask the committee's "
                "organisers for a new one.",
            ),
        )
        return
    slug, role = invitation["committee"], invitation["role"]
    c.store.subscribe(user_id, slug, True)
    committee = c.data.committees.get(slug)
    title = say.local_title(committee, lang) if committee else slug
    c.reply(
        update,
        t(
            lang,
            "Welcome: your role in {title} is now: {role}. Your answers to its polls are "
            "counted with that group's, under your pseudonym, never your name. /leave ends "
            "the role.",
            role=t(lang, say.ROLES.get(role, role)),
            title=say.escape(title),
        ),
    )


async def leave(update: Update, context: CivicContext) -> None:
    """/leave: end the member roles the person holds (they still follow the committees)."""
    c = context.civic
    lang = citizen(update, c)["language"]
    left = c.store.leave_roles(update.effective_user.id)
    if not left:
        c.reply(update, t(lang, "You hold no member role."))
        return
    titles = ", ".join(say.escape(_title(c, slug, lang)) for slug in left)
    c.reply(
        update,
        t(
            lang,
            "You no longer hold a member role in: {titles}. Your answers now count with the "
            "public's.",
            titles=titles,
        ),
    )


def _title(c: Civic, slug: str, lang: str) -> str:
    committee = c.data.committees.get(slug)
    return say.local_title(committee, lang) if committee else slug


async def choose_language(update: Update, context: CivicContext) -> None:
    """`lang:<code>`, or `lang:<code>:<c|s>:<key>` or `lang:<code>:i:<token>` when a link's
    payload waits for it."""
    c = context.civic
    user = citizen(update, c)
    _, lang, *carried = update.callback_query.data.split(":")
    c.store.set_language(user["user_id"], lang)
    c.ack(update, t(lang, "Language: English"))
    if carried and carried[0] == "i":
        _carry_out(update, c, lang, follow.Target("invitation", carried[1]))
        return
    ident = c.data.find(carried[1]) if carried else None
    if carried and carried[0] == "c" and ident in c.data.committees:
        _carry_out(update, c, lang, follow.Target("committee", ident))
    elif carried and carried[0] == "s" and ident in c.data.sessions:
        _carry_out(update, c, lang, follow.Target("session", ident))
        committees(update, c, lang)
    else:
        committees(update, c, lang)


def committees(update: Update, c: Civic, lang: str) -> None:
    if not c.data.committees:
        c.reply(update, t(lang, "No committee is published yet."))
        return
    c.reply(update, say.committee_list(c.data, lang), _committee_keyboard(update, c, lang))


def _committee_keyboard(update: Update, c: Civic, lang: str) -> InlineKeyboardMarkup:
    mine = set(c.store.subscriptions(update.effective_user.id))
    rows = []
    for slug, committee in sorted(c.data.committees.items()):
        mark = "✅" if slug in mine else "➕"
        title = say.local_title(committee, lang)
        rows.append(
            [InlineKeyboardButton(f"{mark} {title}"[:60], callback_data=f"sub:{short(slug)}")]
        )
    return InlineKeyboardMarkup(rows)


async def committees_command(update: Update, context: CivicContext) -> None:
    c = context.civic
    committees(update, c, citizen(update, c)["language"])


async def toggle_subscription(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    slug = c.data.find(update.callback_query.data.split(":", 1)[1])
    if slug not in c.data.committees:
        c.ack(update, t(lang, "This button is no longer valid."))
        return
    on = slug not in c.store.subscriptions(update.effective_user.id)
    c.store.subscribe(update.effective_user.id, slug, on)
    title = say.local_title(c.data.committees[slug], lang)
    done = N_("You now follow {title}.") if on else N_("You no longer follow {title}.")
    c.ack(update, t(lang, done, title=title))
    c.edit_markup(update, _committee_keyboard(update, c, lang))


async def next_sessions(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    mine = set(c.store.subscriptions(update.effective_user.id))
    now = datetime.now(UTC)
    upcoming = sorted(
        (s for s in c.data.sessions.values() if s.committee in mine and s.to_come(now)),
        key=say.soonest,
    )[:8]
    if not mine:
        c.reply(update, t(lang, "You follow no committee yet: choose some with /committees."))
        return
    if not upcoming:
        c.reply(update, t(lang, "No upcoming session in the committees you follow."))
        return
    rows = [
        [InlineKeyboardButton(say.button_title(s, lang), callback_data=f"agenda:{short(s.id)}")]
        for s in upcoming
    ]
    text = "\n\n".join(say.session_line(c.data, s, lang) for s in upcoming)
    c.reply(update, text, InlineKeyboardMarkup(rows))


async def agenda(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    session_id = c.data.find(update.callback_query.data.split(":", 1)[1])
    if session_id not in c.data.sessions:
        c.ack(update, t(lang, "This button is no longer valid."))
        return
    c.ack(update)
    c.reply(update, say.agenda(c.data, c.data.sessions[session_id], lang))


async def settings(update: Update, context: CivicContext) -> None:
    c = context.civic
    c.reply(update, *_settings(c, citizen(update, c)))


def _settings(c: Civic, user) -> tuple[str, InlineKeyboardMarkup]:
    """/settings' message: the state of each setting, and a button to change each."""
    lang = user["language"]
    reminders = "rem:off" if user["reminders"] else "rem:on"
    label = N_("Turn reminders off") if user["reminders"] else N_("Turn reminders on")
    rows = [
        [
            InlineKeyboardButton(name, callback_data=f"lang:{code}")
            for code, name in LANGUAGES.items()
        ],
        [InlineKeyboardButton(t(lang, label), callback_data=reminders)],
    ]
    for kind, column in NEWS.items():
        on = bool(user[column])
        label = say.NEWS_BUTTONS[kind][on]
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, label), callback_data=f"news:{kind}:{'off' if on else 'on'}"
                )
            ]
        )
    roles = c.store.roles(user["user_id"])
    held = [(_title(c, r["committee"], lang), r["role"]) for r in roles]
    return say.settings_text(user, lang, held), InlineKeyboardMarkup(rows)


async def toggle_news(update: Update, context: CivicContext) -> None:
    """`news:<kind>:<on|off>`: the "you said, we did" messages of one kind, on or off."""
    c = context.civic
    user = citizen(update, c)
    _, kind, state = update.callback_query.data.split(":")
    on = state == "on"
    c.store.set_news(user["user_id"], kind, on)
    c.ack(update, t(user["language"], say.NEWS_STATES[kind][on]))
    c.edit(update, *_settings(c, citizen(update, c)))  # its state and button, changed


async def toggle_reminders(update: Update, context: CivicContext) -> None:
    c = context.civic
    user = citizen(update, c)
    on = update.callback_query.data == "rem:on"
    c.store.set_reminders(user["user_id"], on)
    text = N_("Reminders are on.") if on else N_("Reminders are off.")
    c.ack(update, t(user["language"], text))
    c.edit(update, *_settings(c, citizen(update, c)))  # its state and button, changed


async def my_data(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    data = c.store.personal_data(update.effective_user.id)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    heading = t(lang, "Everything stored about you:")
    kept = t(lang, say.KEPT_AFTER_FORGET)
    c.reply(update, f"{heading}\n<pre>{say.escape(text)}</pre>\n\n{kept}")


async def forget(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "Yes, erase everything"), callback_data="forget:yes"),
                InlineKeyboardButton(t(lang, "No, keep it"), callback_data="forget:no"),
            ]
        ]
    )
    c.reply(update, f"{t(lang, say.FORGET_QUESTION)}\n\n{t(lang, say.KEPT_AFTER_FORGET)}", keyboard)


async def confirm_forget(update: Update, context: CivicContext) -> None:
    c = context.civic
    user = c.store.user(update.effective_user.id)
    lang = user["language"] if user else language_of(update.effective_user.language_code)
    if update.callback_query.data != "forget:yes":
        c.ack(update, t(lang, "Nothing was erased."))
        return
    c.store.forget(update.effective_user.id)
    c.ack(update)
    c.reply(update, t(lang, "Everything about you is erased. Send /start to begin again."))


async def stop(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    c.store.unsubscribe_all(update.effective_user.id)
    c.reply(update, t(lang, "You follow no committee any more. /forget erases your data too."))


async def chat_member(update: Update, context: CivicContext) -> None:
    """A citizen who blocks the bot is unsubscribed at once."""
    member = update.my_chat_member
    if member.new_chat_member and member.new_chat_member.status in ("kicked", "left"):
        context.civic.store.unsubscribe_all(member.from_user.id)


async def poll_answer(update: Update, context: CivicContext) -> None:
    c = context.civic
    answer = update.poll_answer
    if answer.user is None:
        return  # an anonymous vote: never ours
    poll_id = c.store.poll_for_telegram_id(answer.poll_id)
    if poll_id is None:
        open_polls = {p for p in c.data.polls if c.poll_is_open(p)}
        poll_id = c.store.learn_poll_id(answer.poll_id, answer.user.id, open_polls)
    if poll_id is None or not c.poll_is_open(poll_id):
        return
    user = c.store.user(answer.user.id)
    language = user["language"] if user else DEFAULT
    c.store.record_answer(
        poll_id,
        answer.user.id,
        list(answer.option_ids),
        update.update_id,
        language,
        _role(c, answer.user.id, poll_id),
    )


def _role(c: Civic, user_id: int, poll_id: str) -> str | None:
    """The member role the person holds in the poll's committee, if any."""
    poll = c.data.polls.get(poll_id)
    return c.store.role(user_id, poll.committee) if poll else None


async def rate(update: Update, context: CivicContext) -> None:
    """A 1–5 rating, given with the inline keyboard sent for `rating` polls."""
    c = context.civic
    lang = citizen(update, c)["language"]
    _, key, value = update.callback_query.data.split(":")
    poll_id = c.data.find(key)
    if poll_id is None or not c.poll_is_open(poll_id) or not value.isdigit():
        c.ack(update, t(lang, "This poll is closed."))
        return
    score = int(value)
    if not 1 <= score <= 5:
        c.ack(update, t(lang, "This button is no longer valid."))
        return
    user_id = update.effective_user.id
    role = _role(c, user_id, poll_id)
    c.store.record_answer(poll_id, user_id, [score - 1], update.update_id, lang, role)
    c.ack(
        update,
        t(
            lang,
            "Thank you: you answered {value}. You can change it until the poll closes.",
            value=score,
        ),
    )


async def text_message(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizen(update, c)["language"]
    replied = update.message.reply_to_message
    poll_id = (
        c.store.poll_of_message(update.effective_chat.id, replied.message_id) if replied else None
    )
    poll = c.data.polls.get(poll_id) if poll_id else None
    if poll is None or not poll.comments or not update.message.text:
        c.reply(update, t(lang, "Use the buttons, or /help for what I can do."))
        return
    if not c.poll_is_open(poll.id):
        c.reply(update, t(lang, "This poll is closed."))
        return
    c.store.record_comment(poll.id, update.effective_user.id, update.message.text, update.update_id)
    c.reply(update, t(lang, "Thank you. Editors read your comment before it is published."))


async def stale_button(update: Update, context: CivicContext) -> None:
    """Callback data the bot did not issue (or no longer knows): answered, never acted on."""
    c = context.civic
    user = c.store.user(update.effective_user.id) if update.effective_user else None
    c.ack(update, t(user["language"] if user else DEFAULT, "This button is no longer valid."))
