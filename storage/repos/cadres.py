"""Cadres: the administration's people, their roles, leaders, Telegram accounts and leave."""

from __future__ import annotations

from bot.domain.models import Cadre, Role
from storage.interface import Row, SqlDatabase


def _cadre(row: Row) -> Cadre:
    return Cadre(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        role=Role(row["role"]),
        leader_id=row["leader_id"],
        telegram_id=row["telegram_id"],
        on_leave=bool(row["on_leave"]),
    )


class CadreRepo:
    """SQL for cadres (the admins are cadres with the admin role)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def cadre(self, cadre_id: int) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE id = ?", (cadre_id,))
        return _cadre(row) if row else None

    async def cadre_by_name(self, name: str) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE name = ?", (name,))
        return _cadre(row) if row else None

    async def cadre_by_telegram(self, telegram_id: int) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE telegram_id = ?", (telegram_id,))
        return _cadre(row) if row else None

    async def cadres(self) -> list[Cadre]:
        return [_cadre(r) for r in await self.db.fetchall("SELECT * FROM cadres ORDER BY id")]

    async def cadres_under(self, leader_id: int) -> list[Cadre]:
        rows = await self.db.fetchall(
            "SELECT * FROM cadres WHERE leader_id = ? ORDER BY id", (leader_id,)
        )
        return [_cadre(r) for r in rows]

    async def admin_telegram_ids(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT telegram_id FROM cadres WHERE role = 'admin' AND telegram_id IS NOT NULL"
        )
        return [int(r[0]) for r in rows]

    async def upsert_cadre(
        self,
        *,
        name: str,
        phone: str | None,
        role: str,
        telegram_id: int | None,
        now: str,
    ) -> int:
        """Insert or update a cadre by name; return its id."""
        await self.db.execute(
            "INSERT INTO cadres (name, phone, role, telegram_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET phone = excluded.phone, role = excluded.role,"
            " telegram_id = COALESCE(excluded.telegram_id, cadres.telegram_id),"
            " updated_at = excluded.updated_at",
            (name, phone, role, telegram_id, now, now),
        )
        return int(await self.db.fetchval("SELECT id FROM cadres WHERE name = ?", (name,)))

    async def set_cadre_leader(self, cadre_id: int, leader_id: int | None) -> None:
        await self.db.execute("UPDATE cadres SET leader_id = ? WHERE id = ?", (leader_id, cadre_id))

    async def set_cadre_telegram(self, cadre_id: int, telegram_id: int, now: str) -> None:
        # A Telegram account belongs to one cadre: release it from any other record first.
        await self.db.execute(
            "UPDATE cadres SET telegram_id = NULL WHERE telegram_id = ? AND id != ?",
            (telegram_id, cadre_id),
        )
        await self.db.execute(
            "UPDATE cadres SET telegram_id = ?, updated_at = ? WHERE id = ?",
            (telegram_id, now, cadre_id),
        )

    async def set_on_leave(self, cadre_id: int, on_leave: bool, now: str) -> None:
        await self.db.execute(
            "UPDATE cadres SET on_leave = ?, updated_at = ? WHERE id = ?",
            (int(on_leave), now, cadre_id),
        )
