"""The texts the bot sends, in the citizen's language (HTML, every value escaped)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.i18n import LANGUAGES, t
from bot.sitedata import Recommendation, SiteData
from civicloop.labels import translator
from civicloop.opendata import CommitteeRecord, PollRecord, PollResults, SessionRecord
from civicloop.tally import GROUP_NAMES, MIN_GROUP
from civicloop.when import unknown_time

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


# Members' roles, as the committee types name them (civicloop.content.Member)
ROLES = {
    "citizen": N_("citizen member"),
    "politician": N_("politician"),
    "substitute": N_("substitute"),
    "expert": N_("expert"),
    "facilitator": N_("facilitator"),
}
# The "you said, we did" messages people can turn off in /settings: button, by current state
NEWS_BUTTONS = {
    "results": {
        True: N_("Stop messages when results are published"),
        False: N_("Tell me when results are published"),
    },
    "recommendations": {
        True: N_("Stop news of recommendations"),
        False: N_("Tell me when a recommendation moves"),
    },
}
NEWS_STATES = {
    "results": {
        True: N_("I will tell you when the results of a poll you answered are published."),
        False: N_("No more messages when results are published."),
    },
    "recommendations": {
        True: N_(
            "I will tell you when a recommendation of a committee you follow changes status "
            "or its response is overdue."
        ),
        False: N_("No more news of recommendations."),
    },
}
EVENTS = {
    "awaiting-response": N_("awaiting the response"),
    "accepted": N_("accepted"),
    "partly-accepted": N_("partly accepted"),
    "rejected": N_("rejected"),
    "in-progress": N_("in progress"),
    "implemented": N_("implemented"),
    "not-implemented": N_("not implemented"),
    "withdrawn": N_("withdrawn"),
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
    """Its start, or what is known of its date, as the site says it: the sources of real
    committees may not say."""
    if session.starts is not None:
        return moment(session.starts, ZoneInfo(session.timezone), lang)
    return unknown_time(session, lang)


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


def settings_text(user, lang: str, roles: list[tuple[str, str]]) -> str:
    """`roles`: the committees (their titles) the person holds a role in, with the role."""

    def state(on: object) -> str:
        return t(lang, "on") if on else t(lang, "off")

    lines = [
        t(
            lang,
            "Language: {language}. Reminders: {state}.",
            language=LANGUAGES[user["language"]],
            state=state(user["reminders"]),
        ),
        t(lang, "When results are published: {state}.", state=state(user["results_news"])),
        t(lang, "News of recommendations: {state}.", state=state(user["recommendation_news"])),
    ]
    for title, role in roles:
        lines.append(
            t(
                lang,
                "Your role in {title}: {role}.",
                title=title,
                role=t(lang, ROLES.get(role, role)),
            )
        )
    if roles:
        lines.append(t(lang, "/leave ends your member roles."))
    return escape("\n".join(lines))


def results_news(poll: PollRecord, lang: str) -> str:
    """You said, we did: a poll the person answered has its results published."""
    results = poll.results
    assert results is not None
    lines = [
        "<b>" + escape(t(lang, "You said, we did: the results are published")) + "</b>",
        "",
        escape(poll.question),
        "",
    ]
    lines += [escape(line) for line in figures(results, lang)]
    return "\n".join([*lines, "", escape(results.url)])


def figures(results: PollResults, lang: str) -> list[str]:
    """The figures as one line each: the total, then the groups by role."""
    if results.suppressed and results.respondents < MIN_GROUP:
        return [t(lang, "Fewer than 5 people answered, so the figures are not published.")]
    if results.suppressed:
        return [
            t(
                lang,
                "Everyone who answered, members among them, chose the same option, so "
                "the figures are not published: they would tell how each member answered.",
            )
        ]
    lines = [t(lang, "{count} people answered.", count=results.respondents)]
    lines += [f"{o.label}: {o.count} ({o.share:.0%})" for o in results.options]
    for group, split in (results.by_role or {}).items():
        name = translator(lang)(GROUP_NAMES.get(group, group))
        if split.suppressed:
            lines.append(t(lang, "{group}: not published, to protect who answered", group=name))
        elif split.respondents:
            counts = ", ".join(f"{o.label} {o.count}" for o in split.options)
            lines.append(f"{name} ({split.respondents}): {counts}")
    return lines


def recommendation_news(data: SiteData, record: Recommendation, event: str, lang: str) -> str:
    """You said, we did: a recommendation of a followed committee moved."""
    title = record.local_title(lang)
    committee = data.committees.get(record.committee)
    name = local_title(committee, lang) if committee else record.committee
    if event == "overdue":
        due = record.response_due.isoformat() if record.response_due else "?"
        what = t(
            lang, "The response to this recommendation is overdue (it was due {due}).", due=due
        )
    else:
        what = t(lang, "New status: {status}.", status=t(lang, EVENTS.get(event, event)))
    heading = t(lang, "You said, we did: a recommendation moved")
    return (
        f"<b>{escape(heading)}</b>\n\n"
        f"{escape(name)}\n<b>{escape(title)}</b>\n{escape(what)}\n\n{escape(record.url)}"
    )
