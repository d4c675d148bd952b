"""Deadlines through the emulator: /contact, /extend with the leader's buttons, /supervise,
/overdue, /blockers and the sweeper job, with the runtime's clock frozen and moved by the test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock, SystemClock
from bot.runtime.schedule import sweep_deadlines
from tests.handlers.world import World, add_leader, report


@pytest.fixture
async def clock(world: World, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Freeze the runtime's clock (every service shares it), so the test can move time."""
    fixed = FixedClock(SystemClock().now())
    monkeypatch.setattr(world.runtime.clock, "now", fixed.now)
    return fixed


async def test_contact_and_extension_approved_by_the_leader_only(
    world: World, clock: FixedClock
) -> None:
    leader = await add_leader(world)
    ticket_id, _ = await report(world, "#诉求 食堂网络不通")
    ack = (await world.client.sent(chat_id=world.group))[-1]
    assert "联系企业期限" in ack["text"]
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/contact {ticket_id}")
    # Sign first; the refusal names the status in words, never its code.
    [refusal] = await world.expect(world.cadre, "不能执行该操作", since=since)
    assert "「待签收」" in refusal["text"] and "new" not in refusal["text"]
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    claimed = (await world.expect(world.cadre, "已签收工单", since=since))[0]
    assert f"t:contact:{ticket_id}" in str(claimed["reply_markup"])
    await world.client.press_button(
        world.cadre, claimed["message_id"], world.cadre, f"t:contact:{ticket_id}"
    )
    await world.expect(world.cadre, "已联系企业", since=since)

    await world.say(world.other_cadre, world.other_cadre, f"/extend {ticket_id} 3 想延期")
    await world.expect(world.other_cadre, "只有工单", since=since)
    await world.say(world.cadre, world.cadre, f"/extend {ticket_id} 3 等待运营商排期")
    await world.expect(world.cadre, "已提交分管领导审批", since=since)
    ask = (await world.expect(leader, "申请将工单", since=since))[0]
    assert "等待运营商排期" in ask["text"]
    approve = f"t:xok:{ticket_id}:1"
    assert approve in str(ask["reply_markup"])
    # A forged press by the cadre (not the leader) changes nothing.
    before = await world.answers()
    await world.client.press_button(leader, ask["message_id"], world.cadre, approve, forge=True)
    answer = await world.answer(before)
    assert answer.get("show_alert") and "分管领导" in answer["text"]
    await world.client.press_button(leader, ask["message_id"], leader, approve)
    await world.expect(leader, "已同意工单", since=since)
    await world.expect(world.cadre, "延期已获批准", since=since)
    await world.say(world.cadre, world.cadre, f"/extend {ticket_id} 1 再延一天")
    await world.expect(world.cadre, "已经延期过一次", since=since)
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")
    card = (await world.expect(world.cadre, "已延期 3 个工作日", since=since))[0]
    assert "申请延期" in card["text"] and "延期获批" in card["text"]


async def test_supervise_overdue_blockers_and_the_sweeper(world: World, clock: FixedClock) -> None:
    leader = await add_leader(world)
    ticket_id, _ = await report(world)  # a power cut: urgent, due in 24 hours
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")  # so the bot may write to the admin
    await world.expect(world.admin, "常用命令", since=since)
    await world.say(world.cadre, world.cadre, "/overdue")
    await world.expect(world.cadre, "没有逾期工单", since=since)
    clock.advance(timedelta(days=10))
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/overdue")
    listed = (await world.expect(world.cadre, "逾期工单（1 件）", since=since))[0]
    assert f"#{ticket_id}" in listed["text"]
    # Overdue in working days (weekends and holidays left out), as the brief and the airing say.
    services = world.runtime.services
    view = await services.tickets.core.view_of(ticket_id)
    late = services.calendar.working_days_between(view.ticket.deadline_at, clock.now())
    assert 0 < late < 9 and f"超期 {late} 个工作日" in listed["text"]
    await world.say(world.other_cadre, world.other_cadre, "/overdue")
    await world.expect(world.other_cadre, "没有逾期工单", since=since)
    await world.say(world.contact, world.contact, "/overdue")
    await world.expect(world.contact, "仅限干部", since=since)

    await world.say(world.cadre, world.cadre, f"/supervise {ticket_id}")
    await world.expect(world.cadre, "只有领导或管理员", since=since)
    await world.say(leader, leader, f"/supervise {ticket_id}")
    await world.expect(leader, "已督办", since=since)
    await world.expect(world.cadre, "已被督办", since=since)
    await world.say(leader, leader, f"/supervise {ticket_id}")
    await world.expect(leader, "已在督办中", since=since)
    await world.say(leader, leader, "/blockers")
    blockers = (await world.expect(leader, "督办工单（1 件", since=since))[0]
    assert f"#{ticket_id}" in blockers["text"] and "1级" in blockers["text"]

    # The job: both chases are due; the second puts the ticket on the blocker list.
    await sweep_deadlines(world.runtime.services)
    await world.expect(world.cadre, "第 1 次催办", since=since)
    await world.expect(world.cadre, "第 2 次催办", since=since)
    await world.expect(world.admin, "堵点清单", since=since)
    await world.expect(leader, "堵点清单", since=since)
    seen = await world.seq()
    queued = await world.queued()
    await sweep_deadlines(world.runtime.services)  # again: nothing more
    assert await world.queued() == queued
    await world.say(world.admin, world.admin, "/blockers")
    text = (await world.expect(world.admin, "督办工单（1 件", since=seen))[0]["text"]
    assert "2级" in text


async def test_contact_after_progress_is_recorded_and_status_stays(world: World) -> None:
    ticket_id, _ = await report(world, "#诉求 食堂网络不通")
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.expect(world.cadre, "已签收工单", since=since)
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/progress {ticket_id} 已电话联系运营商")
    await world.expect(world.cadre, "进展已记录", since=since)
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/contact {ticket_id}")
    await world.expect(world.cadre, "已联系企业", since=since)
    services = world.runtime.services
    view = await services.tickets.lookup.view(await services.people.actor(world.cadre), ticket_id)
    assert view.ticket.status.value == "in_progress"  # recorded, not moved backwards
    assert [e.type.value for e in view.events][-2:] == ["progress", "contact"]
    since = await world.seq()
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    [refusal] = await world.expect(world.cadre, "不能执行该操作", since=since)
    assert "「办理中」" in refusal["text"] and "in_progress" not in refusal["text"]
