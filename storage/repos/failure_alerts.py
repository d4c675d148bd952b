"""Identical failures counted per window, so the duty desk is alerted once and told the count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import from_iso, to_iso
from storage.interface import SqlDatabase


@dataclass(frozen=True)
class Repeats:
    """Identical failures since the window's alert (this one included), not alerted each."""

    count: int
    since: datetime  # the alert that opened the window
    until: datetime  # when the window closes


class FailureAlertRepo:
    """One row per failure signature: when its window opened and how many came since."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def note(self, signature: str, now: datetime, window: timedelta) -> Repeats | None:
        """Count one failure of `signature`: None if it opens a window (alert now), else the
        repeats of the open window."""
        row = await self.db.fetchone(
            "SELECT alerted_at, repeats FROM failure_alerts WHERE signature = ?", (signature,)
        )
        stamp = to_iso(now)
        if row is None or from_iso(row[0]) + window <= now:
            await self.db.execute(
                "INSERT INTO failure_alerts (signature, alerted_at, repeats, last_at)"
                " VALUES (?, ?, 0, ?) ON CONFLICT(signature) DO UPDATE SET"
                " alerted_at = excluded.alerted_at, repeats = 0, last_at = excluded.last_at",
                (signature, stamp, stamp),
            )
            return None
        await self.db.execute(
            "UPDATE failure_alerts SET repeats = repeats + 1, last_at = ? WHERE signature = ?",
            (stamp, signature),
        )
        since = from_iso(row[0])
        return Repeats(int(row[1]) + 1, since, since + window)
