"""The stored next step time: every change writes it, the sweep asks for what is due.

Everything is made through the services on a fixed clock (Wednesday 2026-11-25, 10:00 park
time). ORDINARY: claim due 12:00 (reminder 11:30), contact due Thu 18:00 (reminder 16:00),
resolution due Wed 12-02 18:00 (reminder 16:00), chases Thu 12-03 and Fri 12-04 at 09:00.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso
from bot.domain import events as ev
from bot.domain.deadlines import DeadlineRules
from bot.domain.work_calendar import WorkCalendar
from bot.services.tickets.next_step import StepSchedule
from storage.repos.deadlines import DeadlineRepo
from storage.repos.tickets import TicketRepo
from tests.services.tickets import test_tickets
from tests.services.tickets.test_escalation import ORDINARY, TZ, at, escalation, extensions
from tests.services.tickets.test_tickets import ADMIN_TG, CADRE_TG, CONTACT_TG, LEADER_TG, World

world = test_tickets.world


async def stored(w: World, ticket_id: int) -> datetime | None:
    """The ticket's stored next step time, in park time."""
    async with w.db.reading():
        value = await w.db.fetchval("SELECT next_step_at FROM tickets WHERE id = ?", (ticket_id,))
    return from_iso(value).astimezone(TZ) if value else None


async def recomputed(w: World, ticket_id: int) -> datetime | None:
    """The next step time computed afresh from the ticket, its steps and its reopen events."""
    schedule = StepSchedule(WorkCalendar(TZ), DeadlineRules())
    async with w.db.reading():
        ticket = await TicketRepo(w.db).get(ticket_id)
        assert ticket is not None
        done = (await DeadlineRepo(w.db).steps_of([ticket_id]))[ticket_id]
        reworks = await TicketRepo(w.db).count_events(ticket_id, ev.EventType.REOPEN)
    found = schedule.next_step_at(ticket, done, reworks, w.clock.now())
    return found.astimezone(TZ) if found else None


async def check(w: World, ticket_id: int, expected: datetime | None) -> None:
    assert await stored(w, ticket_id) == expected
    assert await recomputed(w, ticket_id) == expected


async def test_every_change_stores_the_next_step_time(world: World) -> None:
    cadre, leader = await world.actor(CADRE_TG), await world.actor(LEADER_TG)
    contact = await world.actor(CONTACT_TG)
    ticket_id = await world.report(ORDINARY)
    await check(world, ticket_id, at(2026, 11, 25, 11, 30))  # the claim reminder
    await world.tickets.work.claim(cadre, ticket_id)
    await check(world, ticket_id, at(2026, 11, 26, 16, 0))  # the contact reminder
    await world.tickets.work.contact(cadre, ticket_id)
    await check(world, ticket_id, at(2026, 12, 2, 16, 0))  # the resolution reminder
    await world.tickets.work.progress(cadre, ticket_id, "已联系供电公司")
    await check(world, ticket_id, at(2026, 12, 2, 16, 0))
    asked = await extensions(world).request(cadre, ticket_id, 3, "等待排期")
    await extensions(world).decide(leader, ticket_id, asked.request.id, approve=True)
    await check(world, ticket_id, at(2026, 12, 7, 16, 0))  # the moved deadline's reminder
    await escalation(world).supervise(leader, ticket_id)
    await check(world, ticket_id, at(2026, 12, 7, 16, 0))
    world.clock.set(at(2026, 11, 26, 9, 0))
    transferred = await world.tickets.work.transfer(cadre, ticket_id, "王晓峰")
    assert transferred.view.ticket.claim_due_at == at(2026, 11, 26, 11, 0)
    await check(world, ticket_id, at(2026, 11, 26, 10, 30))  # the receiver's claim reminder
    receiver = await world.actor(test_tickets.OTHER_TG)
    await world.tickets.work.claim(receiver, ticket_id)
    await world.tickets.work.resolve(receiver, ticket_id, "已恢复")
    await check(world, ticket_id, None)  # resolved: nothing is chased while it waits
    await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "dissatisfied")
    await check(world, ticket_id, at(2026, 12, 7, 16, 0))  # reopened: chased again
    await world.tickets.work.resolve(receiver, ticket_id, "再次处理完毕")
    await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "dissatisfied")
    await check(world, ticket_id, at(2026, 11, 26, 9, 0))  # two reworks: level 2 due now
    await escalation(world).sweep()
    await check(world, ticket_id, at(2026, 12, 7, 16, 0))
    await world.tickets.work.resolve(receiver, ticket_id, "第三次办结")
    await world.tickets.ratings.rate(contact, ticket_id, "solved", "satisfied")
    await check(world, ticket_id, None)  # closed


