"""Grouped admin notices: the cadres the admins were told cannot be reached."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso, to_iso
from storage.interface import SqlDatabase


class NoticeRepo:
    """SQL for `unreachable_cadres`."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def open_unreachable(self, cadre_id: int, now: datetime) -> bool:
        """Start an episode for this cadre; False if one is already open."""
        stamp = to_iso(now)
        added = await self.db.execute(
            "INSERT INTO unreachable_cadres (cadre_id, noticed_at, reminded_at) VALUES (?, ?, ?)"
            " ON CONFLICT(cadre_id) DO NOTHING",
            (cadre_id, stamp, stamp),
        )
        return added == 1

    async def is_unreachable(self, cadre_id: int) -> bool:
        """Whether an episode is open for this cadre."""
        row = await self.db.fetchone(
            "SELECT 1 FROM unreachable_cadres WHERE cadre_id = ?", (cadre_id,)
        )
        return row is not None

    async def close_unreachable(self, cadre_id: int) -> None:
        await self.db.execute("DELETE FROM unreachable_cadres WHERE cadre_id = ?", (cadre_id,))

    async def unreachable(self) -> list[tuple[int, datetime]]:
        """Every open episode: (cadre id, when the admins were last told)."""
        rows = await self.db.fetchall(
            "SELECT cadre_id, reminded_at FROM unreachable_cadres ORDER BY cadre_id"
        )
        return [(int(r[0]), from_iso(r[1])) for r in rows]

    async def reminded(self, cadre_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE unreachable_cadres SET reminded_at = ? WHERE cadre_id = ?",
            (to_iso(now), cadre_id),
        )
