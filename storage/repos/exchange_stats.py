"""Weekly counts of the side services (jobs, logistics) for the airing and the ledger.

Owned by the jobs and logistics feature; the airing reads it through `week_counts`.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.airing import COUNT_KEYS
from storage.interface import SqlDatabase
from storage.repos.logistics import LogisticsRepo
from storage.repos.recruiting import JobRepo


async def week_counts(db: SqlDatabase, start: datetime, end: datetime) -> dict[str, int]:
    """Count side-service activity in [start, end); must be called inside a transaction."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts.update(await _job_counts(db, start, end))
    counts.update(await LogisticsRepo(db).week_counts(start, end))
    return counts


async def _job_counts(db: SqlDatabase, start: datetime, end: datetime) -> dict[str, int]:
    """Jobs published, filled and expired, and people hired, from the job_events log."""
    totals = await JobRepo(db).event_totals(start, end)
    return {
        "jobs_published": totals.get("publish", (0, 0))[0],
        "jobs_filled": totals.get("fill", (0, 0))[0],
        "jobs_expired": totals.get("expire", (0, 0))[0],
        "people_hired": totals.get("hire", (0, 0))[1],
    }
