"""`tickets.next_step_at`: backfilled by its migration, indexed, and never left stale."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.lifecycle import Status
from storage.db import Database, load_migrations
from storage.repos.tickets import TicketRepo
from storage.sqlite import SqliteDatabase
from tests.databases import sqlite_only
from tests.storage.schemas import schema_at

MIGRATION = next(m.version for m in load_migrations() if m.name == "next_step")


def schema_before(path: Path, version: int) -> None:
    """A database file at schema `version`, as an older release left it."""
    schema_at(path, version).close()


@sqlite_only("a backfill made by a SQLite migration, on a SQLite file of that release")
async def test_migration_makes_open_tickets_due_and_indexes_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    schema_before(path, MIGRATION - 1)
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO enterprises (name, created_at, updated_at) VALUES ('e', 'x', 'x')")
        for message_id, status in ((1, "in_progress"), (2, "closed"), (3, "new")):
            raw.execute(
                "INSERT INTO tickets (enterprise_id, reporter_id, chat_id, source_message_id,"
                " kind, category, content, status, deadline_at, created_at, updated_at)"
                " VALUES (1, 1, 1, ?, 'help', 'other', 'c', ?, '2026-12-02T10:00:00.000000Z',"
                " ?, ?)",
                (message_id, status, *[f"2026-11-2{message_id}T02:00:00.000000Z"] * 2),
            )
    db = SqliteDatabase(path)
    await db.connect()
    try:
        async with db.reading():
            rows = await db.fetchall("SELECT status, next_step_at FROM tickets ORDER BY id")
            plan = await db.fetchall(
                "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE next_step_at <= ?", ("z",)
            )
            due = await TicketRepo(db).due_for_steps(datetime(2026, 11, 24, tzinfo=UTC), 10)
    finally:
        await db.close()
    assert [tuple(r) for r in rows] == [
        ("in_progress", "2026-11-21T02:00:00.000000Z"),
        ("closed", None),
        ("new", "2026-11-23T02:00:00.000000Z"),
    ]
    assert "tickets_next_step" in " ".join(str(r[-1]) for r in plan)
    assert [d.ticket.status for d in due] == [Status.IN_PROGRESS, Status.NEW]


async def test_a_status_or_deadline_change_without_its_next_step_is_refused(db: Database) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    async with db.transaction():
        with pytest.raises(ValueError, match="next_step_at"):
            await TicketRepo(db).update(1, now, status=Status.CLAIMED)
        with pytest.raises(ValueError, match="next_step_at"):
            await TicketRepo(db).update(1, now, deadline_at=now)
        with pytest.raises(ValueError, match="next_step_at"):
            await TicketRepo(db).update(1, now, supervision_level=1)


async def test_a_sweep_only_write_skips_a_ticket_changed_since_it_was_read(db: Database) -> None:
    repo, now = TicketRepo(db), datetime(2026, 11, 25, tzinfo=UTC)
    later = datetime(2026, 11, 26, tzinfo=UTC)
    async with db.transaction():
        await db.execute(
            "INSERT INTO enterprises (name, created_at, updated_at) VALUES ('e', 'x', 'x')"
        )
        for message_id in (1, 2):
            await repo.insert(
                enterprise_id=1,
                reporter_id=1,
                chat_id=1,
                source_message_id=message_id,
                kind="help",
                category="other",
                urgency="normal",
                content="c",
                status=Status.NEW,
                assignee_id=None,
                deadline_at=later,
                now=now,
                next_step_at=now,
            )
    async with db.reading():
        due = await repo.due_for_steps(now, 10)
    async with db.transaction():  # ticket 2 is claimed meanwhile (a newer next step with it)
        await repo.update(2, later, status=Status.CLAIMED, next_step_at=now)
        await repo.reschedule_unchanged([(d, later) for d in due])
    async with db.reading():
        stored = [r[0] for r in await db.fetchall("SELECT next_step_at FROM tickets ORDER BY id")]
    assert stored == ["2026-11-26T00:00:00.000000Z", "2026-11-25T00:00:00.000000Z"]
