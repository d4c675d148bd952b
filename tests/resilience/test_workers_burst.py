"""Three webhook workers on PostgreSQL, one killed with SIGKILL at five moments of a burst.

2,000 reports over 100 groups (`LIAISON_WORKERS_BURST` sets another count), posted as fast as
the emulator takes them in five rounds, with Telegram's flood limits enforced by the emulator
and the production pacing. In each round a worker is killed at a random moment and started
again: a random one, except in rounds 2 and 4, where it is the leader, so a takeover under load
is always part of the run. Every report must end up as exactly one ticket with its
acknowledgement delivered, and no send may draw a 429: the one sender (the leader's) keeps the
limits, also across a takeover. Messages are delivered at least once: a leader killed between a
send and its mark repeats that send, so repeats are counted and bounded, not forbidden.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url, needs_postgres
from tests.e2e.harness import (
    Injected,
    SentLog,
    build_burst_world,
    duplicate_sends,
    inject_reports,
    read_db,
    sent_messages_ok,
    settle_world,
    wait_for,
)
from tests.e2e.workers import Worker, start_workers, wait_leader

pytestmark = [needs_postgres, pytest.mark.slow, pytest.mark.timeout(900)]

GROUPS = 100
WORKERS = 3
ROUNDS = 5
REPORTS = int(os.environ.get("LIAISON_WORKERS_BURST", "2000"))
LEADER_ROUNDS = (1, 3)  # rounds (from 0) that kill the leader; the others a random worker
CONCURRENCY = 8  # [delivery] concurrency: sends in flight, so at most this many repeats a kill


async def test_sigkill_of_random_workers_during_a_burst_loses_nothing(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    rng = random.Random(20261201)
    url = database_url(None, "workers_burst")
    world = await build_burst_world(client, url, GROUPS)
    await client.set_limits(True)
    began = time.monotonic()
    injected: list[Injected] = []
    kills: list[str] = []
    fleet = await start_workers(
        WORKERS, workdir, url, sandbox, admins=[world.admin], webhook="spread"
    )
    workers, proxy = fleet.workers, fleet.proxy
    assert proxy is not None
    try:
        await settle_world(client, world)
        await client.reset_stats()
        since = await client.last_seq()
        per_round = REPORTS // ROUNDS
        for round_no in range(ROUNDS):
            injected += await _round(client, world, url, workers, rng, per_round, round_no, kills)
        expected = {(r.chat_id, r.message_id) for r in injected}
        assert len(expected) == per_round * ROUNDS
        log = SentLog(client, since)

        async def drained() -> bool:
            await log.refresh()
            return expected <= set(log.acks) and _outbox_idle(url)

        await wait_for(drained, timeout=600, interval=1.0, what="every report acknowledged")
        wall = time.monotonic() - began
        stats = await client.stats()
        sends = sent_messages_ok(await client.calls(since_seq=since))
        await fleet.terminate()
    finally:
        await fleet.stop()
        await client.set_limits(False)

    tickets = Counter(read_db(url, "SELECT chat_id, source_message_id FROM tickets"))
    lost = expected - set(tickets)
    double = [k for k, n in tickets.items() if n > 1]
    acks = log.acks
    duplicated = duplicate_sends(log.entries)
    too_many = stats["responses"].get("429", 0)
    leader_kills = kills.count("leader")
    print(
        f"\n[workers kill -9 burst] workers={WORKERS} reports={len(expected)} groups={GROUPS} "
        f"kills={len(kills)} ({leader_kills} of the leader) tickets={sum(tickets.values())} "
        f"lost={len(lost)} double={len(double)} acknowledged={len(expected & set(acks))} "
        f"429s={too_many} messages={len(sends)} repeated={duplicated} "
        f"repeated_acks={sum(n - 1 for n in acks.values() if n > 1)} wall={wall:.1f}s "
        f"deliveries={dict(proxy.forwarded)} unreachable={sum(proxy.failed.values())}"
    )
    assert not lost and not double and len(tickets) == len(expected)
    assert expected <= set(acks)
    assert too_many == 0, stats["responses"]
    assert read_db(url, "SELECT count(*) FROM inbox WHERE status != 'done'")[0][0] == 0
    assert duplicated <= leader_kills * CONCURRENCY, duplicated


async def _round(
    client: SandboxClient,
    world: object,
    url: str,
    workers: list[Worker],
    rng: random.Random,
    count: int,
    round_no: int,
    kills: list[str],
) -> list[Injected]:
    """Post `count` reports; kill a random worker once a random share made tickets; restart."""
    before = _tickets(url)
    burst = asyncio.create_task(
        inject_reports(client, world, count, start=round_no * count)  # type: ignore[arg-type]
    )
    made = rng.randint(count // 20, count // 2)

    async def under_way() -> bool:
        return _tickets(url) >= before + made

    await wait_for(under_way, timeout=120, interval=0.05, what=f"{made} new tickets")
    leader = await wait_leader(url, workers, timeout=30)
    victim = leader if round_no in LEADER_ROUNDS else rng.choice(workers)
    kills.append("leader" if victim is leader else "follower")
    await victim.kill()
    reports = await burst
    victim.start()
    await victim.wait_serving()
    return reports


def _tickets(url: str) -> int:
    return int(read_db(url, "SELECT count(*) FROM tickets")[0][0])


def _outbox_idle(url: str) -> bool:
    return read_db(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
