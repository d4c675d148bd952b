"""Upgrade test for 0011: events written before it get the deadline then in force; chases too.

The old database is made by migrations 0001-0010 and the rows that release wrote (a storage test
is the one place that writes rows by hand): resolves and reopens without a deadline, an approved
extension, an overdue chase keyed `chase1`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock, to_iso
from bot.domain import events as ev
from bot.domain.work_calendar import WorkCalendar
from bot.services.metrics import MetricsService
from storage.repos.tickets import TicketRepo
from storage.sqlite import SqliteDatabase
from storage.unit import Repositories
from tests.databases import sqlite_only
from tests.storage.schemas import schema_at
from tests.storage.test_event_repair import NOW, W47, OldRelease
from tests.story import TZ, park

pytestmark = sqlite_only("a backfill made by a SQLite migration, on a SQLite file of that release")


def release_0010(path: Path) -> dict[str, int]:
    raw = schema_at(path, 10)
    stamp = "2026-01-01T00:00:00.000000Z"
    raw.execute(
        "INSERT INTO cadres (id, name, created_at, updated_at) VALUES (1, '陈志远', ?, ?)",
        (stamp, stamp),
    )
    raw.execute(
        "INSERT INTO enterprises (id, name, created_at, updated_at) VALUES (1, '海澄精工', ?, ?)",
        (stamp, stamp),
    )
    old = OldRelease(raw)
    # Reported Mon 9th (deadline +7 days: Mon 16th 09:00), resolved late on the 17th,
    # reopened (the deadline kept), resolved again on the 18th; chased once on the 17th.
    late = old.ticket(park(9, 9))
    old.event(late, "resolve", park(17, 9), {"note": "已处理"}, ("claimed", "resolved"))
    old.event(late, "reopen", park(17, 12), {"solved": "unsolved", "satisfaction": "basic"})
    old.event(late, "resolve", park(18, 9), {"note": "再次处理"}, ("in_progress", "resolved"))
    raw.execute(
        "INSERT INTO escalation_steps (ticket_id, step, at) VALUES (?, 'chase1', ?)",
        (late, to_iso(park(17, 8))),
    )
    # Reported Mon 16th, extended to Wed 25th 09:00, resolved on the 24th: on time.
    extended = old.ticket(park(16, 9))
    moved = to_iso(park(25, 9))
    old.event(extended, "extend_ok", park(20, 9), {"deadline_at": moved, "days": 2})
    old.event(extended, "resolve", park(20, 10), {"note": "已处理"}, ("claimed", "resolved"))
    raw.execute("UPDATE tickets SET deadline_at = ? WHERE id = ?", (moved, extended))
    raw.execute("UPDATE tickets SET status = 'resolved'")
    raw.close()
    return {"late": late, "extended": extended}


async def test_upgrade_stamps_each_resolve_and_reopen_with_the_deadline_then_in_force(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    ids = release_0010(path)
    db = SqliteDatabase(path)
    await db.connect()  # applies 0011
    try:
        async with db.transaction():
            repo = TicketRepo(db)
            late = [e.event for e in await repo.events(ids["late"])]
            extended = [e.event for e in await repo.events(ids["extended"])]
            steps = await db.fetchall("SELECT step FROM escalation_steps")
        first = park(9, 9) + timedelta(days=7)
        assert [e.deadline_at for e in late if isinstance(e, ev.Resolve | ev.Reopen)] == [
            first,
            first,
            first,
        ]
        [resolve] = [e for e in extended if isinstance(e, ev.Resolve)]
        assert resolve.deadline_at == park(25, 9)
        # The chase taken was for the ticket's deadline: it is not owed again.
        assert [r["step"] for r in steps] == [f"chase1@{to_iso(first)}"]
        metrics = MetricsService(Repositories(db), FixedClock(NOW), WorkCalendar(TZ))
        m = (await metrics.week(W47)).park
        assert (m.on_time.num, m.on_time.den) == (1, 2)
    finally:
        await db.close()
