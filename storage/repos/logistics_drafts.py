"""The guided /truck and /cargo conversations in progress, one per user, kept across restarts."""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import to_iso
from bot.domain.logistics import Draft
from storage.interface import SqlDatabase


class LogisticsDraftRepo:
    """SQL for logistics_drafts; never commits."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # -- drafts -------------------------------------------------------------------------------
    async def draft(self, user_id: int) -> Draft | None:
        row = await self.db.fetchone("SELECT * FROM logistics_drafts WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Draft(row["user_id"], row["kind"], row["step"], json.loads(row["data"]))

    async def save_draft(self, draft: Draft, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO logistics_drafts (user_id, kind, step, data, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
            " step = excluded.step, data = excluded.data, updated_at = excluded.updated_at",
            (
                draft.user_id,
                draft.kind,
                draft.step,
                json.dumps(draft.data, ensure_ascii=False),
                to_iso(now),
            ),
        )

    async def drop_draft(self, user_id: int) -> bool:
        return (
            await self.db.execute("DELETE FROM logistics_drafts WHERE user_id = ?", (user_id,)) > 0
        )

    async def drop_drafts_before(self, cutoff: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM logistics_drafts WHERE updated_at < ?", (to_iso(cutoff),)
        )
