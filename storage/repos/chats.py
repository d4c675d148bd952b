"""Chat bindings (which group serves which enterprise) and deep-link invitations."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.models import ChatBinding
from storage.interface import SqlDatabase


class ChatRepo:
    """SQL for chat_bindings and invites."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def binding(self, chat_id: int) -> ChatBinding | None:
        row = await self.db.fetchone("SELECT * FROM chat_bindings WHERE chat_id = ?", (chat_id,))
        if row is None:
            return None
        return ChatBinding(row["chat_id"], row["kind"], row["enterprise_id"], row["title"])

    async def bind(
        self,
        chat_id: int,
        *,
        kind: str,
        enterprise_id: int | None,
        title: str,
        bound_by: int,
        now: datetime,
    ) -> None:
        await self.db.execute(
            "INSERT INTO chat_bindings (chat_id, kind, enterprise_id, title, bound_by, bound_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET kind = excluded.kind,"
            " enterprise_id = excluded.enterprise_id, title = excluded.title,"
            " bound_by = excluded.bound_by, bound_at = excluded.bound_at",
            (chat_id, kind, enterprise_id, title, bound_by, to_iso(now)),
        )

    async def unbind(self, chat_id: int) -> bool:
        return await self.db.execute("DELETE FROM chat_bindings WHERE chat_id = ?", (chat_id,)) > 0

    # -- a group upgraded to a supergroup ----------------------------------------------------
    async def record_migration(self, old_chat_id: int, new_chat_id: int, now: datetime) -> bool:
        """Remember that a chat moved to a new id; True the first time."""
        changed = await self.db.execute(
            "INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (old_chat_id, new_chat_id, to_iso(now)),
        )
        return changed > 0

    async def move_binding(self, old_chat_id: int, new_chat_id: int) -> ChatBinding | None:
        """Carry a binding over to the chat's new id (a binding made there already wins)."""
        binding = await self.binding(old_chat_id)
        if binding is None:
            return await self.binding(new_chat_id)
        if await self.binding(new_chat_id) is None:
            await self.db.execute(
                "UPDATE chat_bindings SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        else:
            await self.unbind(old_chat_id)
        return await self.binding(new_chat_id)

    async def current_chat(self, chat_id: int) -> int:
        """Where a chat lives now: its new id if it was upgraded, else itself."""
        value = await self.db.fetchval(
            "SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)
        )
        return chat_id if value is None else int(value)

    # -- invites ------------------------------------------------------------------------------
    async def add_invite(
        self, token_hash: str, *, kind: str, target_id: int, now: datetime, expires: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO invites (token_hash, kind, target_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash, kind, target_id, to_iso(now), to_iso(expires)),
        )

    async def invite(self, token_hash: str) -> tuple[str, int, datetime, bool] | None:
        """Return (kind, target_id, expires_at, used) for an invite hash."""
        row = await self.db.fetchone("SELECT * FROM invites WHERE token_hash = ?", (token_hash,))
        if row is None:
            return None
        return row["kind"], row["target_id"], from_iso(row["expires_at"]), bool(row["used_at"])

    async def use_invite(self, token_hash: str, telegram_id: int, now: datetime) -> bool:
        """Mark an invite used; False if it was used already (single use)."""
        changed = await self.db.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL",
            (to_iso(now), telegram_id, token_hash),
        )
        return changed > 0
