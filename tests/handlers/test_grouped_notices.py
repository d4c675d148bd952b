"""Admin notices about a cadre who cannot be reached come once, then once a day, not per ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock, SystemClock
from bot.scheduled import sweep_deadlines
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import World

# In the sample roster: primary cadre 李文静, who has no Telegram account, so never opened the bot.
UNREACHABLE_ENTERPRISE = "海澄恒通电子有限公司"
BURST = 12


@pytest.fixture
async def clock(world: World, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Freeze the runtime's clock (every service shares it), so the test can move time."""
    fixed = FixedClock(SystemClock().now())
    monkeypatch.setattr(world.runtime.clock, "now", fixed.now)
    return fixed


async def admin_texts(world: World, since: int) -> list[str]:
    """Everything sent to the admin since `since`, fenced: /help is answered after it all."""
    fence = await world.seq()
    await world.say(world.admin, world.admin, "/help")
    await world.expect(world.admin, "常用命令", since=fence)
    sent = await world.client.sent(chat_id=world.admin, since_seq=since)
    return [m.get("text") or "" for m in sent]


async def test_burst_for_an_unreachable_cadre_makes_one_notice_then_one_a_day(
    world: World, clock: FixedClock
) -> None:
    group = (await world.client.create_chat("supergroup", title="恒通群"))["id"]
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")  # so the bot may write to the admin
    await world.expect(world.admin, "常用命令", since=since)
    await world.say(group, world.admin, f"/bind {UNREACHABLE_ENTERPRISE}")
    await world.expect(group, "已绑定", since=since)

    since = await world.seq()
    for n in range(BURST):
        await world.say(group, world.contact, f"#诉求 第{n + 1}个问题：车间漏水")
    await world.expect(group, ACK_MARK, since=since, count=BURST)
    texts = await admin_texts(world, since)
    notices = [t for t in texts if "李文静" in t]
    assert len(notices) == 1, texts
    assert "尚未私聊启动机器人" in notices[0] and "#1" in notices[0]

    # The next working day: one reminder listing what waits, and only one however often the
    # sweeper runs.
    calendar = world.runtime.services.calendar
    clock.set(calendar.working_day_start_after(clock.now()) + timedelta(hours=1))
    since = await world.seq()
    await sweep_deadlines(world.runtime.services)
    await sweep_deadlines(world.runtime.services)
    texts = await admin_texts(world, since)
    reminders = [t for t in texts if "李文静" in t]
    assert len(reminders) == 1, texts
    assert f"有 {BURST} 件工单等待办理" in reminders[0] and f"#{BURST}" in reminders[0]
