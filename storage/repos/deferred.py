"""Deferred work: heavy answers owed to a chat, stored with the update that asked for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_iso, to_iso
from storage.interface import SqlDatabase


@dataclass(frozen=True)
class WorkItem:
    id: int
    kind: str
    chat_id: int
    params: dict[str, Any]
    created_at: datetime


class DeferredRepo:
    """SQL for `deferred_work`."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def add(self, kind: str, chat_id: int, params: dict[str, Any], now: datetime) -> int:
        return await self.db.insert(
            "INSERT INTO deferred_work (kind, chat_id, params, created_at) VALUES (?, ?, ?, ?)",
            (kind, chat_id, json.dumps(params, ensure_ascii=False), to_iso(now)),
        )

    async def pending(self, limit: int = 20) -> list[WorkItem]:
        rows = await self.db.fetchall(
            "SELECT id, kind, chat_id, params, created_at FROM deferred_work"
            " WHERE status = 'pending' ORDER BY id LIMIT ?",
            (limit,),
        )
        return [WorkItem(r[0], r[1], r[2], json.loads(r[3]), from_iso(r[4])) for r in rows]

    async def finish(self, item_id: int, now: datetime, *, error: str | None = None) -> bool:
        """Mark a pending item done (or failed, with `error`); False if it was not pending."""
        changed = await self.db.execute(
            "UPDATE deferred_work SET status = ?, done_at = ?, error = ?"
            " WHERE id = ? AND status = 'pending'",
            ("failed" if error else "done", to_iso(now), error[:500] if error else None, item_id),
        )
        return changed == 1

    async def purge_done(self, before: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM deferred_work WHERE status != 'pending' AND done_at < ?", (to_iso(before),)
        )
