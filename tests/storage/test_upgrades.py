"""Upgrades from every older schema, with data: build schema k, fill every table, migrate, compare.

For each version k from 1 to N-1 the database is made by migrations 1..k and holds rows in every
table that exists at k, as the release with schema k wrote them (a storage test is the one place
that writes rows by hand). Opening it applies k+1..N; then every row is still there, changed
only where a later migration says so (a backfill, a repair, a new column's default), the schema
is exactly that of a fresh database, and every foreign key holds.

A new migration needs one entry: rows for each table it creates (`ROWS` in rows.py), the changes
it makes to older rows (`Row.after`), or, if it changes neither, a line in `SCHEMA_ONLY` below.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import load_settings
from bot.domain.logistics import Draft
from bot.domain.models import Actor
from bot.services.recruiting.dialogue import DraftState
from bot.wiring.bot import build_services
from storage.sqlite import SqliteDatabase
from tests.databases import sqlite_only
from tests.storage.rows import AT, LATEST, ROWS, build, read

pytestmark = sqlite_only("upgrades from every older SQLite schema")

# Migrations that only change the schema (indexes): the schema comparison covers them.
SCHEMA_ONLY = {
    10: "an index for the cumulative counts",
    14: "an index of job cards by outbox row, for the purge",
}


def tables(raw: sqlite3.Connection) -> set[str]:
    found = raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {name for (name,) in found} - {"schema_migrations"}


def schema(raw: sqlite3.Connection) -> list[tuple[str, str, str]]:
    found = raw.execute(
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name"
    )
    return [(kind, name, sql or "") for kind, name, sql in found]


def test_every_migration_has_an_entry() -> None:
    covered = (
        {row.since for row in ROWS} | {m for row in ROWS for m in row.after} | set(SCHEMA_ONLY)
    )
    assert covered == set(range(1, LATEST + 1))


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_upgrade_keeps_every_row(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"schema{version}.db"
    build(path, version)
    with sqlite3.connect(path) as raw:
        seeded = {row.table for row in ROWS if row.since <= version <= row.until}
        assert seeded == tables(raw), "every table at this schema needs rows in ROWS"
    raw.close()

    for target in (path, tmp_path / "fresh.db"):
        db = SqliteDatabase(target)
        await db.connect()  # applies version+1..N (all of them to the fresh one)
        await db.close()

    fresh = sqlite3.connect(tmp_path / "fresh.db")
    raw = sqlite3.connect(path)
    raw.row_factory = sqlite3.Row
    try:
        assert schema(raw) == schema(fresh)
        versions = [v for (v,) in raw.execute("SELECT version FROM schema_migrations")]
        assert versions == list(range(1, LATEST + 1))
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in sorted(tables(raw)):
            specs = [
                s for s in ROWS if s.table_after(version) == table and s.since <= version <= s.until
            ]
            expected = [row for s in specs if (row := s.expected(version)) is not None]
            actual = [dict(r) for r in raw.execute(f"SELECT * FROM {table}")]
            assert len(actual) == len(expected), table
            columns = {name for (_, name, *_) in raw.execute(f"PRAGMA table_info({table})")}
            for spec in specs:
                # From the schema that made the table, every column a later one adds is in `after`.
                if spec.since == version and (row := spec.expected(version)) is not None:
                    assert set(row) == columns, (table, columns - set(row))
            for want in expected:
                got = [{k: read(a[k], v) for k, v in want.items()} for a in actual]
                assert want in got, (table, want, actual)
    finally:
        raw.close()
        fresh.close()


async def test_prompts_move_out_of_the_outbox(tmp_path: Path) -> None:
    """0016: a prompt queued or sent before the upgrade is still answered after it."""
    path = tmp_path / "schema15.db"
    build(path, 15)
    raw = sqlite3.connect(path, isolation_level=None)
    for row_id, status, message_id in ((2, "sent", 43), (3, "pending", None), (4, "failed", None)):
        raw.execute(
            "INSERT INTO outbox (id, chat_id, method, params, purpose, ticket_id, status,"
            " next_attempt_at, created_at, message_id) VALUES (?, 1002, 'sendMessage', '{}',"
            " 'prompt:resolve', 1, ?, ?, ?, ?)",
            (row_id, status, AT, AT, message_id),
        )
    raw.close()
    db = SqliteDatabase(path)
    await db.connect()
    await db.close()
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(
            "SELECT outbox_id, purpose, ticket_id, chat_id, message_id FROM prompts"
            " ORDER BY outbox_id"
        ).fetchall()
    finally:
        raw.close()
    # The sent one is found by its message; the queued one gets its id when it is sent.
    assert rows == [(2, "prompt:resolve", 1, 1002, 43), (3, "prompt:resolve", 1, None, None)]


async def test_conversations_open_across_the_upgrade_continue(tmp_path: Path) -> None:
    """0017: a /job draft and a /cargo draft left open by the older release go on where they
    stood, through the one conversation engine."""
    path = tmp_path / "schema16.db"
    build(path, 16)  # user 778 is at the headcount of a /job, 780 at the tonnes of a /cargo
    db = SqliteDatabase(path)
    await db.connect()
    try:
        clock = FixedClock(datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
        services = build_services(load_settings(None, storage={"path": str(path)}), db, clock)
        job = await services.job_conversations.answer(Actor(telegram_id=778), "3")
        assert isinstance(job, DraftState) and job.step == "pay"
        assert job.employer == "海澄精工机械有限公司"
        assert job.data == {"position": "焊工", "headcount": 3}
        cargo = await services.logistics_conversations.answer(Actor(telegram_id=780), "5吨")
        assert isinstance(cargo, Draft) and (cargo.kind, cargo.step) == ("cargo", "m3")
        assert cargo.data == {"origin": "南通", "tonnes": 5.0}
    finally:
        await db.close()
