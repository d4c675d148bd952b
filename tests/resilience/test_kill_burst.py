"""SIGKILL at random moments during a 2,000-report burst over 100 groups loses nothing.

Five rounds: inject 400 reports as fast as possible, SIGKILL the bot at a random moment inside
the round, restart it. Then let it drain. Every report must end up as exactly one ticket with at
least one acknowledgement; at-least-once delivery may repeat a message when a kill lands between
the send and its "sent" mark, so repeats are counted and printed, not forbidden.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url
from tests.e2e.harness import (
    FAST_DELIVERY,
    BotProcess,
    Injected,
    acks_by_source,
    build_burst_world,
    duplicate_sends,
    inject_reports,
    read_db,
    settle_world,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

GROUPS = 100
ROUNDS = 5
PER_ROUND = 400


async def test_sigkill_during_burst_loses_nothing(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    rng = random.Random(20261125)
    db_path = database_url(workdir)
    world = await build_burst_world(client, db_path, GROUPS)
    bot = BotProcess(
        workdir,
        sandbox.api_base_url,
        sandbox.control_url,
        db_path,
        admins=[world.admin],
        delivery=FAST_DELIVERY,
        log_level="WARNING",
    )
    began = time.monotonic()
    injected: list[Injected] = []
    kills = 0
    bot.start()
    try:
        await bot.wait_ready()
        await settle_world(client, world)
        for round_no in range(ROUNDS):
            before = read_db(db_path, "SELECT count(*) FROM tickets")[0][0]
            burst = asyncio.create_task(
                inject_reports(client, world, PER_ROUND, start=round_no * PER_ROUND)
            )
            # A random moment inside the burst: once a random share of this round made tickets.
            made = rng.randint(PER_ROUND // 20, PER_ROUND // 2)

            async def under_way(target: int = before + made) -> bool:
                return read_db(db_path, "SELECT count(*) FROM tickets")[0][0] >= target

            await wait_for(under_way, timeout=60, interval=0.05, what=f"{made} new tickets")
            await bot.kill()
            kills += 1
            injected += await burst
            bot.start()
            await bot.wait_ready()

        expected = {(r.chat_id, r.message_id) for r in injected}
        assert len(expected) == ROUNDS * PER_ROUND

        async def drained() -> bool:
            acks = acks_by_source(await client.sent())
            return expected <= set(acks) and _outbox_idle(db_path)

        await wait_for(drained, timeout=180, interval=1.0, what="every report acknowledged")
        code, _ = await bot.terminate()
        assert code == 0, bot.log_tail()
    finally:
        await bot.ensure_stopped()

    tickets = read_db(db_path, "SELECT chat_id, source_message_id FROM tickets")
    per_source: dict[tuple[int, int], int] = {}
    for chat_id, message_id in tickets:
        per_source[(chat_id, message_id)] = per_source.get((chat_id, message_id), 0) + 1
    sent = await client.sent()
    acks = acks_by_source(sent)
    lost_tickets = [k for k in expected if per_source.get(k, 0) == 0]
    lost_acks = [k for k in expected if acks.get(k, 0) == 0]
    double_tickets = [k for k, n in per_source.items() if n > 1]
    duplicated = duplicate_sends(sent)
    duplicated_acks = sum(n - 1 for n in acks.values() if n > 1)
    print(
        f"\n[kill -9 burst] reports={len(expected)} kills={kills} tickets={len(tickets)} "
        f"lost_tickets={len(lost_tickets)} lost_acks={len(lost_acks)} "
        f"duplicated_messages={duplicated} (of which acks={duplicated_acks}) "
        f"messages_sent={len(sent)} wall={time.monotonic() - began:.1f}s"
    )
    assert not lost_tickets and not lost_acks
    assert not double_tickets and len(tickets) == len(expected)
    assert read_db(db_path, "SELECT count(*) FROM inbox WHERE status != 'done'")[0][0] == 0
    # At-least-once: a repeat needs a kill between send and mark, at most one per in-flight
    # send (delivery concurrency 8) per kill.
    assert duplicated <= kills * 8, duplicated


def _outbox_idle(db_path: str) -> bool:
    # Read-only while the bot runs: WAL lets a reader see the last committed state.
    return read_db(db_path, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
