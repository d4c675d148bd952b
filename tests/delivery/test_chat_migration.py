"""A send answered with `migrate_to_chat_id`: the queue follows the group, through the emulator.

The bot has not seen the upgrade's service messages yet; the first send to the old id is
answered 400 with `parameters.migrate_to_chat_id`, and the sender moves the binding and every
queued message to the supergroup (through the Runtime's own hook), then sends them there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
import telegram

from bot.clock import FixedClock, to_iso
from bot.config import load_settings
from bot.delivery.sender import Sender
from bot.domain.models import Actor
from bot.runtime.process import Runtime
from bot.wiring.bot import build_services
from sandbox import TelegramSandbox
from storage.db import Database
from storage.repos.enterprises import EnterpriseRepo

TOKEN = "200003:TEST-token-migration-0000000000"
ENTERPRISE = "海澄精工机械有限公司"


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    emulator = TelegramSandbox()
    emulator.create_bot(TOKEN, "liaison_test_bot")
    await emulator.start()
    yield emulator
    await emulator.stop()


async def test_a_send_to_an_upgraded_group_moves_the_queue(
    sandbox: TelegramSandbox, db: Database, clock: FixedClock
) -> None:
    admin = sandbox.create_user("管理员")["id"]
    creator = sandbox.create_user("群主")["id"]
    sandbox.send_message(admin, admin, "/start")  # so notices can reach the admin
    old = sandbox.create_chat("group", title="海澄服务群")["id"]
    sandbox.add_member(old, creator, "creator")
    request = sandbox.send_message(old, creator, "#诉求 厂区停电")
    async with telegram.Bot(TOKEN, base_url=sandbox.api_base_url) as bot:
        card = await bot.send_message(old, "工单卡片")
        settings = load_settings(
            None,
            telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url},
            park={"admins": [admin]},
            delivery={"private_interval_seconds": 0.0, "global_per_second": 1000.0},
        )
        runtime = Runtime(settings, clock=clock)
        services = runtime.services = build_services(settings, db, clock)
        async with db.transaction():
            await EnterpriseRepo(db).upsert_enterprise(
                name=ENTERPRISE, credit_code=None, industry=None, grid=None, now=to_iso(clock.now())
            )
        await services.onboarding.bind(
            Actor(telegram_id=admin, config_admin=True), old, "海澄服务群", ENTERPRISE
        )
        async with db.transaction():
            await services.outbox.send_message(old, "第一条", reply_to=request["message_id"])
            await services.outbox.edit_text(old, card.message_id, "工单卡片（已更新）")
            await services.outbox.send_message(old, "第二条")
        new = sandbox.upgrade_group(old, creator)["id"]
        sender = Sender(
            bot,
            db,
            services.outbox,
            clock,
            settings.delivery,
            on_permanent_failure=services.failures.delivery_failed,
            on_chat_migrated=runtime._follow_migration,
        )
        task = asyncio.create_task(sender.run())
        try:
            arrived = sandbox.state.sent_log
            await _until(lambda: len([e for e in arrived if e["chat_id"] == new]) == 2)
            await _until(lambda: any("升级为超级群" in (e["text"] or "") for e in arrived))
        finally:
            await sender.stop(timeout=3.0)
            task.cancel()
    in_new = sandbox.sent(new)
    assert [e["text"] for e in in_new] == ["第一条", "第二条"]
    assert all(e["reply_to_message_id"] is None for e in in_new)
    # The edit addressed a message left behind in the old group: dropped, never sent to the new.
    edits = sandbox.calls("editMessageText")
    assert all(call["params"]["chat_id"] == old for call in edits)
    binding = await services.onboarding.binding(new)
    assert binding is not None and binding.enterprise_id is not None
    assert await services.onboarding.binding(old) is None
    told = [e for e in sandbox.sent(admin) if "升级为超级群" in (e["text"] or "")]
    assert len(told) == 1


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Await a condition on the emulator's log (what arrives, never an absence)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError("the emulator never showed it")
        await asyncio.sleep(0.02)
