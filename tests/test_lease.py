"""The workers' lease: one leader at a time, a takeover when it dies, a step-down when it is lost.

The first tests drive `Leadership` with a lease kept in memory (any backend); the others use
the real PostgreSQL lease (`storage.postgres.PostgresLease`) and end the holder's session the
ways a worker dies: its connection closes (kill -9), or it stops renewing (a frozen process).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field

import asyncpg
import pytest

from bot.lease import FOLLOWER, LEADER, Leadership, SoloLease, open_lease
from storage.errors import DatabaseInUse
from storage.postgres_lease import PostgresLease
from storage.runlock import take_run_lock
from storage.url import parse_url
from tests.databases import TEST_DATABASE_URL, database_url, needs_postgres


@dataclass
class Slot:
    """Who holds the in-memory lease."""

    holder: object | None = None


@dataclass
class MemoryLease:
    slot: Slot
    lost: asyncio.Event = field(default_factory=asyncio.Event)

    async def try_take(self) -> bool:
        if self.slot.holder is None:
            self.slot.holder = self
            self.lost.clear()
        return self.slot.holder is self

    async def renew(self) -> bool:
        return self.slot.holder is self and not self.lost.is_set()

    async def release(self) -> None:
        if self.slot.holder is self:
            self.slot.holder = None


@dataclass
class Worker:
    """Records its role changes; events to await them."""

    lease: MemoryLease | PostgresLease
    leading: asyncio.Event = field(default_factory=asyncio.Event)
    following: asyncio.Event = field(default_factory=asyncio.Event)
    steps: list[str] = field(default_factory=list)
    leadership: Leadership | None = None

    async def lead(self) -> None:
        self.steps.append(LEADER)
        self.following.clear()
        self.leading.set()

    async def follow(self) -> None:
        self.steps.append(FOLLOWER)
        self.leading.clear()
        self.following.set()

    async def start(self, *, retry: float = 0.05, renew: float = 0.05) -> Leadership:
        self.leadership = Leadership(
            self.lease, on_lead=self.lead, on_follow=self.follow, retry=retry, renew=renew
        )
        await self.leadership.start()
        return self.leadership

    async def stop(self) -> None:
        if self.leadership is not None:
            await self.leadership.stop()
            await self.leadership.release()


async def test_a_lone_worker_leads_before_start_returns() -> None:
    solo = Worker(MemoryLease(Slot()))
    leadership = await solo.start()
    try:
        assert leadership.role == LEADER and solo.steps == [LEADER]
    finally:
        await solo.stop()
    assert isinstance(open_lease("sqlite:///x.db"), SoloLease)


async def test_one_leads_and_another_takes_over_when_it_is_lost() -> None:
    slot = Slot()
    first, second = Worker(MemoryLease(slot)), Worker(MemoryLease(slot))
    await first.start()
    await second.start()
    try:
        assert first.steps == [LEADER] and second.steps == []
        assert second.leadership is not None and second.leadership.role == FOLLOWER
        # The server ended the holder's session: its renewal fails, it steps down, and the
        # other takes the lease at its next try.
        assert isinstance(first.lease, MemoryLease)
        first.lease.lost.set()
        slot.holder = None
        await asyncio.wait_for(first.following.wait(), 5)
        await asyncio.wait_for(second.leading.wait(), 5)
        assert first.steps == [LEADER, FOLLOWER] and second.steps == [LEADER]
        # Exactly one leader, whatever the interleaving of the retries that follow.
        assert slot.holder is second.lease
    finally:
        await first.stop()
        await second.stop()


async def test_a_failure_to_start_leading_gives_the_lease_up() -> None:
    slot = Slot()
    worker = Worker(MemoryLease(slot))
    calls = 0

    async def failing_lead() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("telegram unreachable")
        await worker.lead()

    leadership = Leadership(
        worker.lease, on_lead=failing_lead, on_follow=worker.follow, retry=0.05, renew=0.05
    )
    await leadership.start()
    try:
        assert worker.steps == [FOLLOWER] and slot.holder is None
        await asyncio.wait_for(worker.leading.wait(), 5)  # the next try leads
        assert leadership.role == LEADER and calls == 2
    finally:
        await leadership.stop()
        await leadership.release()


# -- PostgreSQL ---------------------------------------------------------------------------


def _lease(url: str, *, ttl: float = 15.0) -> PostgresLease:
    return PostgresLease(parse_url(url), ttl=ttl)


async def _terminate(pid: int) -> None:
    """End a server session from outside, as the server does when its client dies."""
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


@needs_postgres
async def test_postgres_lease_is_held_by_one_session_and_names_its_process() -> None:
    url = database_url(None, "lease")
    first, second = _lease(url), _lease(url)
    try:
        assert await first.try_take()
        assert not await second.try_take()
        assert await second.holder() == os.getpid()
        assert await first.renew() and not await second.renew()
        await first.release()
        assert await second.try_take()
    finally:
        await first.release()
        await second.release()


@needs_postgres
async def test_postgres_takeover_when_the_holders_session_dies() -> None:
    url = database_url(None, "lease")
    first, second = Worker(_lease(url)), Worker(_lease(url))
    await first.start(retry=0.2, renew=0.2)
    await second.start(retry=0.2, renew=0.2)
    try:
        assert first.steps == [LEADER] and second.steps == []
        assert isinstance(first.lease, PostgresLease) and first.lease._conn is not None
        began = time.monotonic()
        await _terminate(first.lease._conn.get_server_pid())
        await asyncio.wait_for(second.leading.wait(), 10)
        took = time.monotonic() - began
        await asyncio.wait_for(first.following.wait(), 10)
        print(f"\n[lease] takeover after the holder's session died: {took:.2f}s")
        assert first.steps == [LEADER, FOLLOWER] and second.steps == [LEADER]
    finally:
        await first.stop()
        await second.stop()


@needs_postgres
async def test_postgres_frees_the_lease_of_a_holder_that_stops_renewing() -> None:
    """A frozen holder (alive, connected, silent) loses the lease after `ttl`."""
    url = database_url(None, "lease")
    frozen, other = _lease(url, ttl=2.0), _lease(url)
    try:
        if int(await (await other._connect()).fetchval("SHOW server_version_num")) < 140000:
            pytest.skip("idle_session_timeout needs PostgreSQL 14")
        assert await frozen.try_take()
        began = time.monotonic()
        while not await other.try_take():
            assert time.monotonic() - began < 10, "the frozen holder kept the lease"
            await asyncio.sleep(0.1)
        took = time.monotonic() - began
        print(f"\n[lease] a holder silent for its ttl (2 s) lost the lease after {took:.2f}s")
        assert took >= 1.5
        assert not await frozen.renew()
    finally:
        await frozen.release()
        await other.release()


@needs_postgres
async def test_workers_share_the_run_lock_and_a_tool_that_needs_the_database_waits() -> None:
    """`run` takes the run lock shared; `port-db` takes it alone: either refuses beside the
    other, naming the holder."""
    url = database_url(None, "lease")
    first = await take_run_lock(url, shared=True)
    second = await take_run_lock(url, shared=True)
    try:
        with pytest.raises(DatabaseInUse) as caught:
            await take_run_lock(url)
        assert caught.value.pid == os.getpid()
    finally:
        for held in (first, second):
            assert held is not None
            await held.release()
    alone = await take_run_lock(url)
    try:
        with pytest.raises(DatabaseInUse):
            await take_run_lock(url, shared=True)
    finally:
        assert alone is not None
        await alone.release()
