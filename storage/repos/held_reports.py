"""Private reports waiting for their reporter to pick the enterprise (`pending_reports`)."""

from __future__ import annotations

import json
from typing import Any

from storage.interface import SqlDatabase


class HeldReportRepo:
    """SQL for `pending_reports`: a contact of several enterprises' report, until they pick."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def hold_report(
        self, reporter_id: int, message_id: int, content: str, files: list[dict[str, Any]], now: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO pending_reports (reporter_id, message_id, content, files, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(reporter_id, message_id) DO NOTHING",
            (reporter_id, message_id, content, json.dumps(files, ensure_ascii=False), now),
        )

    async def held_report(
        self, reporter_id: int, message_id: int
    ) -> tuple[str, list[dict[str, Any]]] | None:
        row = await self.db.fetchone(
            "SELECT content, files FROM pending_reports WHERE reporter_id = ? AND message_id = ?",
            (reporter_id, message_id),
        )
        return None if row is None else (str(row["content"]), json.loads(row["files"]))

    async def drop_held_report(self, reporter_id: int, message_id: int) -> None:
        await self.db.execute(
            "DELETE FROM pending_reports WHERE reporter_id = ? AND message_id = ?",
            (reporter_id, message_id),
        )

    async def purge_held_reports(self, before: str) -> int:
        return await self.db.execute("DELETE FROM pending_reports WHERE created_at < ?", (before,))
