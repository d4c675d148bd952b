"""The Telegram users the bot has seen: names, language, whether their private chat is open."""

from __future__ import annotations

from storage.interface import SqlDatabase


class UserRepo:
    """SQL for users (keyed by Telegram id)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def touch_user(
        self,
        telegram_id: int,
        first_name: str,
        username: str | None,
        now: str,
        *,
        private_chat: bool = False,
    ) -> None:
        """Record that we saw this user (and that they opened a private chat, if so)."""
        private_ok = self.db.dialect.greatest("users.private_chat_ok", "excluded.private_chat_ok")
        await self.db.execute(
            "INSERT INTO users (telegram_id, first_name, username, private_chat_ok, seen_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE SET"
            " first_name = excluded.first_name, username = excluded.username,"
            f" private_chat_ok = {private_ok},"
            " seen_at = excluded.seen_at",
            (telegram_id, first_name, username, int(private_chat), now),
        )

    async def private_chat_ok(self, telegram_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT private_chat_ok FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        return bool(value)

    async def mark_private_unreachable(self, telegram_id: int) -> None:
        await self.db.execute(
            "UPDATE users SET private_chat_ok = 0 WHERE telegram_id = ?", (telegram_id,)
        )

    async def private_contact(self, telegram_id: int) -> tuple[bool, str | None]:
        """`private_chat_ok` and `user_locale` in one read: (False, None) for a stranger."""
        row = await self.db.fetchone(
            "SELECT private_chat_ok, locale FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        if row is None:
            return False, None
        return bool(row[0]), None if row[1] is None else str(row[1])

    async def user_locale(self, telegram_id: int) -> str | None:
        value = await self.db.fetchval(
            "SELECT locale FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        return None if value is None else str(value)

    async def set_user_locale(self, telegram_id: int, locale: str, now: str) -> None:
        await self.db.execute(
            "INSERT INTO users (telegram_id, locale, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET locale = excluded.locale",
            (telegram_id, locale, now),
        )

    async def user_name(self, telegram_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT first_name, username FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        if row is None:
            return None
        return str(row["first_name"] or row["username"] or telegram_id)
