"""督办: reminders before deadlines, chases after them, supervision levels and the lists.

The sweeper (`sweep`) runs every minute inside the job's transaction. Each step it takes is
recorded in `escalation_steps` under a unique key together with its event, so a step happens once
even if the job runs twice or the bot restarts. Steps:

- `remind_claim@<due>`, `remind_response@<due>`, `remind_resolve@<due>`: an `urge` event and a
  reminder to the assignee, the configured lead (in working time) before each deadline; keyed by
  the deadline, so a transfer or an extension earns a fresh reminder.
- `chase1@<deadline>`, `chase2@<deadline>`: on the 1st and 2nd working day after the
  resolution deadline passed, an `urge` event; the first tells the leader and raises 督办 level
  1. Keyed by the deadline, so a reopened ticket's fresh deadline is chased again when it passes.
- `level1`, `level2`: an `escalate` event {"level", "reason"}; level 2 (堵点清单, the admins)
  after `level2_chases` chases or `level2_reworks` reopen events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, to_iso
from bot.domain import events as ev
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Actor, Cadre, Ticket, TicketView
from bot.errors import InvalidInput, NotAllowed, TicketNotFound
from bot.services.access import leads
from bot.services.calendar import WorkCalendar
from bot.services.deadlines import DeadlineRules
from bot.services.tickets import TicketService
from storage.db import Database
from storage.repos.deadlines import DeadlineRepo
from storage.repos.people import PeopleRepo
from storage.repos.tickets import TicketRepo

log = logging.getLogger(__name__)

SWEEP_PAUSE = 0.002  # seconds between chunks of ten tickets


@dataclass(frozen=True)
class Reminder:
    view: TicketView
    which: str  # claim | response | resolve
    due: datetime


@dataclass(frozen=True)
class Chase:
    view: TicketView
    number: int
    leader: Cadre | None


@dataclass(frozen=True)
class Raised:
    view: TicketView
    level: int
    reason: str  # overdue | chases | reworks | manual
    leader: Cadre | None


@dataclass
class SweepResult:
    reminders: list[Reminder] = field(default_factory=list)
    chases: list[Chase] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    fallback_years: list[int] = field(default_factory=list)

    def merge(self, other: SweepResult) -> None:
        self.reminders += other.reminders
        self.chases += other.chases
        self.raised += other.raised
        self.fallback_years += other.fallback_years


class EscalationService:
    """The sweeper, /supervise, /overdue and /blockers."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        calendar: WorkCalendar,
        rules: DeadlineRules,
        tickets: TicketService,
    ) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
        self.tickets = tickets
        self.repo = DeadlineRepo(db)
        self.ticket_repo = TicketRepo(db)
        self.people = PeopleRepo(db)
        # ticket id -> (what the check depended on, earliest moment a step can fall due)
        self._next_check: dict[int, tuple[tuple[object, ...], datetime | None]] = {}

    async def _leader_of(self, ticket: Ticket) -> Cadre | None:
        assignee = await self.people.cadre(ticket.assignee_id) if ticket.assignee_id else None
        if assignee is None or assignee.leader_id is None:
            return None
        return await self.people.cadre(assignee.leader_id)

    async def _urge(self, ticket: Ticket, urge: ev.Urge, now: datetime) -> bool:
        if not await self.repo.claim_step(ticket.id, urge.step, now):
            return False
        await self.ticket_repo.record(ticket.id, urge, actor_id=None, at=now)
        return True

    async def _raise(
        self, ticket: Ticket, level: int, reason: str, now: datetime, actor_id: int | None
    ) -> bool:
        """Raise the supervision level once; False if the ticket is already at `level`."""
        if ticket.supervision_level >= level:
            return False
        if not await self.repo.claim_step(ticket.id, f"level{level}", now):
            return False
        await self.ticket_repo.update(ticket.id, now, supervision_level=level)
        await self.ticket_repo.record(
            ticket.id, ev.Escalate(level=level, reason=reason), actor_id=actor_id, at=now
        )
        return True

    async def sweep(
        self, on_result: Callable[[SweepResult], Awaitable[None]] | None = None
    ) -> SweepResult:
        """Take every reminder, chase and escalation step that is due now, once each.

        The scan reads all open tickets in one short transaction, decides what is due without
        holding the database (yielding to the event loop as it goes), then takes each ticket's
        steps in a transaction of its own, where `on_result` queues that ticket's messages, so a
        step and its messages commit together. A long scan never stalls update handling.

        Returns:
            What happened; also the years that fell back to Mon-Fri and were not reported before.
        """
        now = self.clock.now()
        started = time.monotonic()
        async with self.db.transaction():
            found = await self.repo.open_tickets(sorted(OPEN_STATUSES))
            ids = [t.id for t in found]
            steps = await self.repo.steps_of(ids)
            reworks = await self.repo.event_counts(ids, ev.EventType.REOPEN)
        read_ms = (time.monotonic() - started) * 1000
        total = SweepResult()
        open_ids = set(ids)
        self._next_check = {k: v for k, v in self._next_check.items() if k in open_ids}
        for index, ticket in enumerate(found):
            if index % 10 == 9:
                # The calendar arithmetic is CPU work on the event loop. A bare yield lets an
                # update take one database step per chunk; a short pause lets it finish, so a
                # sweep over thousands of new tickets never holds up update handling.
                await asyncio.sleep(SWEEP_PAUSE)
            count = reworks.get(ticket.id, 0)
            if not self._maybe_due(ticket, steps[ticket.id], count, now):
                continue
            async with self.db.transaction():
                current = await self.ticket_repo.get(ticket.id)
                if current is None or current.status not in OPEN_STATUSES:
                    continue
                done = (await self.repo.steps_of([current.id]))[current.id]
                partial = SweepResult()
                await self._sweep_one(current, done, count, now, partial)
                if on_result is not None:
                    await on_result(partial)
            total.merge(partial)
        async with self.db.transaction():
            partial = SweepResult()
            await self._calendar_warnings(now, partial)
            if on_result is not None and partial.fallback_years:
                await on_result(partial)
        total.merge(partial)
        log.info(
            "deadline sweep: %d open tickets (read %.0f ms), %d reminders, %d chases, %d raised,"
            " %.0f ms in all",
            len(found),
            read_ms,
            len(total.reminders),
            len(total.chases),
            len(total.raised),
            (time.monotonic() - started) * 1000,
        )
        return total

    def _reminders(self, ticket: Ticket) -> list[tuple[str, datetime | None, timedelta, bool]]:
        rules = self.rules
        return [
            (
                "claim",
                ticket.claim_due_at,
                timedelta(minutes=rules.remind_claim_minutes),
                ticket.status is Status.NEW,
            ),
            (
                "response",
                ticket.response_due_at,
                timedelta(hours=rules.remind_response_hours),
                ticket.status in (Status.NEW, Status.CLAIMED),
            ),
            ("resolve", ticket.deadline_at, timedelta(hours=rules.remind_resolve_hours), True),
        ]

    def _due_reminders(
        self, ticket: Ticket, done: set[str], now: datetime
    ) -> list[tuple[str, datetime, str]]:
        due_now: list[tuple[str, datetime, str]] = []
        for which, due, lead, applies in self._reminders(ticket):
            if due is None or not applies or lead <= timedelta(0):
                continue
            step = f"remind_{which}@{to_iso(due)}"
            if step in done or not self.calendar.shift_working(due, -lead) <= now < due:
                continue
            due_now.append((which, due, step))
        return due_now

    def _due_chases(self, ticket: Ticket, done: set[str], now: datetime) -> list[int]:
        return [
            number
            for number in range(1, self.rules.level2_chases + 1)
            if _chase_step(number, ticket) not in done
            and now >= self.calendar.working_day_start_after(ticket.deadline_at, number)
        ]

    def _maybe_due(self, ticket: Ticket, done: set[str], reworks: int, now: datetime) -> bool:
        """Whether a step may be due, remembering per ticket when the next one can be.

        The calendar arithmetic behind `_plan` is the costly part of a sweep; for an unchanged
        ticket the earliest moment any of its steps can fall due is fixed, so later sweeps skip
        it until then.
        """
        signature = (
            ticket.status,
            ticket.claim_due_at,
            ticket.response_due_at,
            ticket.deadline_at,
            ticket.supervision_level,
            reworks,
            frozenset(done),
        )
        known = self._next_check.get(ticket.id)
        if known is not None and known[0] == signature and (known[1] is None or now < known[1]):
            return False
        due = self._plan(ticket, done, reworks, now)
        if not due:
            self._next_check[ticket.id] = (signature, self._next_step_at(ticket, done, now))
        return due

    def _next_step_at(self, ticket: Ticket, done: set[str], now: datetime) -> datetime | None:
        """The earliest moment after `now` at which a step of this ticket can fall due."""
        moments: list[datetime] = []
        for which, due, lead, applies in self._reminders(ticket):
            if due is None or not applies or lead <= timedelta(0) or now >= due:
                continue
            if f"remind_{which}@{to_iso(due)}" not in done:
                moments.append(self.calendar.shift_working(due, -lead))
        for number in range(1, self.rules.level2_chases + 1):
            if _chase_step(number, ticket) not in done:
                moments.append(self.calendar.working_day_start_after(ticket.deadline_at, number))
        later = [moment for moment in moments if moment > now]
        return min(later) if later else None

    def _plan(self, ticket: Ticket, done: set[str], reworks: int, now: datetime) -> bool:
        """Whether any step may be due for this ticket (pure: no database)."""
        return bool(
            self._due_reminders(ticket, done, now)
            or self._due_chases(ticket, done, now)
            or (reworks >= self.rules.level2_reworks and ticket.supervision_level < 2)
        )

    async def _sweep_one(
        self, ticket: Ticket, done: set[str], reworks: int, now: datetime, result: SweepResult
    ) -> None:
        rules = self.rules
        for which, due, step in self._due_reminders(ticket, done, now):
            if await self._urge(ticket, ev.Urge(step=step, due_at=due), now):
                result.reminders.append(Reminder(await self._view(ticket), which, due))
        level = ticket.supervision_level
        reason = ""
        for number in self._due_chases(ticket, done, now):
            chase = ev.Urge(step=_chase_step(number, ticket), deadline_at=ticket.deadline_at)
            if not await self._urge(ticket, chase, now):
                continue
            leader = await self._leader_of(ticket)
            if number == 1 and await self._raise(ticket, 1, "overdue", now, None):
                level = 1
            result.chases.append(Chase(await self._view(ticket), number, leader))
            if number >= rules.level2_chases:
                reason = "chases"
        if not reason and reworks >= rules.level2_reworks:
            reason = "reworks"
        if reason and level < 2:
            current = await self.ticket_repo.get(ticket.id)
            assert current is not None
            if await self._raise(current, 2, reason, now, None):
                leader = await self._leader_of(ticket)
                result.raised.append(Raised(await self._view(ticket), 2, reason, leader))

    async def _view(self, ticket: Ticket) -> TicketView:
        return await self.tickets.view_of(ticket.id)

    async def _calendar_warnings(self, now: datetime, result: SweepResult) -> None:
        years = set(self.calendar.fallback_years)
        this_year = self.calendar.local_date(now).year
        if not self.calendar.covers(this_year):
            years.add(this_year)
        for year in sorted(years):
            if await self.repo.claim_calendar_warning(year, now):
                result.fallback_years.append(year)

    # -- people -------------------------------------------------------------------------------
    async def supervise(self, actor: Actor, ticket_id: int) -> Raised:
        """督办: a leader (for the cadres they lead) or an admin flags a ticket (level 1).

        Raises:
            NotAllowed: the actor is neither a leader nor an admin, or does not lead the
                ticket's assignee.
            TicketNotFound: no such ticket.
            InvalidInput: the ticket is not open, or already supervised.
        """
        if not leads(actor):
            raise NotAllowed("clock.supervise_not_leader")
        now = self.clock.now()
        async with self.db.transaction():
            ticket = await self.ticket_repo.get(ticket_id)
            if ticket is None:
                raise TicketNotFound(id=ticket_id)
            await self.tickets.access.require_lead(
                actor, ticket, role_key="clock.supervise_not_leader"
            )
            if ticket.status not in OPEN_STATUSES:
                raise InvalidInput("error.ticket_not_open", id=ticket_id)
            if not await self._raise(ticket, 1, "manual", now, actor.telegram_id):
                raise InvalidInput(
                    "clock.already_supervised", id=ticket_id, level=ticket.supervision_level
                )
            return Raised(await self._view(ticket), 1, "manual", await self._leader_of(ticket))

    async def scope(self, actor: Actor) -> list[int] | None:
        """Cadre ids whose tickets the actor oversees; None means every ticket (admins)."""
        return (await self.tickets.access.scope(actor)).ids()

    async def overdue(self, actor: Actor) -> list[TicketView]:
        """Open tickets past their resolution deadline, within the actor's scope."""
        now = self.clock.now()
        async with self.db.transaction():
            ids = await self.scope(actor)
            found = await self.repo.tickets_of_cadres(ids, sorted(OPEN_STATUSES))
            return [await self._view(t) for t in found if t.deadline_at < now]

    async def blockers(self, actor: Actor) -> list[TicketView]:
        """Supervised tickets (堵点清单 first, then level 1), within the actor's scope."""
        statuses = sorted({*OPEN_STATUSES, Status.RESOLVED})
        async with self.db.transaction():
            ids = await self.scope(actor)
            found = [
                t
                for t in await self.repo.tickets_of_cadres(ids, statuses)
                if t.supervision_level > 0
            ]
            found.sort(key=lambda t: (-t.supervision_level, t.deadline_at, t.id))
            return [await self._view(t) for t in found]


def _chase_step(number: int, ticket: Ticket) -> str:
    """The step key of an overdue chase: per deadline, since a reopen sets a fresh one."""
    return f"chase{number}@{to_iso(ticket.deadline_at)}"
