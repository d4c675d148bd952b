"""A small key-value table for bot-wide facts (e.g. last successful send)."""

from __future__ import annotations

from storage.interface import SqlDatabase


class KvRepo:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        value = await self.db.fetchval("SELECT value FROM kv WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete_older(self, prefix: str, before: str) -> int:
        """Delete the keys starting with `prefix` whose value (a time, as `to_iso` writes it,
        so ordered as text) is before `before`; how many."""
        return await self.db.execute(
            "DELETE FROM kv WHERE substr(key, 1, ?) = ? AND value < ?",
            (len(prefix), prefix, before),
        )
