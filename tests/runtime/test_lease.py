"""The workers' lease: one leader at a time, a takeover when it dies, a step-down when it is lost.

The first tests drive `Leadership` with a lease kept in memory (any backend), and the fence of
a take (`bot.runtime.lease.Fence`) on the test database; the others use the real PostgreSQL lease
(`storage.postgres_lease.PostgresLease`) and end the holder's session the ways a worker dies:
its connection closes (kill -9), or it stops renewing (a frozen process), and the epoch of each
take fences off the work of the one before.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from bot.clock import FixedClock
from bot.delivery.outbox import Outbox
from bot.runtime.lease import (
    FOLLOWER,
    LEADER,
    SOLO_TOKEN,
    Fence,
    FencedBot,
    Leadership,
    SoloLease,
    open_lease,
)
from storage.db import Database
from storage.errors import DatabaseInUse, LeaseLost
from storage.open import open_database
from storage.postgres import WRITE_LOCK
from storage.postgres_lease import PostgresLease
from storage.repos.lease import LeaseEpochs
from storage.repos.queues import OutboxRepo
from storage.runlock import take_run_lock
from storage.url import parse_url
from tests.databases import TEST_DATABASE_URL, database_url, needs_postgres


@dataclass
class Slot:
    """Who holds the in-memory lease, and how many times it was taken."""

    holder: object | None = None
    epoch: int = 0


@dataclass
class MemoryLease:
    slot: Slot
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    shared: bool = False
    ttl: float = math.inf
    renewal_error: Exception | None = None  # what the next renewal raises

    async def try_take(self) -> int | None:
        if self.slot.holder is None:
            self.slot.holder = self
            self.slot.epoch += 1
            self.lost.clear()
        return self.slot.epoch if self.slot.holder is self else None

    async def renew(self) -> bool:
        error, self.renewal_error = self.renewal_error, None
        if error is not None:
            raise error
        return self.slot.holder is self and not self.lost.is_set()

    async def release(self) -> None:
        if self.slot.holder is self:
            self.slot.holder = None


class Ticks:
    """A monotonic clock the test moves: a jump is a pause of the whole process."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Worker:
    """Records its role changes and its fences; events to await them."""

    lease: MemoryLease | PostgresLease | SoloLease
    clock: Ticks | None = None
    leading: asyncio.Event = field(default_factory=asyncio.Event)
    following: asyncio.Event = field(default_factory=asyncio.Event)
    steps: list[str] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    leadership: Leadership | None = None

    async def lead(self, fence: Fence) -> None:
        self.steps.append(LEADER)
        self.fences.append(fence)
        self.following.clear()
        self.leading.set()

    async def follow(self) -> None:
        self.steps.append(FOLLOWER)
        self.leading.clear()
        self.following.set()

    async def start(self, *, retry: float = 0.05, renew: float = 0.05) -> Leadership:
        self.leadership = Leadership(
            self.lease,
            on_lead=self.lead,
            on_follow=self.follow,
            retry=retry,
            renew=renew,
            clock=self.clock or time.monotonic,
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

    async def failing_lead(fence: Fence) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("telegram unreachable")
        await worker.lead(fence)

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


async def until(probe: Any, what: str, timeout: float = 10.0) -> None:
    """Wait for `probe()` to be true (the leadership's loop runs in the background)."""
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"waited {timeout:.0f}s for {what}"
        await asyncio.sleep(0.01)


class Recorder:
    """A Bot API that records the methods called."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def do_api_request(
        self,
        endpoint: str,
        api_kwargs: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        self.calls.append(endpoint)
        return True


async def test_a_leader_paused_past_the_ttl_calls_nothing_steps_down_and_may_lead_again() -> None:
    ticks = Ticks()
    worker = Worker(MemoryLease(Slot(), ttl=15.0), clock=ticks)
    await worker.start()
    try:
        (fence,) = worker.fences
        telegram = Recorder()
        bot = FencedBot(telegram, fence)
        await bot.do_api_request("getUpdates")
        ticks.now += 25.0  # SIGSTOP for 25 s: no renewal meanwhile, another worker may lead
        with pytest.raises(LeaseLost, match="paused"):
            await bot.do_api_request("sendMessage")
        assert telegram.calls == ["getUpdates"] and fence.broken.is_set()
        # It followed at once (the broken fence woke its loop), gave the lease up, and may
        # take it again later: a new take, a new epoch, a new fence.
        await until(lambda: worker.steps == [LEADER, FOLLOWER, LEADER], "a step down, a new take")
        assert [f.token for f in worker.fences] == [1, 2] and worker.fences[1].holds()
        assert not fence.holds()  # a broken fence stays broken
    finally:
        await worker.stop()


async def test_an_answer_after_the_lease_lapsed_is_not_acted_on() -> None:
    """The process froze during a call: what comes back (updates, or a 409 because the new
    leader polled meanwhile) belongs to the new leader."""
    ticks = Ticks()
    fence = Fence(1, ttl=15.0, shared=False, since=ticks.now, clock=ticks)

    class Frozen(Recorder):
        async def do_api_request(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
            await super().do_api_request(endpoint)
            ticks.now += 20.0
            raise RuntimeError("409 Conflict: terminated by other getUpdates request")

    frozen = Frozen()
    with pytest.raises(LeaseLost):
        await FencedBot(frozen, fence).do_api_request("getUpdates")
    assert frozen.calls == ["getUpdates"]


async def test_a_renewal_that_raises_loses_the_lease_and_the_loop_goes_on() -> None:
    """A renewal on a session left mid-operation raised out of the loop: the worker went on
    leading, unrenewed, beside the next leader."""
    lease = MemoryLease(Slot())
    worker = Worker(lease)
    await worker.start()
    try:
        lease.renewal_error = asyncpg.InternalClientError("another operation is in progress")
        await until(lambda: worker.steps == [LEADER, FOLLOWER, LEADER], "a step down, a new take")
        reason = worker.fences[0].reason
        assert reason is not None and reason.startswith("renewal failed")
    finally:
        await worker.stop()


async def test_a_write_under_an_older_epoch_is_refused_and_breaks_the_fence(
    db: Database, clock: FixedClock
) -> None:
    outbox = Outbox(db, clock)
    async with db.transaction():
        token = await LeaseEpochs(db).advance()
    fence = Fence(token, ttl=math.inf, shared=True, since=0.0, clock=time.monotonic)
    with db.fenced(fence):
        async with db.transaction():
            await outbox.send_message(1, "一")
    async with db.transaction():  # another worker takes the lease
        assert await LeaseEpochs(db).advance() == token + 1

    async def send(text: str) -> None:
        async with db.transaction():
            await outbox.send_message(1, text)

    with db.fenced(fence):
        async with db.transaction():  # reading is not acting: it is not checked
            assert (await OutboxRepo(db).counts()) == {"pending": 1}
        with pytest.raises(LeaseLost, match="another worker took the lease"):
            await send("二")
        later = asyncio.create_task(send("三"))  # the leader's tasks keep its fence
    with pytest.raises(LeaseLost):
        await later
    assert fence.broken.is_set()
    await send("四")  # unfenced work (updates, the new leader's) goes on
    async with db.reading():
        assert [item.params["text"] for item in await OutboxRepo(db).due(clock.now())] == [
            "一",
            "四",
        ]


async def test_a_solo_lease_fences_without_asking_the_database(db: Database) -> None:
    worker = Worker(SoloLease())
    await worker.start()
    try:
        (fence,) = worker.fences
        with db.fenced(fence):
            async with db.transaction():
                await LeaseEpochs(db).advance()  # even a moved epoch: nobody else can lead
                await LeaseEpochs(db).advance()
            async with db.transaction():
                await LeaseEpochs(db).advance()
        assert fence.holds() and fence.token == SOLO_TOKEN
    finally:
        await worker.stop()


# -- PostgreSQL ---------------------------------------------------------------------------


def _lease(url: str, *, ttl: float = 15.0) -> PostgresLease:
    return PostgresLease(parse_url(url), ttl=ttl)


async def _migrated(name: str = "lease") -> str:
    """A database with the schema in place (the lease's epoch lives in it)."""
    url = database_url(None, name)
    db = open_database(url)
    await db.connect()
    await db.close()
    return url


async def _terminate(pid: int) -> None:
    """End a server session from outside, as the server does when its client dies."""
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


@needs_postgres
async def test_postgres_lease_is_held_by_one_session_and_names_its_process() -> None:
    url = await _migrated()
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
    url = await _migrated()
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
    url = await _migrated()
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


async def _take(lease: PostgresLease) -> int:
    """Take the lease as soon as it is free (the server frees a session's locks as it ends)."""
    for _ in range(500):
        token = await lease.try_take()
        if token is not None:
            return token
        await asyncio.sleep(0.02)
    raise AssertionError("the lease was never freed")


async def _waiting_for_the_write_lock() -> int:
    """How many sessions wait for a write lock (the advisory lock every write takes first)."""
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = $1",
                WRITE_LOCK,
            )
        )
    finally:
        await conn.close()


