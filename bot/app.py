"""Wiring: `build_application(settings)` registers every handler in one place; `run` starts it."""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot import broadcast, citizens, editors
from bot.civic import Civic
from bot.commands import COMMANDS, keep_setting_menus
from bot.context import CIVIC, CONTEXT_TYPES
from bot.inbox import Inbox, on_error
from bot.outbox import Outbox
from bot.results_job import ResultsJob
from bot.retry import until_answered
from bot.schedule import refresh, tick
from bot.settings import Settings
from bot.store import Store
from bot.store.people import NEWS
from bot.transport import request
from civicloop.languages import CODES
from civicloop.publisher.base import Publisher

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
STOP_GRACE = 3.0  # seconds the messages in flight get to finish when the bot is stopped
BUTTONS = {
    rf"^lang:({'|'.join(CODES)})(:[cs]:[0-9a-f]{{12}}|:i:[A-Za-z0-9_-]{{16,43}})?$": (
        citizens.choose_language
    ),
    r"^sub:[0-9a-f]{12}$": citizens.toggle_subscription,
    r"^agenda:[0-9a-f]{12}$": citizens.agenda,
    r"^rem:(on|off)$": citizens.toggle_reminders,
    rf"^news:({'|'.join(NEWS)}):(on|off)$": citizens.toggle_news,
    r"^forget:(yes|no)$": citizens.confirm_forget,
    r"^rate:[0-9a-f]{12}:[1-5]$": citizens.rate,
    **broadcast.BUTTONS,
    r"^close:[0-9a-f]{12}$": editors.close_poll_now,
}


def build_application(settings: Settings) -> Application:
    application = (
        Application.builder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .updater(None)  # updates come through our inbox, committed before they are confirmed
        .request(request(pool_size=32))  # no rate limiter here: the outbox keeps the limits
        .context_types(CONTEXT_TYPES)  # handlers get `context.civic`
        .build()
    )
    store = Store(settings.db, settings.secret)
    application.bot_data[CIVIC] = Civic(settings, store, asyncio.Lock())
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, broadcast.write_text), group=0
    )
    for command in COMMANDS:
        application.add_handler(
            CommandHandler(command.name, command.handler, filters=PRIVATE), group=1
        )
    for pattern, callback in BUTTONS.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern), group=1)
    application.add_handler(CallbackQueryHandler(citizens.stale_button), group=1)
    application.add_handler(PollAnswerHandler(citizens.poll_answer), group=1)
    application.add_handler(
        ChatMemberHandler(citizens.chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=1
    )
    application.add_handler(
        MessageHandler(PRIVATE & ~filters.COMMAND, citizens.text_message), group=1
    )
    application.add_error_handler(on_error)
    return application


async def run(settings: Settings, publisher: Publisher | None = None) -> None:
    """Start everything and run until cancelled (SIGTERM, Ctrl-C), then stop within seconds.
    Without a publisher, closed polls' results stay in the store (and `civicloop results` can
    publish them)."""
    application = build_application(settings)
    c: Civic = application.bot_data[CIVIC]
    results = ResultsJob(c, publisher) if publisher else None
    application.bot_data["results"] = results
    inbox = Inbox(application, c.store, c.lock)
    rate = max(1, int(settings.rate))  # whole messages in any second
    outbox = Outbox(c.store, application.bot, c.lock, c.wake_outbox, rate=rate)
    tasks: list[asyncio.Task] = []
    try:
        # getMe: the token checked and the bot's name read (python-telegram-bot's `initialize`
        # does it once, below); Telegram or the network down at start only delays the bot
        await until_answered(application.bot.initialize, "getMe")
        async with application:
            try:
                _check_username(settings, application.bot.username)
                if not await refresh(c):
                    log.warning(
                        "starting without site data; will retry every %.0f s", settings.refresh
                    )
                await tick(c, results)
                menus = keep_setting_menus(application.bot, c.store, settings.admins)
                tasks += [
                    asyncio.create_task(menus, name="menus"),
                    asyncio.create_task(outbox.run(), name="outbox"),
                    asyncio.create_task(inbox.process(), name="inbox"),
                    asyncio.create_task(
                        _every(settings.refresh, lambda: refresh(c)), name="refresh"
                    ),
                    asyncio.create_task(
                        _every(settings.tick, lambda: tick(c, results)), name="tick"
                    ),
                ]
                if settings.webhook_url:
                    from bot.webhook import serve

                    webhook = serve(settings, application.bot, inbox)
                    tasks.append(asyncio.create_task(webhook, name="webhook"))
                else:
                    tasks.append(asyncio.create_task(inbox.poll(), name="poll"))
                mode = "webhook" if settings.webhook_url else "polling"
                log.info("civicloop bot running (%s)", mode)
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    task.result()  # a crashed loop stops the bot loudly instead of silently
            finally:
                await _stop(tasks, outbox)
    finally:
        c.store.close()


def _check_username(settings: Settings, actual: str) -> None:
    """The site's follow links name CIVICLOOP_BOT_USERNAME: say so if that is another bot."""
    if settings.username and settings.username.casefold() != actual.casefold():
        log.warning(
            "CIVICLOOP_BOT_USERNAME is %s, but this bot is @%s: the site's follow links open "
            "another bot",
            settings.username,
            actual,
        )


async def _stop(tasks: list[asyncio.Task], outbox: Outbox) -> None:
    """Take no more work and let the outbox finish the messages in flight (a request cut midway
    may or may not have reached Telegram), then cancel what is left. Bounded, so the bot ends
    within seconds whatever it was doing; a second cancellation (signal) cuts it short.
    Everything committed stays committed: an update being handled is rolled back and handled
    again at the next start, a message not sent stays queued."""
    outbox.stop()
    for task in tasks:
        if task.get_name() != "outbox":
            task.cancel()
    late = set(tasks)
    if late:
        _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
    for task in late:
        log.warning("%s still busy %.0f s after the stop; cancelled", task.get_name(), STOP_GRACE)
        task.cancel()
    if late:
        await asyncio.wait(late, timeout=1.0)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())


async def _every(seconds: float, job) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception:
            log.exception("timed job failed; trying again in %.0f s", seconds)
