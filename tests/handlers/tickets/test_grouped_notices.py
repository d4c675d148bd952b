"""Admin notices about a cadre who cannot be reached come once, then once a day, not per ticket."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest

from bot.clock import FixedClock, SystemClock
from bot.runtime.schedule import sweep_deadlines
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import World, bind_cadre, until

# In the sample roster: primary cadre 李文静, who has no Telegram account, so never opened the bot.
UNREACHABLE_ENTERPRISE = "海澄恒通电子有限公司"
BURST = 10  # one contact's reports: at most [tickets] reports_per_person_per_hour (10)


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


async def test_reaching_the_cadre_ends_the_episode_so_losing_them_again_is_told(
    world: World,
) -> None:
    group = (await world.client.create_chat("supergroup", title="恒通群"))["id"]
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")
    await world.expect(world.admin, "常用命令", since=since)
    await world.say(group, world.admin, f"/bind {UNREACHABLE_ENTERPRISE}")
    await world.expect(group, "已绑定", since=since)

    async def report(text: str) -> list[str]:
        """Report in the group; the cadre-unreachable notices the admin got for it."""
        start = await world.seq()
        await world.say(group, world.contact, f"#诉求 {text}")
        await world.expect(group, ACK_MARK, since=start)
        return [t for t in await admin_texts(world, start) if "尚未私聊启动机器人" in t]

    assert len(await report("第一个问题")) == 1  # the episode opens
    cadre = await bind_cadre(world, "李文静")
    since = await world.seq()
    assert await report("第二个问题") == []  # reached: the episode ends
    await world.expect(cadre, "新工单", since=since)

    # The cadre blocks the bot: the next notice fails, and the one after finds them unreachable.
    await world.client.block_bot(cadre)
    assert await report("第三个问题") == []
    people = world.runtime.services.people
    await until(lambda: _none_if(people.reachable(cadre)), "the blocked cadre marked unreachable")
    told = await report("第四个问题")
    assert len(told) == 1 and "李文静" in told[0], told  # a new episode: the admins hear again


async def _none_if(flag: Awaitable[bool]) -> bool | None:
    """True when the awaited flag is false, else None (what `until` waits for)."""
    return None if await flag else True
