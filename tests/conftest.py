"""Shared fixtures: a database (SQLite in memory, or PostgreSQL; see databases.py), a fixed
clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from storage.db import Database, open_database
from storage.sqlite import SqliteDatabase
from tests.databases import ON_POSTGRES, database_url, drop_schemas


@pytest.fixture(scope="session", autouse=True)
def _test_schemas() -> Iterator[None]:
    """On PostgreSQL, drop the schemas the run made when it ends."""
    yield
    drop_schemas()


@pytest.fixture
def clock() -> FixedClock:
    # A Wednesday, 10:00 in Shanghai.
    return FixedClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """An empty database for this test: SQLite in memory, or a PostgreSQL schema."""
    database = (
        open_database(database_url(None, "db")) if ON_POSTGRES else SqliteDatabase(":memory:")
    )
    await database.connect()
    try:
        yield database
    finally:
        await database.close()
