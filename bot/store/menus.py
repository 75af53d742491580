"""The private chats the bot gave the editors' menu (`editor_menus`): Telegram keeps a chat's
menu until it is deleted, so an editor removed from CIVICLOOP_ADMINS would go on seeing it."""

from __future__ import annotations

from bot.store.connection import Connection


class Menus(Connection):
    def editor_menus(self) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT chat_id FROM editor_menus")}

    def give_editor_menu(self, chat_id: int) -> None:
        """Written before the menu is set: a menu the bot may have set is always listed."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO editor_menus VALUES (?)", (chat_id,))

    def take_editor_menu(self, chat_id: int) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM editor_menus WHERE chat_id = ?", (chat_id,))
