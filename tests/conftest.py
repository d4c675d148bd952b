"""Shared fixtures: an in-memory database and a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from storage.db import Database
from storage.sqlite import SqliteDatabase


@pytest.fixture
def clock() -> FixedClock:
    # A Wednesday, 10:00 in Shanghai.
    return FixedClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = SqliteDatabase(":memory:")
    await database.connect()
    try:
        yield database
    finally:
        await database.close()
