"""The in-process world of the handler tests: the emulator, the real Runtime, the sample roster.

`open_world` starts it (the `world` fixture in conftest.py registers it); `World` is how a test
speaks and observes; the functions below are the steps many tests share (report a problem, wait
for a button answer or an upload, bind a leader).

Waiting: every helper here waits *for* something (an answer, a message, an idle outbox) with a
generous timeout, never for an absence. "Nothing more was sent" is asserted on the outbox once
the step that would have owed it is over (`World.queued`, `World.outbox_texts`), or on the
emulator once the outbox is idle (`World.settled`).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import SystemClock
from bot.config import load_settings
from bot.runtime.process import Runtime
from bot.services.onboarding import OnboardingService
from bot.services.recipients import Recipients
from bot.services.roster.service import RosterService
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.open import open_database
from storage.unit import Repositories
from tests.databases import database_url
from tests.e2e.harness import ACK_MARK

TOKEN = "200002:TEST-token-handlers-000000000000"
ENTERPRISE = "海澄精工机械有限公司"  # primary 陈志远, backup 张海涛 in the samples
OTHER_ENTERPRISE = "澄江新材料科技有限公司"  # primary 王晓峰
TIMEOUT = 10.0

T = TypeVar("T")


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = TIMEOUT) -> T:
    """Poll `probe` until it returns something (not None); AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.05)


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
            chat_id=chat, since_seq=since, contains=contains, count=count, timeout=TIMEOUT
        )

    async def seq(self) -> int:
        return int(await self.client.last_seq())

    async def answers(self) -> int:
        """How many button presses the bot has answered so far."""
        return len(await self.client.callback_answers())

    async def answer(self, before: int, *, with_text: bool = False) -> dict[str, Any]:
        """The first button answer after the first `before` ones (with a text, if asked)."""

        async def probe() -> dict[str, Any] | None:
            fresh = (await self.client.callback_answers())[before:]
            return next((a for a in fresh if a.get("text") or not with_text), None)

        return await until(probe, "a button answer")

    async def upload(self, chat: int, key: str, *, since: int) -> dict[str, Any]:
        """The first message to `chat` since `since` carrying `key` ("photo", "document")."""

        async def probe() -> dict[str, Any] | None:
            sent = await self.client.sent(chat_id=chat, since_seq=since)
            return next((m for m in sent if key in m), None)

        return await until(probe, f"a {key} sent to {chat}")

    async def download(self, file_id: str) -> bytes:
        bot = self.runtime.app.bot  # type: ignore[union-attr]
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def queued(self, chat: int | None = None, *, purpose: str | None = None) -> int:
        """Messages the bot has queued so far (sent or not), to `chat` and for `purpose`.

        The fence for "nothing more": a message is queued in the same transaction as the update
        or job step that owes it, so once that step is over its messages are counted here,
        however long the sender's pacing keeps them from the emulator.
        """
        sql, params = "SELECT COUNT(*) FROM outbox WHERE 1 = 1", []
        if chat is not None:
            sql, params = sql + " AND chat_id = ?", [*params, chat]
        if purpose is not None:
            sql, params = sql + " AND purpose = ?", [*params, purpose]
        return int(await self._fetchval(sql, params))

    async def outbox_texts(self, chat: int | None = None) -> list[str]:
        """The texts (and captions) of every message queued so far, to `chat` or to anyone."""
        sql = (
            "SELECT params FROM outbox WHERE method IN ('sendMessage', 'editMessageText',"
            " 'sendPhoto', 'sendDocument')"
        )
        params: list[Any] = []
        if chat is not None:
            sql, params = sql + " AND chat_id = ?", [chat]
        services = self.runtime.services
        assert services is not None
        async with services.db.transaction():
            rows = await services.db.fetchall(sql + " ORDER BY id", params)
        sent = [json.loads(row[0]) for row in rows]
        return [str(p.get("text") or p.get("caption") or "") for p in sent]

    async def settled(self) -> None:
        """Wait until everything queued so far has been delivered (or failed for good)."""

        async def probe() -> bool | None:
            pending = await self._fetchval("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            return True if pending == 0 else None

        await until(probe, "an idle outbox")

    async def _fetchval(self, sql: str, params: list[Any] | None = None) -> Any:
        services = self.runtime.services
        assert services is not None
        async with services.db.transaction():
            return await services.db.fetchval(sql, params or [])


async def report(world: World, text: str = "#诉求 厂区停电了") -> tuple[int, dict[str, Any]]:
    """The contact reports in the group; returns the ticket's number and the cadre's notice."""
    since = await world.seq()
    message = await world.say(world.group, world.contact, text)
    ack = (await world.expect(world.group, ACK_MARK, since=since))[0]
    notice = (await world.expect(world.cadre, "新工单", since=since))[0]
    assert ack["reply_to_message_id"] == message["message_id"]
    found = re.search(r"#(\d+)", ack["text"])
    assert found is not None, ack["text"]
    return int(found.group(1)), notice


async def bind_cadre(world: World, name: str) -> int:
    """A new emulator user bound as the roster cadre `name`, with a private chat open."""
    user = int((await world.client.create_user(name))["id"])
    invite = await world.runtime.services.onboarding.invite("cadre", name)
    since = await world.seq()
    await world.say(user, user, f"/start {invite.payload}")
    await world.expect(user, "已绑定", since=since)
    return user


async def add_leader(world: World) -> int:
    """Bind a new emulator user as 黄振华, the leader of 陈志远 in the sample roster."""
    leader = (await world.client.create_user("leader"))["id"]
    invite = await world.runtime.services.onboarding.invite("cadre", "黄振华")
    since = await world.seq()
    await world.say(leader, leader, f"/start {invite.payload}")
    await world.expect(leader, "已绑定", since=since)
    return int(leader)


@asynccontextmanager
async def open_world(tmp_path: Path) -> AsyncIterator[World]:
    """Start the emulator and the bot on the sample roster; bind the users and the group."""
    sandbox = TelegramSandbox()
    await sandbox.start()
    db_url = database_url(tmp_path)
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, "liaison_test_bot")
            users = {
                name: (await client.create_user(name))["id"]
                for name in (
                    "admin",
                    "cadre",
                    "other_cadre",
                    "contact",
                    "other_contact",
                    "stranger",
                )
            }
            group = (await client.create_chat("supergroup", title="企业群"))["id"]
            unbound = (await client.create_chat("supergroup", title="未绑定群"))["id"]
            db = open_database(db_url)
            await db.connect()
            roster = resources.files("bot.samples").joinpath("roster.xlsx")
            with resources.as_file(roster) as path:
                await RosterService(Repositories(db), SystemClock()).import_files([path])
            onboarding = OnboardingService(
                Repositories(db),
                SystemClock(),
                invite_valid_days=7,
                recipients=Recipients(Repositories(db)),
            )
            invites = {
                "cadre": await onboarding.invite("cadre", "陈志远"),
                "other_cadre": await onboarding.invite("cadre", "王晓峰"),
                "contact": await onboarding.invite("enterprise", ENTERPRISE),
                "other_contact": await onboarding.invite("enterprise", OTHER_ENTERPRISE),
            }
            await db.close()
            settings = load_settings(
                None,
                telegram={
                    "token": TOKEN,
                    "api_base_url": sandbox.api_base_url,
                    "poll_timeout": 1,
                },
                storage={"url": db_url},
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
    finally:
        await sandbox.stop()