async def test_unrated_close_clears_the_next_step(world: World) -> None:
    cadre = await world.actor(CADRE_TG)
    ticket_id = await world.report(ORDINARY)
    await world.tickets.work.claim(cadre, ticket_id)
    await world.tickets.work.resolve(cadre, ticket_id, "好了")
    await world.tickets.ratings.rate(
        await world.actor(CONTACT_TG), ticket_id, "unsolved", "dissatisfied"
    )
    await check(world, ticket_id, at(2026, 12, 2, 16, 0))
    await world.tickets.work.resolve(cadre, ticket_id, "再看看")
    world.clock.set(at(2026, 12, 3, 10, 0))
    assert [v.ticket.id for v in await world.tickets.ratings.close_unrated()] == [ticket_id]
    await check(world, ticket_id, None)


async def test_the_sweep_examines_exactly_the_due_tickets(world: World) -> None:
    first = await world.report(ORDINARY, message_id=1)  # claim reminder at 11:30
    world.clock.set(at(2026, 11, 25, 11, 0))
    second = await world.report(ORDINARY, message_id=2)  # claim due 13:00, reminder 12:30
    await world.tickets.work.claim(
        await world.actor(CADRE_TG), second
    )  # contact reminder Thu 16:00
    finished = await world.report(ORDINARY, message_id=3)
    await world.tickets.work.claim(await world.actor(CADRE_TG), finished)
    await world.tickets.work.resolve(await world.actor(CADRE_TG), finished, "已解决")
    world.clock.set(at(2026, 11, 25, 11, 29))
    assert (await escalation(world).sweep()).examined == []
    world.clock.set(at(2026, 11, 25, 11, 30))
    result = await escalation(world).sweep()
    assert (result.examined, [r.view.ticket.id for r in result.reminders]) == ([first], [first])
    await check(world, first, at(2026, 11, 26, 16, 0))  # moved on to the contact reminder
    assert (await escalation(world).sweep()).examined == []
    # The next morning both open tickets are past their contact reminder's start.
    world.clock.set(at(2026, 11, 26, 16, 0))
    result = await escalation(world).sweep()
    assert sorted(result.examined) == [first, second]
    assert sorted(r.view.ticket.id for r in result.reminders) == [first, second]


async def test_new_rules_make_every_open_ticket_due_once(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    assert await escalation(world).reschedule_if_rules_changed() == 1  # first start
    await check_due_now(world, ticket_id)
    await escalation(world).sweep()
    await check(world, ticket_id, at(2026, 11, 25, 11, 30))
    assert await escalation(world).reschedule_if_rules_changed() == 0  # same rules
    await check(world, ticket_id, at(2026, 11, 25, 11, 30))


async def check_due_now(w: World, ticket_id: int) -> None:
    assert await stored(w, ticket_id) == w.clock.now().astimezone(TZ)
    async with w.db.reading():
        due = await TicketRepo(w.db).due_for_steps(w.clock.now(), 10)
    assert [d.ticket.id for d in due] == [ticket_id]


async def test_admin_supervision_keeps_the_schedule(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    await escalation(world).supervise(await world.actor(ADMIN_TG), ticket_id)
    await check(world, ticket_id, at(2026, 11, 25, 11, 30))
