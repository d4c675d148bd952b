"""An in-process world: the emulator, the real Runtime (all handlers), the sample roster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.app import Runtime
from bot.clock import SystemClock
from bot.config import load_settings
from bot.services.onboarding import OnboardingService
from bot.services.roster import RosterService
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.db import Database

TOKEN = "200002:TEST-token-handlers-000000000000"
ENTERPRISE = "海澄精工机械有限公司"  # primary 陈志远, backup 张海涛 in the samples
OTHER_ENTERPRISE = "澄江新材料科技有限公司"  # primary 王晓峰


@dataclass
class World:
    client: SandboxClient
    runtime: Runtime
    admin: int
    cadre: int
    other_cadre: int
    contact: int
    other_contact: int
    stranger: int
    group: int
    unbound_group: int

    async def say(self, chat: int, user: int, text: str, **kw: Any) -> dict[str, Any]:
        return await self.client.send_message(chat, user, text, **kw)

    async def expect(
        self, chat: int, contains: str, *, since: int, count: int = 1
    ) -> list[dict[str, Any]]:
        return await self.client.wait_sent(
            chat_id=chat, since_seq=since, contains=contains, count=count, timeout=10
        )

    async def seq(self) -> int:
        return int(await self.client.last_seq())

    async def queued(self, chat: int | None = None, *, purpose: str | None = None) -> int:
        """Messages the bot has queued so far (sent or not), to `chat` and for `purpose`.

        The fence for "nothing more": a message is queued in the same transaction as the update
        or job step that owes it, so once that step is over its messages are counted here,
        however long the sender's pacing keeps them from the emulator.
        """
        services = self.runtime.services
        assert services is not None
        sql, params = "SELECT COUNT(*) FROM outbox WHERE 1 = 1", []
        if chat is not None:
            sql, params = sql + " AND chat_id = ?", [*params, chat]
        if purpose is not None:
            sql, params = sql + " AND purpose = ?", [*params, purpose]
        async with services.db.transaction():
            return int(await services.db.fetchval(sql, params))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    sandbox = TelegramSandbox()
    await sandbox.start()
    db_path = tmp_path / "bot.db"
    async with SandboxClient(sandbox.control_url) as client:
        await client.create_bot(TOKEN, "liaison_test_bot")
        users = {
            name: (await client.create_user(name))["id"]
            for name in ("admin", "cadre", "other_cadre", "contact", "other_contact", "stranger")
        }
        group = (await client.create_chat("supergroup", title="企业群"))["id"]
        unbound = (await client.create_chat("supergroup", title="未绑定群"))["id"]
        db = Database(db_path)
        await db.connect()
        roster = resources.files("bot.samples").joinpath("roster.xlsx")
        with resources.as_file(roster) as path:
            await RosterService(db, SystemClock()).import_files([path])
        onboarding = OnboardingService(db, SystemClock(), invite_valid_days=7)
        invites = {
            "cadre": await onboarding.invite("cadre", "陈志远"),
            "other_cadre": await onboarding.invite("cadre", "王晓峰"),
            "contact": await onboarding.invite("enterprise", ENTERPRISE),
            "other_contact": await onboarding.invite("enterprise", OTHER_ENTERPRISE),
        }
        await db.close()
        settings = load_settings(
            None,
            telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url, "poll_timeout": 1},
            storage={"path": str(db_path)},
            park={"admins": [users["admin"]]},
            delivery={
                "private_interval_seconds": 0.0,
                "group_per_minute": 1000,
                "global_per_second": 1000.0,
            },
        )
        runtime = Runtime(settings)
        await runtime.start()
        world = World(
            client,
            runtime,
            users["admin"],
            users["cadre"],
            users["other_cadre"],
            users["contact"],
            users["other_contact"],
            users["stranger"],
            group,
            unbound,
        )
        try:
            for key, invite in invites.items():
                since = await world.seq()
                await world.say(users[key], users[key], f"/start {invite.payload}")
                await world.expect(users[key], "已绑定", since=since)
            since = await world.seq()
            await world.say(group, users["admin"], f"/bind {ENTERPRISE}")
            await world.expect(group, "已绑定", since=since)
            yield world
        finally:
            # world.runtime: a test may have replaced it (restart on the same database).
            await world.runtime.stop()
    await sandbox.stop()
