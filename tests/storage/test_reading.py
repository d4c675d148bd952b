"""Reads apart from the writer: snapshots on reader connections, never behind the write lock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database, StorageError
from storage.open import open_database
from tests.databases import database_url, sqlite_only


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = open_database(database_url(tmp_path, "r.db"))
    await database.connect()
    try:
        yield database
    finally:
        await database.close()


async def count(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM kv"))


async def test_a_write_commits_while_a_read_is_open_and_the_read_keeps_its_snapshot(
    file_db: Database,
) -> None:
    db = file_db
    read_open, write_done = asyncio.Event(), asyncio.Event()

    async def reader() -> tuple[int, int]:
        async with db.reading():
            before = await count(db)
            read_open.set()
            await write_done.wait()  # the writer commits while this snapshot is open
            return before, await count(db)

    async def writer() -> None:
        await read_open.wait()
        async with db.transaction():
            await db.execute("INSERT INTO kv VALUES ('k', 'v')")
        write_done.set()

    seen, _ = await asyncio.gather(reader(), writer())
    assert seen == (0, 0)
    async with db.reading():
        assert await count(db) == 1


async def test_reading_never_takes_the_writer_lock(file_db: Database) -> None:
    db = file_db
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('k', 'v')")
        # Another task reads while this transaction holds the lock: it must not wait for it.
        other = asyncio.create_task(_read_count(db))
        assert await other == 0  # the uncommitted row is not visible to the reader
        assert await count(db) == 1  # the writer sees its own write


async def _read_count(db: Database) -> int:
    async with db.reading():
        return await count(db)


async def test_inside_a_read_a_transaction_joins_it_and_a_write_is_a_bug(file_db: Database) -> None:
    db = file_db
    async with db.reading(), db.transaction():
        assert await count(db) == 0
        assert not db.in_transaction()
        with pytest.raises(StorageError, match="write inside"):
            await db.execute("INSERT INTO kv VALUES ('k', 'v')")


@sqlite_only("a database in memory has no second connection")
async def test_in_memory_reading_goes_through_the_writer(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES ('k', 'v')")
    async with db.reading():
        assert await count(db) == 1
