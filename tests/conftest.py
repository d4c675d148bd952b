"""Shared fixtures: a database (SQLite in memory, or PostgreSQL; see databases.py), a fixed
clock; and how the tests run in parallel (pytest-xdist: how many workers, which tests first)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from storage.db import Database
from storage.open import open_database
from storage.sqlite import SqliteDatabase
from tests.databases import ON_POSTGRES, database_url, drop_schemas


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per CPU. Much of the suite waits (on the emulator, on a bot
    process, on Telegram's flood limits), so two per CPU keep the CPUs busy; more would only
    slow the waiting tests' own processes down."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cpus or 1)


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
def open_umask() -> Iterator[None]:
    """The usual umask (022: files 0644, directories 0755), whatever the runner's: a check that
    the bot's files are private must not pass because the umask made them so."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the long tests first, longest first, each followed by a quick one.

    A long test is one that sets its own timeout (the resilience proofs, the end-to-end runs of
    the real bot, the demo), mostly waiting: on Telegram's flood limits, on a process, on the
    clock. In parallel (pytest-xdist, `-n auto` in pyproject.toml) each worker holds two tests
    at a time (`--maxschedchunk=1`): with a quick test after each long one, no worker is handed
    two long ones while another has none, and the long ones run beside the rest instead of
    after it. Order changes nothing for a test: each has a database and an emulator of its own.
    """

    def allowed(item: pytest.Item) -> float | None:
        marker = item.get_closest_marker("timeout")
        return float(marker.args[0]) if marker is not None and marker.args else None

    long = sorted(
        (item for item in items if allowed(item) is not None),
        key=lambda item: allowed(item) or 0.0,
        reverse=True,
    )
    chosen = set(long)
    quick = [item for item in items if item not in chosen]
    ordered: list[pytest.Item] = []
    for index, item in enumerate(long):
        ordered.append(item)
        if index < len(quick):
            ordered.append(quick[index])
    items[:] = ordered + quick[len(long) :]
