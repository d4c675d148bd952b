"""Migrations: apply to an empty file, re-apply as a no-op, transactions roll back and nest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, StorageError, load_migrations
from storage.migrate import POSTGRES_MIGRATIONS, latest_version
from storage.open import open_database
from storage.sqlite import SqliteDatabase
from tests.databases import empty_schema_url, needs_postgres, sqlite_only


@sqlite_only("the SQLite series on a file (PostgreSQL's: test_postgres_series_...)")
async def test_apply_then_reapply_is_a_noop(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = SqliteDatabase(path)
    await db.connect()
    version = await db.schema_version()
    assert version == len(load_migrations())
    assert await db.migrate() == []
    await db.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = raw.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == list(range(1, version + 1))


@sqlite_only("the SQLite series on a file (PostgreSQL's: test_postgres_series_...)")
async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = SqliteDatabase(path)
    await db.connect()
    async with db.transaction():
        await db.execute(
            "INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')"
        )
    await db.close()
    with pytest.raises(StorageError, match="newer"):
        await SqliteDatabase(path).connect()


async def test_outer_rollback_and_savepoint(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO kv VALUES ('a', '1')")
            raise RuntimeError
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('b', '1')")
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await db.execute("INSERT INTO kv VALUES ('c', '1')")
                raise RuntimeError
    async with db.transaction():
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
    assert keys == ["b"]


async def test_access_outside_a_transaction_is_a_bug(db: Database) -> None:
    with pytest.raises(StorageError):
        await db.fetchall("SELECT 1")


async def test_nested_scopes_roll_back_only_their_own_writes(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('outer', '1')")
        async with db.transaction():  # read-only scope: no savepoint needed
            assert await db.fetchval("SELECT COUNT(*) FROM kv") == 1
            with pytest.raises(RuntimeError):
                async with db.transaction():  # writes, then fails: only this is undone
                    await db.execute("INSERT INTO kv VALUES ('inner', '1')")
                    raise RuntimeError
            await db.execute("INSERT INTO kv VALUES ('middle', '1')")
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await db.fetchall("SELECT * FROM kv")
                raise RuntimeError  # a failing read-only scope undoes nothing
    async with db.transaction():
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
    assert keys == ["middle", "outer"]


@needs_postgres
async def test_postgres_series_applies_once_and_refuses_a_newer_database() -> None:
    url = empty_schema_url("migrations")
    db = open_database(url)
    await db.connect()
    try:
        assert await db.schema_version() == latest_version(POSTGRES_MIGRATIONS)
        assert await db.migrate() == []
        async with db.reading():
            rows = await db.fetchall("SELECT version, name FROM schema_migrations ORDER BY version")
        series = load_migrations(POSTGRES_MIGRATIONS)
        assert series[0].name == "baseline"  # the series starts at its baseline, then follows
        assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in series]
        async with db.transaction():
            await db.execute(
                "INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00Z')"
            )
    finally:
        await db.close()
    with pytest.raises(StorageError, match="newer"):
        await open_database(url).connect()
