"""The texts the bot sends, in the citizen's language (HTML, every value escaped)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from bot.i18n import LANGUAGES, t
from bot.sitedata import SiteData
from civicloop.opendata import CommitteeRecord, SessionRecord

escape = html.escape


def N_(text: str) -> str:
    """Marks a text for the catalogs where it is defined; `t()` translates it where it is used."""
    return text


PRIVACY = N_(
    "What I store: your Telegram user id and chat, your language, the committees you follow "
    "and whether you want reminders: that is what I need to write to you. Your poll answers "
    "are stored under a pseudonym, never with your id, and published only as totals. "
    "/mydata shows all of it, /forget erases it, /stop ends all messages."
)
KEPT_AFTER_FORGET = N_(
    "After /forget nothing about you stays, except in polls that have closed: a closed poll's "
    "count is final, so your answer stays in its totals, no longer linked to you, and your "
    "comment stays only if it was already published with the results."
)
FORGET_QUESTION = N_(
    "Erase everything I store about you: your follows, settings and poll answers? "
    "This cannot be undone."
)
STATUSES = {
    "scheduled": N_("scheduled"),
    "held": N_("held"),
    "postponed": N_("postponed"),
    "cancelled": N_("cancelled"),
}
CHANGES = {
    "added": N_("New session"),
    "cancelled": N_("Session cancelled"),
    "postponed": N_("Session postponed"),
    "rescheduled": N_("Session back on the calendar"),
    "time": N_("New time"),
    "place": N_("New place"),
    "agenda": N_("Agenda updated"),
    "replay": N_("Replay published"),
    "outcomes": N_("Outcomes published"),
}


def welcome(lang: str) -> str:
    return "\n\n".join(
        [
            t(
                lang,
                "Hello! I tell you what your committees will discuss and when, remind you "
                "of their sessions, and ask you quick questions whose answers reach them.",
            ),
            t(lang, PRIVACY),
            t(lang, KEPT_AFTER_FORGET),
            t(lang, "Choose your language:"),
        ]
    )


def local_title(committee: CommitteeRecord, lang: str) -> str:
    translation = committee.translations.get(lang)
    return translation.title if translation else committee.title


def session_title(session: SessionRecord, lang: str) -> str:
    translation = session.translations.get(lang)
    return translation.title if translation else session.title


def when(session: SessionRecord, lang: str) -> str:
    """Its start, or what is known of its date: the sources of real committees may not say."""
    zone = ZoneInfo(session.timezone)
    if session.starts is not None:
        return moment(session.starts, zone, lang)
    if session.date is not None:
        day = format_date(session.date, "EEEE d MMMM y", locale=lang)
        return t(lang, "{day}, time not published", day=day)
    if session.date_between is not None:
        first, last = (format_date(d, "d MMMM y", locale=lang) for d in session.date_between)
        return t(lang, "Date not known: between {first} and {last}", first=first, last=last)
    return t(lang, "Date not known")


def soonest(session: SessionRecord) -> tuple[bool, datetime]:
    """A sort key: soonest first, as far as known; those whose date is not known last."""
    span = session.span()
    return (span is None, span[0] if span else datetime.max.replace(tzinfo=UTC))


def moment(value: datetime, zone: ZoneInfo, lang: str) -> str:
    text = format_datetime(value, "EEEE d MMMM y, HH:mm", tzinfo=zone, locale=lang)
    return f"{text} {value.astimezone(zone).tzname()}"


def committee_list(data: SiteData, lang: str) -> str:
    lines = [t(lang, "Committees you can follow (press to follow or stop following):")]
    for committee in sorted(data.committees.values(), key=lambda c: c.id):
        question = committee.translations.get(lang)
        text = question.question if question and question.question else committee.question
        lines.append(f"\n<b>{escape(local_title(committee, lang))}</b>\n{escape(text)}")
    return "\n".join(lines)


def button_title(session: SessionRecord, lang: str) -> str:
    return (t(lang, "Agenda") + ": " + session_title(session, lang))[:60]


def session_line(data: SiteData, session: SessionRecord, lang: str) -> str:
    committee = data.committees.get(session.committee)
    name = local_title(committee, lang) if committee else session.committee
    where = session.place or session.online or ""
    status = "" if session.status == "scheduled" else f" ({t(lang, STATUSES[session.status])})"
    return (
        f"<b>{escape(session_title(session, lang))}</b>{escape(status)}\n{escape(name)}\n"
        f"{escape(when(session, lang))}\n{escape(where)}"
    )


def agenda(data: SiteData, session: SessionRecord, lang: str) -> str:
    heading = t(lang, "Agenda")
    lines = [session_line(data, session, lang), "", f"<b>{escape(heading)}</b>"]
    for number, item in enumerate(session.agenda, start=1):
        extra = f" ({item.duration} min)" if item.duration else ""
        lines.append(f"{number}. {escape(item.title)}{escape(extra)}")
    if not session.agenda:
        lines.append(t(lang, "The agenda is not published yet."))
    lines.append(f"\n{escape(session.url)}")
    return "\n".join(lines)


def announcement(data: SiteData, session: SessionRecord, kinds: list[str], lang: str) -> str:
    heading = ", ".join(t(lang, CHANGES[k]) for k in kinds)
    text = f"<b>{escape(heading)}</b>\n\n{session_line(data, session, lang)}"
    if "outcomes" in kinds and session.outcomes:
        text += f"\n\n{escape(session.outcomes[:1500])}"
    if "replay" in kinds and session.replay:
        replay = t(lang, "Replay")
        text += f"\n\n{escape(replay)}: {escape(session.replay)}"
    return text + f"\n\n{escape(session.url)}"


def reminder(data: SiteData, session: SessionRecord, lang: str) -> str:
    heading = t(lang, "Reminder")
    return f"<b>{escape(heading)}</b>\n\n" + agenda(data, session, lang)


def settings_text(user, lang: str) -> str:
    state = t(lang, "on") if user["reminders"] else t(lang, "off")
    return t(
        lang,
        "Language: {language}. Reminders: {state}.",
        language=LANGUAGES[user["language"]],
        state=state,
    )
