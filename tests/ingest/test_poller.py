"""The poller stores before it acknowledges, resumes without an offset, stops on 409, and
leaves what a poll brings back after its lease lapsed to the new leader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bot.clock import FixedClock
from bot.config import load_settings
from bot.ingest.poller import Poller
from bot.runtime.lease import Fence, FencedBot
from bot.runtime.process import Runtime
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.db import Database
from storage.repos.queues import InboxRepo
from tests.databases import database_url

TOKEN = "400004:TEST-token-poller-00000000000000"


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    emulator = TelegramSandbox()
    await emulator.start()
    emulator.create_bot(TOKEN, "poller_bot")
    try:
        yield emulator
    finally:
        await emulator.stop()


async def test_batch_is_stored_before_it_is_acknowledged(
    sandbox: TelegramSandbox, db: Database, clock: FixedClock
) -> None:
    async with SandboxClient(sandbox.control_url) as client:
        user = await client.create_user("企业")
        for i in range(3):
            await client.send_message(user["id"], user["id"], f"/help {i}")
        async with Bot(TOKEN, base_url=sandbox.api_base_url) as bot:
            poller = Poller(bot, db, clock, asyncio.Event(), timeout=0)
            assert await poller.fetch_once() == 3
            # Stored, but Telegram still holds them until the next call carries the offset.
            assert await client.pending_updates(TOKEN) == 3
            async with db.transaction():
                assert (await InboxRepo(db).counts()) == {"pending": 3}
            # A restart: a new poller has no offset, Telegram resends, the inbox deduplicates.
            again = Poller(bot, db, clock, asyncio.Event(), timeout=0)
            assert await again.fetch_once() == 3
            async with db.transaction():
                assert (await InboxRepo(db).counts()) == {"pending": 3}
            await again.acknowledge()
            assert await client.pending_updates(TOKEN) == 0


async def test_a_second_poller_conflict_stops_the_bot(
    sandbox: TelegramSandbox, tmp_path: Path
) -> None:
    settings = load_settings(
        None,
        telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url, "poll_timeout": 1},
        storage={"url": database_url(tmp_path)},
    )
    runtime = Runtime(settings)
    await runtime.start()
    async with SandboxClient(sandbox.control_url) as client:
        await client.set_faults(conflict=True)
        await asyncio.wait_for(runtime.stop_event.wait(), timeout=10)
    await runtime.stop()
    assert runtime.exit_code == 3


class FrozenDuringCall:
    """The process froze while a call's answer waited: its clock jumps past the lease's ttl."""

    def __init__(self, bot: Bot, ticks: list[float]) -> None:
        self.bot = bot
        self.ticks = ticks

    async def do_api_request(
        self,
        endpoint: str,
        api_kwargs: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        try:
            return await self.bot.do_api_request(
                endpoint, api_kwargs=api_kwargs, read_timeout=read_timeout
            )
        finally:
            self.ticks[0] += 60.0


@pytest.mark.parametrize("conflict", [False, True], ids=["updates", "409"])
async def test_a_poll_answered_after_the_lease_lapsed_is_left_to_the_new_leader(
    sandbox: TelegramSandbox, db: Database, clock: FixedClock, conflict: bool
) -> None:
    """What a poll brought back after this worker's lease lapsed is not stored nor
    acknowledged (the new leader polls it), a 409 then is the new leader's poll and no
    conflict to exit on, and the poller stops without polling again."""
    ticks = [1000.0]
    fence = Fence(1, ttl=15.0, shared=False, since=ticks[0], clock=lambda: ticks[0])
    async with SandboxClient(sandbox.control_url) as client:
        user = await client.create_user("企业")
        await client.send_message(user["id"], user["id"], "/help")
        await client.set_faults(conflict=conflict)
        async with Bot(TOKEN, base_url=sandbox.api_base_url) as bot:
            fenced = FencedBot(FrozenDuringCall(bot, ticks), fence)
            poller = Poller(fenced, db, clock, asyncio.Event(), timeout=0)
            await asyncio.wait_for(poller.run(), 10)
        assert len(await client.calls("getUpdates")) == 1
        assert await client.pending_updates(TOKEN) == 1
    async with db.transaction():
        assert (await InboxRepo(db).counts()) == {}
    assert fence.broken.is_set()
