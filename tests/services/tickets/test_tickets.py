"""The ticket loop on a real in-memory database: routing, lifecycle, events, permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock, to_iso
from bot.domain import events as ev
from bot.domain.deadlines import DeadlineRules, due_dates
from bot.domain.lifecycle import Status
from bot.domain.models import Actor, ChatBinding
from bot.domain.taxonomy import (
    DEFAULT_CATEGORY_KEYWORDS,
    DEFAULT_KIND_KEYWORDS,
    DEFAULT_URGENT_KEYWORDS,
)
from bot.domain.work_calendar import WorkCalendar
from bot.errors import (
    DuplicateTicket,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotBound,
    TicketNotFound,
    UnknownCadre,
)
from bot.services.people import PeopleService
from bot.services.reachability import ReachabilityService
from bot.services.recipients import Recipients
from bot.services.tickets.core import TicketCore, TicketRules
from bot.services.tickets.intake import IncomingFile, Report
from bot.services.tickets.service import TicketService
from storage.db import Database
from storage.repos.cadres import CadreRepo
from storage.repos.chats import ChatRepo
from storage.repos.enterprises import EnterpriseRepo
from storage.unit import Repositories

TZ = ZoneInfo("Asia/Shanghai")
GROUP, PARK = -1001, -1002
ADMIN_TG, LEADER_TG, CADRE_TG, OTHER_TG, BACKUP_TG = 1, 2, 3, 4, 5
CONTACT_TG, STRANGER_TG, OTHER_CONTACT_TG = 10, 11, 12


@dataclass
class World:
    tickets: TicketService
    people: PeopleService
    db: Database
    clock: FixedClock
    enterprise: int
    orphan: int
    cadre: int
    backup: int
    other: int

    async def actor(self, telegram_id: int) -> Actor:
        return await self.people.actor(telegram_id)

    async def report(self, text: str = "厂区停电了", message_id: int = 100, **kw: object) -> int:
        created = await self.tickets.intake.report(
            Report(
                chat_id=kw.get("chat_id", GROUP),
                message_id=message_id,  # type: ignore[arg-type]
                reporter_id=kw.get("reporter", CONTACT_TG),
                text=text,  # type: ignore[arg-type]
                files=kw.get("files", []),
            )  # type: ignore[arg-type]
        )
        return created.view.ticket.id


@pytest.fixture
async def world(db: Database, clock: FixedClock) -> World:
    cadres, enterprises = CadreRepo(db), EnterpriseRepo(db)
    chats = ChatRepo(db)
    now = to_iso(clock.now())
    async with db.transaction():
        leader = await cadres.upsert_cadre(
            name="黄振华", phone=None, role="leader", telegram_id=LEADER_TG, now=now
        )
        cadre = await cadres.upsert_cadre(
            name="陈志远", phone=None, role="cadre", telegram_id=CADRE_TG, now=now
        )
        other = await cadres.upsert_cadre(
            name="王晓峰", phone=None, role="cadre", telegram_id=OTHER_TG, now=now
        )
        backup = await cadres.upsert_cadre(
            name="张海涛", phone=None, role="cadre", telegram_id=BACKUP_TG, now=now
        )
        for member in (cadre, backup):
            await cadres.set_cadre_leader(member, leader)
        enterprise = await enterprises.upsert_enterprise(
            name="海澄精工", credit_code=None, industry=None, grid=None, now=now
        )
        second = await enterprises.upsert_enterprise(
            name="澄江新材", credit_code=None, industry=None, grid=None, now=now
        )
        orphan = await enterprises.upsert_enterprise(
            name="无人包联公司", credit_code=None, industry=None, grid=None, now=now
        )
        await enterprises.set_assignment(enterprise, cadre, backup, now)
        await enterprises.set_assignment(second, other, None, now)
        await enterprises.bind_contact(CONTACT_TG, enterprise, "roster", now)
        await enterprises.bind_contact(OTHER_CONTACT_TG, second, "roster", now)
        await chats.bind(
            GROUP,
            kind="enterprise",
            enterprise_id=enterprise,
            title="g",
            bound_by=ADMIN_TG,
            now=clock.now(),
        )
        await chats.bind(
            PARK, kind="park", enterprise_id=None, title="p", bound_by=ADMIN_TG, now=clock.now()
        )
    repos = Repositories(db)
    rules = TicketRules(
        5, 7, DEFAULT_CATEGORY_KEYWORDS, DEFAULT_KIND_KEYWORDS, DEFAULT_URGENT_KEYWORDS
    )
    return World(
        tickets=TicketService(
            TicketCore(
                repos,
                clock,
                WorkCalendar(TZ),
                rules,
                reach=ReachabilityService(
                    repos, clock, WorkCalendar(TZ), recipients=Recipients(repos)
                ),
            )
        ),
        people=PeopleService(repos, clock, config_admins=[ADMIN_TG]),
        db=db,
        clock=clock,
        enterprise=enterprise,
        orphan=orphan,
        cadre=cadre,
        backup=backup,
        other=other,
    )


async def test_report_routes_to_primary_with_working_day_deadline(world: World) -> None:
    ticket_id = await world.report(files=[IncomingFile("photo", "f1", "u1")])
    view = await world.tickets.lookup.view(await world.actor(CADRE_TG), ticket_id)
    t = view.ticket
    assert (t.status, t.assignee_id, t.category, t.urgency) == (
        Status.NEW,
        world.cadre,
        "utilities",
        "urgent",
    )
    # A power cut is urgent (紧急): resolved within 24 clock hours; signed within 2 working hours.
    assert t.deadline_at.astimezone(TZ) == datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
    assert t.claim_due_at is not None
    assert t.claim_due_at.astimezone(TZ) == datetime(2026, 11, 25, 12, 0, tzinfo=TZ)
    assert [e.type for e in view.events] == ["create", "assign"]
    assert len(view.attachments) == 1


async def test_deadline_skips_national_day_holiday() -> None:
    calendar = WorkCalendar(TZ)
    start = datetime(2026, 9, 30, 3, 0, tzinfo=UTC)  # Wed 30 Sep; 1–7 Oct are holidays
    due = calendar.add_working_days(start, 1)
    assert due.astimezone(TZ).date() > datetime(2026, 10, 7).date()
    assert calendar.is_workday(datetime(2026, 10, 10).date())  # a swapped working Saturday


async def test_backup_when_primary_on_leave_and_duty_desk_when_nobody(world: World) -> None:
    async with world.db.transaction():
        await CadreRepo(world.db).set_on_leave(world.cadre, True, to_iso(world.clock.now()))
    ticket_id = await world.report()
    view = await world.tickets.lookup.view(await world.actor(ADMIN_TG), ticket_id)
    assert view.ticket.assignee_id == world.backup
    async with world.db.transaction():
        await ChatRepo(world.db).bind(
            -5,
            kind="enterprise",
            enterprise_id=world.orphan,
            title="o",
            bound_by=1,
            now=world.clock.now(),
        )
    orphan_ticket = await world.report(chat_id=-5, message_id=7)
    view = await world.tickets.lookup.view(await world.actor(ADMIN_TG), orphan_ticket)
    assert view.ticket.assignee_id is None


async def test_same_message_never_makes_two_tickets(world: World) -> None:
    first = await world.report(message_id=55)
    with pytest.raises(DuplicateTicket) as caught:
        await world.report(message_id=55)
    assert caught.value.params["id"] == first


async def test_park_group_uses_reporters_enterprise_and_refuses_unbound(world: World) -> None:
    ticket_id = await world.report(chat_id=PARK, reporter=OTHER_CONTACT_TG)
    view = await world.tickets.lookup.view(await world.actor(OTHER_TG), ticket_id)
    assert view.enterprise.name == "澄江新材"
    with pytest.raises(NotBound):
        await world.report(chat_id=PARK, reporter=STRANGER_TG, message_id=9)
    with pytest.raises(NotBound):
        await world.report(chat_id=-999, message_id=9)


async def test_empty_and_overlong_reports_are_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        await world.report(text="   ")
    with pytest.raises(InvalidInput):
        await world.report(text="长" * 3000)


async def test_full_loop_with_reopen_second_rating_counts(world: World) -> None:
    cadre, contact = await world.actor(CADRE_TG), await world.actor(CONTACT_TG)
    ticket_id = await world.report()
    await world.tickets.work.claim(cadre, ticket_id)
    await world.tickets.work.progress(cadre, ticket_id, "已联系供电所")
    await world.tickets.work.resolve(cadre, ticket_id, "已恢复")
    rated = await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "dissatisfied")
    assert rated.reopened and rated.view.ticket.status is Status.IN_PROGRESS
    assert rated.view.reopen_count == 1
    await world.tickets.work.resolve(cadre, ticket_id, "彻底修好")
    rated = await world.tickets.ratings.rate(contact, ticket_id, "solved", "satisfied")
    assert not rated.reopened
    t = rated.view.ticket
    assert (t.status, t.solved_rating, t.satisfaction) == (Status.CLOSED, "solved", "satisfied")
    view = await world.tickets.lookup.view(cadre, ticket_id)
    assert [e.type for e in view.events] == [
        "create",
        "assign",
        "claim",
        "progress",
        "resolve",
        "reopen",
        "resolve",
        "rate",
    ]
    # Each rating is one event: the verdict and the status change it caused.
    reopen, last = view.events[5], view.events[7]
    deadline = view.ticket.deadline_at
    assert reopen.event == ev.Reopen(
        solved="unsolved", satisfaction="dissatisfied", deadline_at=deadline
    )
    assert (reopen.from_status, reopen.to_status) == (Status.RESOLVED, Status.IN_PROGRESS)
    assert last.event == ev.Rate(solved="solved", satisfaction="satisfied")
    assert (last.from_status, last.to_status) == (Status.RESOLVED, Status.CLOSED)
    assert all(e.at is not None for e in view.events)


async def test_a_reopen_sets_a_fresh_deadline_and_each_resolve_keeps_its_own(
    world: World,
) -> None:
    cadre, contact = await world.actor(CADRE_TG), await world.actor(CONTACT_TG)
    ticket_id = await world.report("食堂网络不通")  # ordinary: 5 working days
    first = (await world.tickets.work.claim(cadre, ticket_id)).ticket.deadline_at
    world.clock.set(first + timedelta(days=3))  # resolved late
    await world.tickets.work.resolve(cadre, ticket_id, "已修复")
    world.clock.advance(timedelta(hours=2))
    reopened_at = world.clock.now()
    rated = await world.tickets.ratings.rate(contact, ticket_id, "unsolved", "basic")
    fresh = due_dates(
        DeadlineRules(resolve_working_days=5),
        WorkCalendar(TZ),
        reopened_at,
        kind=rated.view.ticket.kind,
        category=rated.view.ticket.category,
        urgency=rated.view.ticket.urgency,
    ).deadline_at
    # Not overdue at once: the rules of a new ticket, from the reopen.
    assert rated.view.ticket.deadline_at == fresh > reopened_at
    await world.tickets.work.resolve(cadre, ticket_id, "彻底修好")
    view = await world.tickets.lookup.view(cadre, ticket_id)
    resolves = [e.event for e in view.events if isinstance(e.event, ev.Resolve)]
    assert [r.deadline_at for r in resolves] == [first, fresh]
    [reopen] = [e.event for e in view.events if isinstance(e.event, ev.Reopen)]
    assert reopen.deadline_at == fresh


async def test_only_assignee_leader_or_admin_work_a_ticket(world: World) -> None:
    ticket_id = await world.report()
    for outsider in (OTHER_TG, CONTACT_TG, STRANGER_TG):
        with pytest.raises(NotAllowed):
            await world.tickets.work.claim(await world.actor(outsider), ticket_id)
    await world.tickets.work.claim(await world.actor(LEADER_TG), ticket_id)  # the cadre's leader
    await world.tickets.work.progress(await world.actor(ADMIN_TG), ticket_id, "督办中")
    with pytest.raises(InvalidTransition):
        await world.tickets.work.claim(await world.actor(CADRE_TG), ticket_id)


async def test_enterprise_sees_and_rates_only_its_own(world: World) -> None:
    cadre = await world.actor(CADRE_TG)
    ticket_id = await world.report()
    await world.tickets.work.claim(cadre, ticket_id)
    await world.tickets.work.resolve(cadre, ticket_id, "好了")
    outsider = await world.actor(OTHER_CONTACT_TG)
    with pytest.raises(TicketNotFound):
        await world.tickets.lookup.view(outsider, ticket_id)
    with pytest.raises(NotAllowed):
        await world.tickets.ratings.rate(outsider, ticket_id, "solved", "satisfied")
    with pytest.raises(InvalidInput):  # forged button data
        await world.tickets.ratings.rate(
            await world.actor(CONTACT_TG), ticket_id, "great", "satisfied"
        )
    assert [v.ticket.id for v in await world.tickets.lookup.of_enterprise(outsider)] == []
    assert [
        v.ticket.id for v in await world.tickets.lookup.of_enterprise(await world.actor(CONTACT_TG))
    ] == [ticket_id]


async def test_rating_before_resolution_is_refused(world: World) -> None:
    ticket_id = await world.report()
    with pytest.raises(InvalidInput):
        await world.tickets.ratings.rate(
            await world.actor(CONTACT_TG), ticket_id, "solved", "satisfied"
        )


async def test_transfer_by_name_and_unknown_ticket(world: World) -> None:
    cadre = await world.actor(CADRE_TG)
    ticket_id = await world.report()
    await world.tickets.work.claim(cadre, ticket_id)
    moved = await world.tickets.work.transfer(cadre, ticket_id, "王晓峰")
    assert moved.view.ticket.assignee_id == world.other
    assert moved.view.ticket.status is Status.NEW
    assert moved.previous is not None and moved.previous.id == world.cadre
    with pytest.raises(NotAllowed):  # no longer the assignee
        await world.tickets.work.progress(cadre, ticket_id, "x")
    with pytest.raises(UnknownCadre):
        await world.tickets.work.transfer(await world.actor(ADMIN_TG), ticket_id, "查无此人")
    with pytest.raises(TicketNotFound):
        await world.tickets.work.claim(cadre, 999)


async def test_unrated_tickets_close_after_seven_days(world: World) -> None:
    cadre = await world.actor(CADRE_TG)
    ticket_id = await world.report()
    await world.tickets.work.claim(cadre, ticket_id)
    await world.tickets.work.resolve(cadre, ticket_id, "好了")
    world.clock.advance(timedelta(days=6, hours=23))
    assert await world.tickets.ratings.close_unrated() == []
    world.clock.advance(timedelta(hours=2))
    closed = await world.tickets.ratings.close_unrated()
    assert [v.ticket.id for v in closed] == [ticket_id]
    t = closed[0].ticket
    assert (t.status, t.satisfaction) == (Status.CLOSED, "unrated")
    assert await world.tickets.ratings.close_unrated() == []


async def test_failed_service_call_changes_nothing(world: World) -> None:
    ticket_id = await world.report()
    before = await world.tickets.lookup.view(await world.actor(CADRE_TG), ticket_id)
    with pytest.raises(InvalidInput):
        await world.tickets.work.progress(await world.actor(CADRE_TG), ticket_id, "  ")
    after = await world.tickets.lookup.view(await world.actor(CADRE_TG), ticket_id)
    assert before.ticket == after.ticket and len(before.events) == len(after.events)


async def test_the_view_a_report_publishes_is_the_one_read_back(world: World) -> None:
    """`Created` carries a view built from what the intake wrote, not read back: it must be
    exactly what a read gives, for every route, files, a park-wide group and a private report."""
    routes: list[tuple[str, int]] = []

    async def report_and_compare(report: Report) -> None:
        made = await world.tickets.intake.report(report)
        assert made.view == await world.tickets.core.view_of(made.view.ticket.id)
        routes.append((made.route, len(made.view.attachments)))

    photo = IncomingFile("photo", "f1", "u1")
    document = IncomingFile("document", "f2", "u2", "合同.pdf", "application/pdf")
    await report_and_compare(Report(GROUP, 1, CONTACT_TG, "厂区停电了", [photo]))
    await report_and_compare(Report(GROUP, 2, CONTACT_TG, " ", [document, document]))
    await report_and_compare(Report(PARK, 3, OTHER_CONTACT_TG, "道路积水"))
    await report_and_compare(
        Report(CONTACT_TG, 4, CONTACT_TG, "私信反映", private=True, enterprise_id=world.enterprise)
    )
    async with world.db.transaction():
        await CadreRepo(world.db).set_on_leave(world.cadre, True, to_iso(world.clock.now()))
        await ChatRepo(world.db).bind(
            -5,
            kind="enterprise",
            enterprise_id=world.orphan,
            title="o",
            bound_by=1,
            now=world.clock.now(),
        )
    await report_and_compare(Report(GROUP, 5, CONTACT_TG, "请假期间的诉求"))
    await report_and_compare(Report(-5, 6, CONTACT_TG, "无人包联"))

    assert routes == [
        ("primary", 1),
        ("primary", 1),  # the same file twice is kept once
        ("primary", 0),
        ("primary", 0),
        ("backup", 0),
        ("duty", 0),
    ]


async def test_a_binding_passed_in_is_used_only_for_its_own_chat(world: World) -> None:
    """The handler passes the binding the gate read; one of another chat is never used."""
    bound = ChatBinding(GROUP, "enterprise", world.enterprise, "g")
    made = await world.tickets.intake.report(
        Report(GROUP, 1, CONTACT_TG, "厂区停电了", binding=bound)
    )
    assert made.view.enterprise.id == world.enterprise and made.chat_kind == "enterprise"
    with pytest.raises(NotBound):
        await world.tickets.intake.report(Report(-999, 2, CONTACT_TG, "未绑定的群", binding=bound))
