"""The database and what the bot keeps beside it are private to its user (0600 files, 0700
directories it creates); an existing database open to others is tightened at start, and logged.

The umask is the usual 022 here (`open_umask`), so nothing passes because the runner's umask
happened to be strict.
"""

from __future__ import annotations

import logging
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import private
from storage.repos.queues import InboxRepo
from storage.runlock import RunLock
from storage.sqlite import SqliteDatabase
from tests.databases import sqlite_only

pytestmark = [
    pytest.mark.usefixtures("open_umask"),
    sqlite_only("the database file (PostgreSQL's backups: tests/test_ops.py)"),
]


NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def write_something(db: SqliteDatabase, update_id: int) -> None:
    """Commit a write, so SQLite has made its -wal and -shm beside the file."""
    async with db.transaction():
        await InboxRepo(db).add({"update_id": update_id, "message": {"text": "x"}}, NOW)


async def test_a_new_database_its_folders_and_files_beside_it_are_private(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "srv"  # a folder that was there, e.g. the working directory
    shared.mkdir(mode=0o755)
    path = shared / "data" / "park" / "bot.db"
    lock = RunLock(path)
    lock.acquire()
    db = SqliteDatabase(path)
    await db.connect()
    try:
        await write_something(db, 1)
        beside = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", ".lock")]
        assert all(p.exists() for p in beside)  # WAL mode, while the bot runs
        assert {p.name: mode(p) for p in [path, *beside]} == {
            "bot.db": 0o600,
            "bot.db-wal": 0o600,
            "bot.db-shm": 0o600,
            "bot.db.lock": 0o600,
        }
        assert mode(shared / "data") == mode(shared / "data" / "park") == 0o700
    finally:
        await db.close()
        lock.release()
    assert mode(shared) == 0o755  # a folder it did not make stays as it was


async def test_a_database_others_can_read_is_made_private_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "copied.db"
    # As `cp` or an older version leaves it: the file and its WAL readable by everyone.
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("CREATE TABLE kept (x)")
        other.execute("INSERT INTO kept VALUES (1)")
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        for file in (path, wal, shm):
            file.chmod(0o644)
        caplog.set_level(logging.WARNING, logger="storage.private")
        db = SqliteDatabase(path)
        await db.connect()
        try:
            await write_something(db, 2)
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
            async with db.reading():  # tightened, not replaced
                assert await db.fetchval("SELECT x FROM kept") == 1
        finally:
            await db.close()
    finally:
        other.close()
    said = [r.getMessage() for r in caplog.records if r.name == "storage.private"]
    assert f"{path} was open to other users (mode 644); made private (600)" in said
    assert any(str(shm) in line for line in said)


def test_files_written_for_the_operator_are_private_even_over_an_open_one(
    tmp_path: Path,
) -> None:
    fresh, old = tmp_path / "fresh.xlsx", tmp_path / "old.xlsx"
    old.write_bytes(b"last month")
    old.chmod(0o664)
    private.write(fresh, b"ledger")
    private.write(old, b"this month")
    assert (mode(fresh), fresh.read_bytes()) == (0o600, b"ledger")
    assert (mode(old), old.read_bytes()) == (0o600, b"this month")


def test_a_file_of_another_user_is_reported_not_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shared.db"
    path.write_bytes(b"")
    path.chmod(0o660)

    def not_owner(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("storage.private.os.fchmod", not_owner)
    caplog.set_level(logging.WARNING, logger="storage.private")
    private.create(path)  # no exception: the bot still starts
    assert mode(path) == 0o660
    assert "not ours to change: chmod go-rwx it" in caplog.text
