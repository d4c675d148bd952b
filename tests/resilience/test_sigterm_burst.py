"""SIGTERM in the middle of a burst: a quick clean exit, and nothing lost across the restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url
from tests.e2e.harness import (
    FAST_DELIVERY,
    BotProcess,
    SentLog,
    build_burst_world,
    inject_reports,
    read_db,
    settle_world,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

GROUPS = 100
REPORTS = 1000


async def test_sigterm_during_burst(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
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
    bot.start()
    try:
        await bot.wait_ready()
        await settle_world(client, world)
        burst = asyncio.create_task(inject_reports(client, world, REPORTS))

        async def under_way() -> bool:  # well inside the burst: a tenth of it made tickets
            return read_db(db_path, "SELECT count(*) FROM tickets")[0][0] >= REPORTS // 10

        await wait_for(under_way, timeout=60, interval=0.05, what="a tenth of the burst")
        code, elapsed = await bot.terminate()  # SIGKILL (code -9) if it did not stop by itself
        injected = await burst
        print(f"\n[sigterm] exit code={code} after {elapsed:.2f}s")
        assert code == 0, (code, elapsed, bot.log_tail())

        # Stopped: each report is a ticket, still pending in the inbox, or not yet fetched.
        expected = {(r.chat_id, r.message_id) for r in injected}
        ticketed = set(read_db(db_path, "SELECT chat_id, source_message_id FROM tickets"))
        pending_inbox = read_db(db_path, "SELECT count(*) FROM inbox WHERE status = 'pending'")
        unfetched = await client.pending_updates()
        print(
            f"[sigterm] at stop: tickets={len(ticketed)} inbox_pending={pending_inbox[0][0]} "
            f"not_yet_fetched={unfetched}"
        )
        assert len(ticketed) + pending_inbox[0][0] + unfetched >= len(expected)

        bot.start()
        await bot.wait_ready()
        log = SentLog(client)

        async def drained() -> bool:
            await log.refresh()
            return expected <= set(log.acks)

        await wait_for(drained, timeout=150, interval=1.0, what="every report acknowledged")
        code, _ = await bot.terminate()
        assert code == 0
    finally:
        await bot.ensure_stopped()

    ticketed = set(read_db(db_path, "SELECT chat_id, source_message_id FROM tickets"))
    lost = expected - ticketed
    print(f"[sigterm] after restart: tickets={len(ticketed)} lost={len(lost)}")
    assert not lost and len(ticketed) == len(expected)
    assert read_db(db_path, "SELECT count(*) FROM inbox WHERE status != 'done'")[0][0] == 0