@needs_postgres
async def test_postgres_a_take_advances_the_epoch_after_the_last_holders_write(
    clock: FixedClock,
) -> None:
    """The holder froze in the middle of a write; the server ended its lease's session. The
    next take waits for that write (the write lock), then its epoch fences the old work off."""
    url = await _migrated("lease_epoch")
    db = open_database(url)
    await db.connect()
    outbox = Outbox(db, clock)
    first, second = _lease(url), _lease(url)
    try:
        token = await first.try_take()
        assert token is not None and await second.try_take() is None
        old = Fence(token, ttl=math.inf, shared=True, since=0.0, clock=time.monotonic)
        with db.fenced(old):
            async with db.transaction():
                await outbox.send_message(1, "一")
                assert first._conn is not None
                await _terminate(first._conn.get_server_pid())
                taking = asyncio.create_task(_take(second))
                while await _waiting_for_the_write_lock() == 0:
                    assert not taking.done(), taking.result()
                    await asyncio.sleep(0.02)
        assert await asyncio.wait_for(taking, 10) == token + 1
        with db.fenced(old), pytest.raises(LeaseLost):
            async with db.transaction():
                await outbox.send_message(1, "二")
        new = Fence(token + 1, ttl=math.inf, shared=True, since=0.0, clock=time.monotonic)
        with db.fenced(new):
            async with db.transaction():
                await outbox.send_message(1, "三")
        async with db.reading():
            due = await OutboxRepo(db).due(clock.now())
        assert [item.params["text"] for item in due] == ["一", "三"]
    finally:
        await first.release()
        await second.release()
        await db.close()


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
