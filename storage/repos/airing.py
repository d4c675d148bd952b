"""Aired weeks and their 龙虎榜 ranks, and the chats the weekly post goes to."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_iso
from storage.interface import SqlDatabase


class AiringRepo:
    """SQL for airing_weeks and airing_ranks."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def is_posted(self, week: str) -> bool:
        return await self.db.fetchval("SELECT 1 FROM airing_weeks WHERE week = ?", (week,)) == 1

    async def record(
        self,
        week: str,
        *,
        as_of: datetime,
        now: datetime,
        chats: int,
        ranks: dict[int, tuple[int, float]],
    ) -> bool:
        """Record the week as posted with its ranks; False if it already was (nothing written)."""
        added = await self.db.execute(
            "INSERT INTO airing_weeks (week, as_of, posted_at, chats)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (week, to_iso(as_of), to_iso(now), chats),
        )
        if not added:
            return False
        await self.db.executemany(
            "INSERT INTO airing_ranks (week, cadre_id, rank, score) VALUES (?, ?, ?, ?)",
            [(week, cadre_id, rank, score) for cadre_id, (rank, score) in ranks.items()],
        )
        return True

    async def ranks(self, week: str) -> dict[int, int] | None:
        """Stored ranks of an aired week (cadre id -> rank), or None if it was not aired."""
        if not await self.is_posted(week):
            return None
        rows = await self.db.fetchall(
            "SELECT cadre_id, rank FROM airing_ranks WHERE week = ?", (week,)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def park_groups(self) -> list[int]:
        """Groups bound as park-wide service groups."""
        rows = await self.db.fetchall(
            "SELECT chat_id FROM chat_bindings WHERE kind = 'park' ORDER BY chat_id"
        )
        return [int(r[0]) for r in rows]
