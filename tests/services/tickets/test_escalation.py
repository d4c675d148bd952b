"""Reminders, chases, 督办 levels, extensions and the daily brief with injected time.

"Restart" means new service objects on the same database: every step must happen once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock, to_iso
from bot.domain import events as ev
from bot.domain.deadlines import DeadlineRules
from bot.domain.lifecycle import Status
from bot.domain.work_calendar import WorkCalendar
from bot.errors import InvalidInput, InvalidTransition, NotAllowed
from bot.services.tickets.briefs import BriefService
from bot.services.tickets.escalation import EscalationService
from bot.services.tickets.extensions import ExtensionService
from storage.repos.enterprises import EnterpriseRepo
from storage.repos.tickets import TicketRepo
from storage.unit import Repositories
from tests.services.tickets import test_tickets
from tests.services.tickets.test_tickets import (
    ADMIN_TG,
    CADRE_TG,
    CONTACT_TG,
    LEADER_TG,
    OTHER_TG,
    World,
)

# The ticket-loop world (roster, bound groups, services) on the in-memory database.
world = test_tickets.world

TZ = ZoneInfo("Asia/Shanghai")
ORDINARY = "食堂网络不通"  # amenities, help, normal: claim 12:00, contact Thu 18:00, due Wed 12-02


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def escalation(w: World) -> EscalationService:
    """A fresh service, as after a restart."""
    return EscalationService(
        Repositories(w.db),
        w.clock,
        WorkCalendar(TZ),
        DeadlineRules(),
        w.tickets.core,
        reach=w.tickets.core.reach,
    )


def extensions(w: World) -> ExtensionService:
    return ExtensionService(
        Repositories(w.db),
        w.clock,
        WorkCalendar(TZ),
        DeadlineRules(),
        w.tickets.core,
        recipients=w.tickets.core.recipients,
    )


E = TypeVar("E", bound=ev.Event)


async def events(w: World, ticket_id: int, kind: type[E]) -> list[E]:
    async with w.db.transaction():
        found = await TicketRepo(w.db).events(ticket_id)
    return [e.event for e in found if isinstance(e.event, kind)]


async def sweep_at(w: World, moment: datetime) -> tuple[list[str], list[int], list[int]]:
    """Sweep twice (a second job run and a restart) and report what the first one did."""
    w.clock.set(moment)
    first = await escalation(w).sweep()
    again = await escalation(w).sweep()
    assert (again.reminders, again.chases, again.raised) == ([], [], [])
    return (
        [r.which for r in first.reminders],
        [c.number for c in first.chases],
        [r.level for r in first.raised],
    )


async def test_each_reminder_fires_once_at_its_working_time(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    assert await sweep_at(world, at(2026, 11, 25, 11, 29)) == ([], [], [])
    assert await sweep_at(world, at(2026, 11, 25, 11, 30)) == (["claim"], [], [])
    await world.tickets.work.claim(await world.actor(CADRE_TG), ticket_id)
    assert await sweep_at(world, at(2026, 11, 26, 15, 59)) == ([], [], [])
    assert await sweep_at(world, at(2026, 11, 26, 16, 0)) == (["response"], [], [])
    await world.tickets.work.contact(await world.actor(CADRE_TG), ticket_id)
    assert await sweep_at(world, at(2026, 12, 2, 16, 0)) == (["resolve"], [], [])
    urges = await events(world, ticket_id, ev.Urge)
    assert [u.step.split("@")[0] for u in urges] == [
        "remind_claim",
        "remind_response",
        "remind_resolve",
    ]


async def test_a_reopened_ticket_is_reminded_and_chased_by_its_fresh_deadline(
    world: World,
) -> None:
    cadre, contact = await world.actor(CADRE_TG), await world.actor(CONTACT_TG)
    ticket_id = await world.report(ORDINARY)
    await world.tickets.work.claim(cadre, ticket_id)
    assert await sweep_at(world, at(2026, 12, 3, 9, 0)) == ([], [1], [])  # overdue: chased
    world.clock.set(at(2026, 12, 3, 10, 0))
    await world.tickets.work.resolve(cadre, ticket_id, "已处理")
    world.clock.set(at(2026, 12, 3, 11, 0))
    fresh = (await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "basic")).view.ticket
    assert fresh.deadline_at > world.clock.now()
    # Not overdue at once: no chase until the fresh deadline passes; its reminder comes first.
    assert await sweep_at(world, at(2026, 12, 4, 9, 0)) == ([], [], [])
    before = WorkCalendar(TZ).shift_working(fresh.deadline_at, -timedelta(hours=2))
    assert await sweep_at(world, before) == (["resolve"], [], [])
    after = WorkCalendar(TZ).working_day_start_after(fresh.deadline_at, 1)
    assert await sweep_at(world, after - timedelta(minutes=1)) == ([], [], [])
    assert await sweep_at(world, after) == ([], [1], [])  # already at level 1
    steps = [u.step for u in await events(world, ticket_id, ev.Urge) if "chase" in u.step]
    assert steps == [
        f"chase1@{to_iso(at(2026, 12, 2, 18, 0))}",
        f"chase1@{to_iso(fresh.deadline_at)}",
    ]


async def test_chases_raise_level_one_then_level_two_once(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    await world.tickets.work.claim(await world.actor(CADRE_TG), ticket_id)
    assert await sweep_at(world, at(2026, 12, 2, 18, 30)) == ([], [], [])  # passed, same day
    assert await sweep_at(world, at(2026, 12, 3, 8, 59)) == ([], [], [])
    world.clock.set(at(2026, 12, 3, 9, 0))  # the working day after the deadline
    first = await escalation(world).sweep()
    assert [c.number for c in first.chases] == [1]
    assert first.chases[0].leader is not None and first.chases[0].leader.name == "黄振华"
    assert first.chases[0].view.ticket.supervision_level == 1
    assert await sweep_at(world, at(2026, 12, 3, 17, 0)) == ([], [], [])
    # The second working day after the deadline (Friday) brings the second chase.
    assert await sweep_at(world, at(2026, 12, 4, 8, 59)) == ([], [], [])
    assert await sweep_at(world, at(2026, 12, 4, 9, 0)) == ([], [2], [2])
    assert await sweep_at(world, at(2026, 12, 7, 9, 0)) == ([], [], [])
    assert [e.level for e in await events(world, ticket_id, ev.Escalate)] == [1, 2]
    assert [e.reason for e in await events(world, ticket_id, ev.Escalate)] == [
        "overdue",
        "chases",
    ]
    deadline = to_iso(at(2026, 12, 2, 18, 0))  # each chase is keyed by the deadline it chases
    assert [u.step for u in await events(world, ticket_id, ev.Urge)] == [
        f"chase1@{deadline}",
        f"chase2@{deadline}",
    ]
    view = await world.tickets.lookup.view(await world.actor(ADMIN_TG), ticket_id)
    assert view.ticket.supervision_level == 2


async def test_two_reworks_raise_level_two(world: World) -> None:
    cadre, contact = await world.actor(CADRE_TG), await world.actor(CONTACT_TG)
    ticket_id = await world.report(ORDINARY)
    await world.tickets.work.claim(cadre, ticket_id)
    for round_ in range(2):
        await world.tickets.work.resolve(cadre, ticket_id, "好了")
        await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "dissatisfied")
        result = await escalation(world).sweep()
        assert [r.level for r in result.raised] == ([2] if round_ == 1 else [])
    assert await escalation(world).sweep() == type(result)()
    assert await events(world, ticket_id, ev.Escalate) == [ev.Escalate(level=2, reason="reworks")]


async def test_supervise_permissions_and_once(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    with pytest.raises(NotAllowed):
        await escalation(world).supervise(await world.actor(CADRE_TG), ticket_id)
    raised = await escalation(world).supervise(await world.actor(LEADER_TG), ticket_id)
    assert raised.view.ticket.supervision_level == 1
    with pytest.raises(InvalidInput):
        await escalation(world).supervise(await world.actor(ADMIN_TG), ticket_id)
    # The first chase no longer raises a level that a leader already set.
    world.clock.set(at(2026, 12, 3, 9, 0))
    result = await escalation(world).sweep()
    assert [c.number for c in result.chases] == [1]
    assert await events(world, ticket_id, ev.Escalate) == [ev.Escalate(level=1, reason="manual")]


async def test_lists_are_scoped_by_role(world: World) -> None:
    mine = await world.report(ORDINARY, message_id=1)
    async with world.db.transaction():
        await EnterpriseRepo(world.db).set_assignment(world.enterprise, world.other, None, "x")
    theirs = await world.report(ORDINARY, message_id=2)
    world.clock.set(at(2026, 12, 3, 9, 0))
    service = escalation(world)
    assert [i.view.ticket.id for i in await service.overdue(await world.actor(CADRE_TG))] == [mine]
    assert [i.view.ticket.id for i in await service.overdue(await world.actor(OTHER_TG))] == [
        theirs
    ]
    # 王晓峰 has no leader in this roster; 黄振华 leads 陈志远 only.
    assert [i.view.ticket.id for i in await service.overdue(await world.actor(LEADER_TG))] == [mine]
    assert len(await service.overdue(await world.actor(ADMIN_TG))) == 2
    with pytest.raises(NotAllowed):
        await service.overdue(await world.actor(CONTACT_TG))
    assert await service.blockers(await world.actor(LEADER_TG)) == []
    await service.sweep()
    assert [i.view.ticket.id for i in await service.blockers(await world.actor(LEADER_TG))] == [
        mine
    ]
    overdue = await service.overdue(await world.actor(ADMIN_TG))
    assert sorted(i.view.ticket.id for i in overdue) == sorted([mine, theirs])


async def test_calendar_fallback_warned_once_per_year(world: World) -> None:
    world.clock.set(at(2027, 1, 4, 10, 0))
    assert (await escalation(world).sweep()).fallback_years == [2027]
    assert (await escalation(world).sweep()).fallback_years == []


async def test_contact_only_after_signing(world: World) -> None:
    ticket_id = await world.report(ORDINARY)
    with pytest.raises(InvalidTransition):
        await world.tickets.work.contact(await world.actor(CADRE_TG), ticket_id)
    await world.tickets.work.claim(await world.actor(CADRE_TG), ticket_id)
    with pytest.raises(NotAllowed):
        await world.tickets.work.contact(await world.actor(OTHER_TG), ticket_id)
    view = await world.tickets.work.contact(await world.actor(CADRE_TG), ticket_id)
    assert view.ticket.status is Status.CONTACTED


# -- extensions ---------------------------------------------------------------------------------
async def test_extension_approved_moves_the_deadline_once(world: World) -> None:
    cadre, leader = await world.actor(CADRE_TG), await world.actor(LEADER_TG)
    ticket_id = await world.report(ORDINARY)
    asked = await extensions(world).request(cadre, ticket_id, 3, "等待供电公司排期")
    assert asked.leader is not None and asked.leader.telegram_id == LEADER_TG
    with pytest.raises(InvalidInput, match="extend_pending"):
        await extensions(world).request(cadre, ticket_id, 2, "再等等")
    for outsider in (cadre, await world.actor(ADMIN_TG), await world.actor(OTHER_TG)):
        with pytest.raises(NotAllowed):
            await extensions(world).decide(outsider, ticket_id, asked.request.id, approve=True)
    decided = await extensions(world).decide(leader, ticket_id, asked.request.id, approve=True)
    assert decided.approved
    assert decided.view.ticket.deadline_at == at(2026, 12, 7, 18)  # 12-02 + 3 working days
    assert await events(world, ticket_id, ev.ExtendRequest) == [
        ev.ExtendRequest(days=3, reason="等待供电公司排期", request_id=asked.request.id)
    ]
    assert await events(world, ticket_id, ev.ExtendOk) == [
        ev.ExtendOk(deadline_at=at(2026, 12, 7, 18), days=3)
    ]
    with pytest.raises(InvalidInput, match="extend_decided"):
        await extensions(world).decide(leader, ticket_id, asked.request.id, approve=False)
    with pytest.raises(InvalidInput, match="extend_once"):
        await extensions(world).request(cadre, ticket_id, 1, "还要一天")


async def test_extension_refused_keeps_the_deadline(world: World) -> None:
    cadre, leader = await world.actor(CADRE_TG), await world.actor(LEADER_TG)
    ticket_id = await world.report(ORDINARY)
    asked = await extensions(world).request(cadre, ticket_id, 2, "理由")
    decided = await extensions(world).decide(leader, ticket_id, asked.request.id, approve=False)
    assert not decided.approved
    assert decided.view.ticket.deadline_at == at(2026, 12, 2, 18)
    assert await events(world, ticket_id, ev.ExtendRefused) == [
        ev.ExtendRefused(days=2, stale=False)
    ]
    # A forged button: the request id of another ticket.
    other = await world.report(ORDINARY, message_id=2)
    with pytest.raises(InvalidInput, match="stale_button"):
        await extensions(world).decide(leader, other, asked.request.id, approve=True)


async def test_extension_rules_assignee_days_and_before_deadline(world: World) -> None:
    cadre = await world.actor(CADRE_TG)
    ticket_id = await world.report(ORDINARY)
    late = await world.report(ORDINARY, message_id=3)
    for actor in (await world.actor(LEADER_TG), await world.actor(OTHER_TG)):
        with pytest.raises(NotAllowed):
            await extensions(world).request(actor, ticket_id, 1, "x")
    for days in (0, 16):
        with pytest.raises(InvalidInput, match="extend_bad_days"):
            await extensions(world).request(cadre, ticket_id, days, "x")
    asked = await extensions(world).request(cadre, ticket_id, 1, "x")
    world.clock.set(at(2026, 12, 2, 18, 0))  # the deadline itself: too late
    with pytest.raises(InvalidInput, match="extend_too_late"):
        await extensions(world).decide(
            await world.actor(LEADER_TG), ticket_id, asked.request.id, approve=True
        )
    with pytest.raises(InvalidInput, match="extend_too_late"):
        await extensions(world).request(cadre, late, 1, "x")


# -- daily brief --------------------------------------------------------------------------------
async def test_daily_brief_once_per_leader_per_working_day(world: World) -> None:
    def briefs() -> BriefService:
        return BriefService(
            Repositories(world.db),
            world.clock,
            WorkCalendar(TZ),
            world.tickets.core,
            recipients=world.tickets.core.recipients,
        )

    first = await world.report(ORDINARY, message_id=1)
    world.clock.set(at(2026, 11, 26, 8, 29))
    assert await briefs().due() == []
    world.clock.set(at(2026, 11, 26, 8, 30))
    sent = await briefs().due()
    assert [(b.leader.telegram_id, [i.view.ticket.id for i in b.new]) for b in sent] == [
        (LEADER_TG, [first])
    ]
    assert await briefs().due() == []
    world.clock.advance(timedelta(hours=3))
    assert await briefs().due() == []
    world.clock.set(at(2026, 11, 28, 9, 0))  # Saturday
    assert await briefs().due() == []
    second = await world.report(ORDINARY, message_id=2)
    world.clock.set(at(2026, 12, 3, 9, 0))  # Thursday; only the first is past its deadline
    await escalation(world).sweep()
    (brief,) = await briefs().due()
    assert [i.view.ticket.id for i in brief.new] == [second]
    # Overdue and supervised: listed once, under the more urgent 督办.
    assert [i.view.ticket.id for i in brief.escalated] == [first]
    assert brief.overdue == [] and brief.reopened == []


async def test_fixed_clock_fixture_is_wednesday_morning(clock: FixedClock) -> None:
    assert clock.now().astimezone(TZ) == at(2026, 11, 25, 10, 0)


async def test_a_long_running_sweeper_still_fires_every_step_on_time(world: World) -> None:
    """One service object across many sweeps: skipping unchanged tickets never skips a step."""
    service = escalation(world)
    ticket_id = await world.report(ORDINARY)
    fired: list[tuple[str, datetime]] = []
    moment = at(2026, 11, 25, 10, 0)
    while moment <= at(2026, 12, 4, 10, 0):
        world.clock.set(moment)
        result = await service.sweep()
        fired += [(f"remind_{r.which}", moment) for r in result.reminders]
        fired += [(f"chase{c.number}", moment) for c in result.chases]
        if moment == at(2026, 11, 25, 12, 0):
            await world.tickets.work.claim(await world.actor(CADRE_TG), ticket_id)
        moment += timedelta(minutes=30)
    assert fired == [
        ("remind_claim", at(2026, 11, 25, 11, 30)),
        ("remind_response", at(2026, 11, 26, 16, 0)),
        ("remind_resolve", at(2026, 12, 2, 16, 0)),
        ("chase1", at(2026, 12, 3, 9, 0)),
        ("chase2", at(2026, 12, 4, 9, 0)),
    ]
