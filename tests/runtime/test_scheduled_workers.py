"""Scheduled work is done once per due time, even by two workers at once.

Only the lease holder runs the jobs, but exactly once must not rest on that: a worker that lost
the lease mid-job, or a successor starting while its predecessor finishes, may run a body at the
same moment as another. Two workers here are two connections (two pools on PostgreSQL) to one
database, each with its own services, running the same job bodies concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.runtime import schedule
from storage.db import Database
from storage.open import open_database
from tests.databases import database_url
from tests.services.airing.test_airing import W47, outbox_rows, park, seed_board, services_for


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    url = database_url(tmp_path, "scheduled_workers")
    first, second = open_database(url), open_database(url)
    await first.connect()
    await second.connect()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_two_workers_airing_at_once_post_the_week_once(
    pair: tuple[Database, Database], clock: FixedClock
) -> None:
    first, second = pair
    clock.set(park(23, 9, 1))  # Monday, just after the airing of W47 was due
    await seed_board(first, clock)
    workers = [services_for(first, clock), services_for(second, clock)]
    await asyncio.gather(*(schedule.air_week(services) for services in workers))
    await asyncio.gather(*(schedule.air_week(services) for services in workers))
    rows = [row for row in await outbox_rows(first) if row[2] == "airing"]
    # One text and one chart, once: whichever worker recorded the week first posted it.
    assert [(chat, method) for chat, method, _, _ in rows] == [
        (-1001, "sendMessage"),
        (-1001, "sendPhoto"),
    ]
    async with first.transaction():
        weeks = await first.fetchall("SELECT week FROM airing_weeks")
    assert [tuple(w) for w in weeks] == [(W47.label,)]


async def test_two_workers_sweeping_at_once_take_each_step_once(
    pair: tuple[Database, Database], clock: FixedClock
) -> None:
    first, second = pair
    clock.set(park(20, 15))
    await seed_board(first, clock)
    async with first.transaction():
        before = int(await first.fetchval("SELECT MAX(id) FROM outbox"))
    clock.set(park(23, 10))  # Monday morning: overdue steps and the leaders' briefs are due
    workers = [services_for(first, clock), services_for(second, clock)]
    await asyncio.gather(*(schedule.sweep_deadlines(services) for services in workers))
    once = await _messages(first, after=before)
    await asyncio.gather(*(schedule.sweep_deadlines(services) for services in workers))
    assert once and await _messages(first, after=before) == once
    assert len(set(once)) == len(once), "a step's message was queued twice"


async def _messages(db: Database, *, after: int) -> list[tuple[int, str, str]]:
    """The messages queued since outbox row `after`."""
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT chat_id, purpose, params FROM outbox WHERE id > ? ORDER BY id", (after,)
        )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]
