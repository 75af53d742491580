"""The bot's commands, in one table: what each one runs, what it says it does, who may use it.

Everything that lists commands derives from `COMMANDS`: their registration (`app`), the menu
Telegram shows (`set_my_commands`: citizens' commands in each language, and editors' too in each
editor's private chat), /help's text and the
terminal console's usage line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest, TelegramError

from bot import broadcast, citizens, editors
from bot.context import CivicContext, Handler
from bot.i18n import DEFAULT, LANGUAGES, t
from bot.messages import N_
from bot.retry import until_answered
from bot.store.menus import Menus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    help: str | None  # its line in /help and the menu (a msgid); None: listed nowhere
    editors: bool = False  # for CIVICLOOP_ADMINS only: never in the citizens' menu or help


async def help_command(update: Update, context: CivicContext) -> None:
    c = context.civic
    lang = citizens.citizen(update, c)["language"]
    c.reply(update, help_text(lang, editor=c.is_admin(update)))


COMMANDS: tuple[Command, ...] = (
    Command("start", citizens.start, N_("What this bot does, and your language")),
    Command("help", help_command, N_("What I can do")),
    Command("committees", citizens.committees_command, N_("Choose the committees you follow")),
    Command("next", citizens.next_sessions, N_("Your next sessions")),
    Command("settings", citizens.settings, N_("Language, reminders and news")),
    Command("mydata", citizens.my_data, N_("What I store about you")),
    Command("leave", citizens.leave, N_("End your member roles, in every committee")),
    Command("forget", citizens.forget, N_("Erase what I store about you")),
    Command("stop", citizens.stop, N_("Stop all messages")),
    Command(
        "broadcast",
        broadcast.begin,
        N_("Send a message to a committee's subscribers"),
        editors=True,
    ),
    Command("cancel", broadcast.cancel, N_("Drop the broadcast being written"), editors=True),
    Command("pollstatus", editors.poll_status, N_("Each poll's state and answers"), editors=True),
    Command("closepoll", editors.close_poll_menu, N_("Close a poll now"), editors=True),
    Command("stats", editors.stats, N_("The bot's figures"), editors=True),
)
CITIZENS = tuple(c for c in COMMANDS if c.help and not c.editors)
EDITORS = tuple(c for c in COMMANDS if c.help and c.editors)


def help_text(lang: str, editor: bool = False) -> str:
    """One line per command, `/name what it does`; editors get theirs below a heading."""
    lines = [f"/{c.name} {t(lang, c.help)}" for c in CITIZENS]
    if editor:
        lines += ["", t(lang, "For editors:")] + [f"/{c.name} {t(lang, c.help)}" for c in EDITORS]
    return "\n".join(lines)


async def set_my_commands(bot: Bot, store: Menus, admins: Iterable[int] = ()) -> None:
    """The citizens' menu in each language: the default one in `DEFAULT`, and one per
    `language_code` for the others (Telegram picks it from the user's app language). In the
    private chat of each editor of `admins` (CIVICLOOP_ADMINS), the same with the editors' commands
    below: Telegram looks for a chat's own menu first. An editor who has never opened the bot
    has no chat yet: said in the log, and the rest goes on. The chats given that menu before,
    of editors no longer in `admins`, have it deleted (`store` lists them)."""
    editors = sorted(set(admins))
    menus = {code: [BotCommand(c.name, t(code, c.help)) for c in CITIZENS] for code in LANGUAGES}
    for code, menu in menus.items():
        await bot.set_my_commands(menu, language_code=_language_code(code))
    for editor in editors:
        store.give_editor_menu(editor)
        for code, menu in menus.items():
            theirs = menu + [BotCommand(c.name, t(code, c.help)) for c in EDITORS]
            try:
                await bot.set_my_commands(
                    theirs, scope=BotCommandScopeChat(editor), language_code=_language_code(code)
                )
            except BadRequest as error:
                log.warning("an editor's menu is not set (%s): they open the bot first", error)
                break
    for chat in sorted(store.editor_menus() - set(editors)):
        if await _take_back(bot, chat):
            store.take_editor_menu(chat)


async def keep_setting_menus(bot: Bot, store: Menus, admins: Iterable[int] = ()) -> None:
    """`set_my_commands` until it is done, beside the rest of the bot: the menus are a
    convenience (every command answers whether Telegram lists it or not), so a refusal at start
    (Telegram limits how often a restarting bot sets them) waits while citizens are served, up
    to 5 minutes between two tries. Setting a menu again is harmless."""
    await until_answered(lambda: set_my_commands(bot, store, admins), "setMyCommands", 300.0)


async def _take_back(bot: Bot, chat: int) -> bool:
    """Delete the editors' menu of `chat` in every language; False if Telegram could not be
    asked (the chat stays listed, for the next start)."""
    for code in LANGUAGES:
        try:
            await bot.delete_my_commands(
                scope=BotCommandScopeChat(chat), language_code=_language_code(code)
            )
        except BadRequest:  # no such chat (any more): no menu to delete
            return True
        except TelegramError as error:
            log.warning("a former editor's menu is not deleted yet (%s): next start", error)
            return False
    return True


def _language_code(code: str) -> str | None:
    """The menu of the default language is the one without a language code."""
    return None if code == DEFAULT else code
