"""SQLite's writer runs on the event loop and never waits there: not for another process's
lock, not for the disk (the checkpoint runs in a thread of its own)."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sqlite import SqliteDatabase
from tests.databases import sqlite_only

pytestmark = sqlite_only("the writer on the loop and its checkpoints are SQLite's")


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    db = SqliteDatabase(tmp_path / "bot.db")
    await db.connect()
    assert db.checkpointer is not None
    db.checkpointer.delay = 3600  # no checkpoint unless a test asks for one
    await db.checkpoint()  # the migrations' tables, in the file itself
    try:
        yield db
    finally:
        await db.close()


async def _put(db: SqliteDatabase, key: str, value: str = "1") -> None:
    async with db.transaction():
        await db.execute("INSERT INTO kv VALUES (?, ?)", (key, value))


def _keys_in_main_file(db: SqliteDatabase, tmp_path: Path) -> set[str]:
    """The keys the database file holds without its WAL: what a checkpoint copied."""
    copy = tmp_path / "main-file-only.db"
    shutil.copyfile(db.path, copy)
    conn = sqlite3.connect(copy)
    try:
        return {row[0] for row in conn.execute("SELECT key FROM kv")}
    finally:
        conn.close()


async def test_a_write_waits_for_another_processes_lock_while_the_loop_runs(
    file_db: SqliteDatabase,
) -> None:
    other = sqlite3.connect(file_db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        write = asyncio.create_task(_put(file_db, "waited"))
        for _ in range(5):  # the loop keeps running while the write waits
            await asyncio.sleep(0.01)
        assert not write.done()
    finally:
        other.execute("ROLLBACK")
        other.close()
    await write
    async with file_db.reading():
        assert await file_db.fetchval("SELECT value FROM kv WHERE key = 'waited'") == "1"


async def test_a_write_gives_up_when_the_lock_is_held_too_long(file_db: SqliteDatabase) -> None:
    file_db.busy_seconds = 0.05
    other = sqlite3.connect(file_db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked") as refused:
            await _put(file_db, "refused")
        assert file_db.is_transient(refused.value)  # the inbox keeps the update for later
    finally:
        other.execute("ROLLBACK")
        other.close()
    await _put(file_db, "after")  # the writer is not left inside a transaction
    async with file_db.reading():
        assert await file_db.fetchval("SELECT COUNT(*) FROM kv") == 1


async def test_a_commit_does_not_checkpoint_the_checkpointer_does(
    file_db: SqliteDatabase, tmp_path: Path
) -> None:
    # Far more pages than SQLite's own checkpoint threshold (1,000): a commit on the loop
    # would have copied them into the file and synced it.
    big = "x" * 4000
    for start in range(0, 1500, 100):
        async with file_db.transaction():
            await file_db.executemany(
                "INSERT INTO kv VALUES (?, ?)", [(f"k{n}", big) for n in range(start, start + 100)]
            )
    assert _keys_in_main_file(file_db, tmp_path) == set()
    await file_db.checkpoint()
    assert len(_keys_in_main_file(file_db, tmp_path)) == 1500


async def test_a_commit_is_checkpointed_soon_after(file_db: SqliteDatabase, tmp_path: Path) -> None:
    checkpointer = file_db.checkpointer
    assert checkpointer is not None
    checkpointer.delay = 0.01
    before = checkpointer.done
    await _put(file_db, "soon")
    for _ in range(500):  # fence: the checkpoint the commit called for has run
        if checkpointer.done > before:
            break
        await asyncio.sleep(0.01)
    assert checkpointer.done == before + 1
    assert _keys_in_main_file(file_db, tmp_path) == {"soon"}


async def test_a_mistake_in_the_work_is_not_the_databases_outage(file_db: SqliteDatabase) -> None:
    with pytest.raises(sqlite3.OperationalError) as wrong:
        async with file_db.transaction():
            await file_db.execute("INSERT INTO no_such_table VALUES (1)")
    assert not file_db.is_transient(wrong.value)
    try:
        raise RuntimeError("handler failed") from ConnectionResetError("lost")
    except RuntimeError as chained:
        assert file_db.is_transient(chained)  # caused by a lost connection
