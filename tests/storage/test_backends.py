"""Both backends keep one contract: URLs, parameters, nesting, ids, numbers, and the write lock."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from storage.db import Database
from storage.errors import DatabaseInUse, StorageError
from storage.migrate import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, latest_version
from storage.open import open_database
from storage.postgres import translate
from storage.runlock import take_run_lock
from storage.url import parse_url, redact
from tests.databases import (
    TEST_DATABASE_URL,
    database_url,
    empty_schema_url,
    needs_postgres,
)

# -- URLs ------------------------------------------------------------------------------------


def test_sqlite_urls_and_bare_paths() -> None:
    assert parse_url("sqlite:///data/liaison.db").target == "data/liaison.db"
    assert parse_url("sqlite:////var/lib/liaison.db").target == "/var/lib/liaison.db"
    assert parse_url("data/liaison.db").target == "data/liaison.db"
    assert parse_url("sqlite:///:memory:").target == ":memory:"
    for bad in ("mysql://u:p@h/db", "sqlite://relative.db", "postgresql://u:p@h"):
        with pytest.raises(StorageError):
            parse_url(bad)


def test_a_postgres_password_is_never_shown() -> None:
    url = parse_url(
        "postgresql://park:s3cr%40t@db.example:5432/liaison?schema=park_a&sslmode=require"
    )
    assert url.backend == "postgresql" and url.schema == "park_a"
    assert url.password == "s3cr@t" and set(url.secrets) == {"s3cr@t", "s3cr%40t"}
    assert "s3cr" not in url.redacted and "s3cr" not in repr(url)
    assert (
        url.redacted
        == "postgresql://park:***@db.example:5432/liaison?sslmode=require&schema=park_a"
    )
    assert "schema" not in url.target  # our own parameter; the driver gets a search_path
    assert parse_url(url.url) == url
    with pytest.raises(StorageError) as caught:
        parse_url("postgresql://park:hunter2@db/liaison?schema=Bad-Name")
    assert "hunter2" not in str(caught.value)
    assert (
        redact("failed: postgres://u:pw@h/db and more") == "failed: postgres://u:***@h/db and more"
    )


def test_parameters_become_numbered_outside_literals_and_casts() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b LIKE 'x?:y%' AND c = ?") == (
        "SELECT * FROM t WHERE a = $1 AND b LIKE 'x?:y%' AND c = $2",
        None,
    )
    assert translate("SELECT :a::text, :b, :a -- :c?\nFROM t") == (
        "SELECT $1::text, $2, $1 -- :c?\nFROM t",
        ("a", "b"),
    )
    with pytest.raises(StorageError):
        translate("SELECT ?, :a")


# -- the contract, on the backend under test ----------------------------------------------


async def test_insert_returns_ids_and_execute_counts_rows(db: Database) -> None:
    async with db.transaction():
        first = await db.insert(
            "INSERT INTO enterprises (name, created_at, updated_at) VALUES (?, ?, ?)",
            ("甲", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        )
        second = await db.insert(
            "INSERT INTO enterprises (name, created_at, updated_at) VALUES (:n, :t, :t)",
            {"n": "乙", "t": "2026-01-01T00:00:00Z"},
        )
        assert (first, second) == (1, 2)
        assert await db.execute("UPDATE enterprises SET grid = ? WHERE id > ?", ("东", 0)) == 2
        await db.executemany("INSERT INTO kv (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2")])
        row = await db.fetchone("SELECT id, name FROM enterprises WHERE id = ?", (second,))
        assert row is not None and (row["id"], row[1], list(row)) == (2, "乙", [2, "乙"])


async def test_sums_and_averages_read_as_sqlite_returns_them(db: Database) -> None:
    async with db.transaction():
        await db.executemany("INSERT INTO calendar_warnings VALUES (?, ?)", [(1, "x"), (2, "y")])
        row = await db.fetchone("SELECT SUM(year), AVG(year), COUNT(*) FROM calendar_warnings")
    assert row is not None
    assert (row[0], row[1], row[2]) == (3, 1.5, 2)
    assert [type(value) for value in row] == [int, float, int]


async def test_a_failed_savepoint_rolls_back_alone(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('kept', '1')")
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await db.execute("INSERT INTO kv VALUES ('dropped', '1')")
                raise RuntimeError("undo this scope only")
        # On PostgreSQL a failed statement aborts the transaction; the savepoint recovers it.
        with pytest.raises(Exception, match="kv"):
            async with db.transaction():
                await db.execute("INSERT INTO kv VALUES ('kept', 'again')")
        await db.execute("INSERT INTO kv VALUES ('after', '1')")
    async with db.reading():
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
    assert keys == ["after", "kept"]


async def test_a_failed_commit_leaves_the_writer_usable(db: Database) -> None:
    """A COMMIT that fails (here a deferred foreign key) ends the transaction: nothing of it
    stays, and the next write begins."""
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        async with db.transaction():
            await db.execute("CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)")
            await db.execute(
                "CREATE TEMP TABLE child (parent INTEGER REFERENCES parent (id)"
                " DEFERRABLE INITIALLY DEFERRED)"
            )
            await db.execute("INSERT INTO child VALUES (1)")  # checked at COMMIT only
            await db.execute("INSERT INTO kv VALUES ('lost', '1')")
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('next', '1')")
    async with db.reading():
        assert [r[0] for r in await db.fetchall("SELECT key FROM kv")] == ["next"]


async def test_events_are_append_only(db: Database) -> None:
    async with db.transaction():
        ent = await db.insert(
            "INSERT INTO enterprises (name, created_at, updated_at) VALUES ('甲', 'a', 'a')"
        )
        ticket = await db.insert(
            "INSERT INTO tickets (enterprise_id, reporter_id, chat_id, source_message_id, kind,"
            " category, content, status, deadline_at, created_at, updated_at)"
            " VALUES (?, 1, 1, 1, 'k', 'c', 'x', 'new', 'd', 'c', 'u')",
            (ent,),
        )
        await db.insert(
            "INSERT INTO ticket_events (ticket_id, type, at) VALUES (?, 'created', 'a')", (ticket,)
        )
    for change in ("UPDATE ticket_events SET type = 'x'", "DELETE FROM ticket_events"):
        with pytest.raises(Exception, match="append-only"):
            async with db.transaction():
                await db.execute(change)


async def test_a_second_process_applies_no_migration_twice(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    first, second = open_database(url), open_database(url)
    await first.connect()
    try:
        await second.connect()
        assert await second.migrate() == []
        assert await second.schema_version() == latest_version(first.migrations)
        await second.close()
    finally:
        await first.close()


# -- PostgreSQL only --------------------------------------------------------------------------


def test_both_series_end_at_the_same_version() -> None:
    assert latest_version(POSTGRES_MIGRATIONS) == latest_version(SQLITE_MIGRATIONS)


@needs_postgres
async def test_postgres_schema_matches_sqlite_table_for_table() -> None:
    lite = open_database(":memory:")
    await lite.connect()
    async with lite.reading():
        names = [
            r[0] for r in await lite.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        lite_columns = {
            name: [
                r["name"]
                for r in await lite.fetchall(f"SELECT name FROM pragma_table_info('{name}')")
            ]
            for name in names
        }
        lite_indexes = {
            r[0]
            for r in await lite.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    await lite.close()
    pg = open_database(empty_schema_url("schema_compare"))
    await pg.connect()
    try:
        async with pg.reading():
            rows = await pg.fetchall(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            )
            pg_indexes = {
                r[0]
                for r in await pg.fetchall(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                    " AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'"
                )
            }
    finally:
        await pg.close()
    pg_columns: dict[str, list[str]] = {}
    for table, column in rows:
        pg_columns.setdefault(table, []).append(column)
    assert pg_columns == lite_columns
    assert pg_indexes == lite_indexes


@needs_postgres
async def test_writers_of_two_processes_take_turns() -> None:
    """The advisory lock stands for BEGIN IMMEDIATE: a second writer waits for the first."""
    url = database_url(None, "turns")
    first, second = open_database(url), open_database(url)
    await first.connect()
    await second.connect()
    try:
        async with first.transaction():
            await first.execute("INSERT INTO kv VALUES ('n', '1')")

            async def increment() -> str:
                async with second.transaction():
                    value = int(await second.fetchval("SELECT value FROM kv WHERE key = 'n'"))
                    await second.execute(
                        "UPDATE kv SET value = ? WHERE key = 'n'", (str(value + 1),)
                    )
                    return str(value + 1)

            waiting = asyncio.create_task(increment())
            # Fence: the other writer's session is seen waiting on the advisory lock.
            for _ in range(1000):
                if await _waiting_on_advisory_lock(first):
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the second writer never waited for the lock")
            assert not waiting.done()
        assert await waiting == "2"  # it read after the first committed, not before
    finally:
        await second.close()
        await first.close()


async def _waiting_on_advisory_lock(db: Database) -> bool:
    async with db.reading():
        return bool(
            await db.fetchval(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )


@needs_postgres
async def test_the_run_lock_refuses_a_second_bot_with_the_first_ones_pid() -> None:
    url = database_url(None, "run_lock")
    held = await take_run_lock(url)
    assert held is not None
    try:
        with pytest.raises(DatabaseInUse) as caught:
            await take_run_lock(url)
        assert caught.value.pid == os.getpid()
        assert parse_url(url).password not in str(caught.value)
    finally:
        await held.release()
    again = await take_run_lock(url)
    assert again is not None
    await again.release()


@needs_postgres
async def test_a_refused_connection_names_the_database_without_its_password() -> None:
    parsed = parse_url(TEST_DATABASE_URL)
    assert parsed.password
    wrong = TEST_DATABASE_URL.replace(f":{parsed.password}@", ":not-the-password@")
    with pytest.raises(StorageError) as caught:
        await open_database(wrong).connect()
    assert "not-the-password" not in str(caught.value) and "***" in str(caught.value)


def test_postgres_outages_are_told_from_mistakes() -> None:
    """Which errors mean "the database is unavailable for now" (the update waits) and which
    mean the work is wrong (it is recorded as failed): by SQLSTATE class, without a server."""
    import asyncpg

    from storage.postgres import PostgresDatabase

    db = PostgresDatabase(parse_url("postgresql://u:p@127.0.0.1:1/db"))
    outages = [
        asyncpg.exceptions.AdminShutdownError("terminating connection"),  # 57P01, a restart
        asyncpg.exceptions.CannotConnectNowError("starting up"),  # 57P03
        asyncpg.exceptions.TooManyConnectionsError("too many"),  # 53300
        asyncpg.exceptions.ConnectionDoesNotExistError("closed"),  # 08003
        asyncpg.exceptions.DeadlockDetectedError("deadlock"),  # 40P01
        asyncpg.exceptions.InterfaceError("connection is closed"),
        ConnectionRefusedError("refused"),
    ]
    mistakes = [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),  # 23505
        asyncpg.exceptions.UndefinedTableError("no such table"),  # 42P01
        ValueError("a bug"),
    ]
    assert [db.is_transient(e) for e in outages] == [True] * len(outages)
    assert [db.is_transient(e) for e in mistakes] == [False] * len(mistakes)
