"""Weekly counts of the side services (jobs, logistics) for the airing and the ledger.

Owned by the jobs and logistics feature; the airing reads it through `week_counts`.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Database

# The keys every caller may rely on, in display order.
COUNT_KEYS: tuple[str, ...] = (
    "jobs_published",
    "jobs_filled",
    "jobs_expired",
    "people_hired",
    "truck_offers",
    "cargo_requests",
    "matches_proposed",
    "matches_accepted",
    "matches_completed",
)


async def week_counts(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """Count side-service activity in [start, end); must be called inside a transaction."""
    del db, start, end  # replaced by real queries when the jobs/logistics tables exist
    return dict.fromkeys(COUNT_KEYS, 0)
