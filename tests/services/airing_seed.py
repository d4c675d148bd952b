"""Rows for metric and airing tests, written straight into the tables at chosen times."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import to_iso
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")


def park(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """A moment in park time, November 2026 unless told otherwise."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


class Seed:
    """Insert cadres, enterprises, tickets and events with explicit timestamps."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.enterprise_id = 0
        self._message = 0

    async def enterprise(self, name: str = "海澄精工") -> int:
        async with self.db.transaction():
            self.enterprise_id = await self.db.insert(
                "INSERT INTO enterprises (name, created_at, updated_at) VALUES (?, ?, ?)",
                (name, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
            )
        return self.enterprise_id

    async def cadre(self, name: str, telegram_id: int | None = None) -> int:
        async with self.db.transaction():
            return await self.db.insert(
                "INSERT INTO cadres (name, telegram_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (name, telegram_id, "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
            )

    async def ticket(
        self,
        cadre_id: int | None,
        created: datetime,
        *,
        status: str = "new",
        deadline: datetime | None = None,
        response_due: datetime | None = None,
        supervision: int = 0,
        content: str = "厂区停电",
    ) -> int:
        if not self.enterprise_id:
            await self.enterprise()
        self._message += 1
        async with self.db.transaction():
            ticket_id = await self.db.insert(
                "INSERT INTO tickets (enterprise_id, reporter_id, chat_id, source_message_id,"
                " kind, category, content, status, assignee_id, deadline_at, response_due_at,"
                " supervision_level, created_at, updated_at)"
                " VALUES (?, 1, -100, ?, 'help', 'utilities', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.enterprise_id,
                    self._message,
                    content,
                    status,
                    cadre_id,
                    to_iso(deadline or created + timedelta(days=7)),
                    to_iso(response_due) if response_due else None,
                    supervision,
                    to_iso(created),
                    to_iso(created),
                ),
            )
            await self.db.insert(
                "INSERT INTO ticket_events (ticket_id, type, at) VALUES (?, 'create', ?)",
                (ticket_id, to_iso(created)),
            )
        return ticket_id

    async def event(self, ticket_id: int, kind: str, at: datetime, **data: Any) -> None:
        async with self.db.transaction():
            await self.db.insert(
                "INSERT INTO ticket_events (ticket_id, type, data, at) VALUES (?, ?, ?, ?)",
                (ticket_id, kind, json.dumps(data), to_iso(at)),
            )

    async def status(self, ticket_id: int, status: str) -> None:
        async with self.db.transaction():
            await self.db.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket_id))
