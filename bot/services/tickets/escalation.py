"""督办: reminders before deadlines, chases after them, supervision levels and the lists.

The sweeper (`sweep`) runs every minute. It asks the database for the tickets whose stored
`next_step_at` has come (`bot.services.tickets.next_step` says when, and every change of a ticket's
status, deadlines or level stores it), takes their due steps and stores their next moment. Each
step is recorded in `escalation_steps` under a unique key together with its event, so a step
happens once even if the job runs twice or the bot restarts. Steps:

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
from datetime import datetime

from bot.clock import Clock
from bot.domain import events as ev
from bot.domain.briefs import BriefItem
from bot.domain.deadlines import DeadlineRules
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Actor, Cadre, Ticket, TicketView
from bot.domain.outcomes import Desk, Publish, discard
from bot.domain.outcomes.deadlines import (
    Cards,
    Chase,
    Raised,
    Reminder,
    Supervised,
    SweepResult,
)
from bot.domain.work_calendar import WorkCalendar
from bot.errors import InvalidInput, NotAllowed, TicketNotFound
from bot.services.reachability import ReachabilityService
from bot.services.tickets.access import leads
from bot.services.tickets.core import TicketCore
from bot.services.tickets.next_step import StepSchedule, chase_step
from storage.repos.tickets import DueTicket
from storage.unit import Repositories

log = logging.getLogger(__name__)

SWEEP_BATCH = 200  # due tickets read at a time
RULES_KEY = "deadlines.schedule_rules"


class EscalationService:
    """The sweeper, /supervise, /overdue and /blockers."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        rules: DeadlineRules,
        core: TicketCore,
        *,
        reach: ReachabilityService,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
        self.core = core
        self.publish = publish
        # Who hears of those outcomes, resolved here (the notifiers read nothing).
        self.reach = reach
        self.recipients = reach.recipients
        self.repo = repos.deadlines
        self.ticket_repo = repos.tickets
        self.cadres = repos.cadres
        self.schedule = StepSchedule(calendar, rules)
        self.kv = repos.kv

    async def _leader_of(self, ticket: Ticket) -> Cadre | None:
        assignee = await self.cadres.cadre(ticket.assignee_id) if ticket.assignee_id else None
        if assignee is None or assignee.leader_id is None:
            return None
        return await self.cadres.cadre(assignee.leader_id)

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
        await self.core.change(ticket, supervision_level=level)
        await self.ticket_repo.record(
            ticket.id, ev.Escalate(level=level, reason=reason), actor_id=actor_id, at=now
        )
        return True

    async def sweep(self) -> SweepResult:
        """Take every reminder, chase and escalation step that is due now, once each.

        Reads only the tickets whose `next_step_at` has come (an index range, on a reader),
        with their steps taken and reopen counts. A ticket with a step to take now gets a
        transaction of its own, where its result is published (its messages queued) and its
        next moment is stored, so a step, its messages and the new schedule commit together.
        The others (a reminder whose moment passed untaken, a schedule computed under old
        rules) only get their next moment, all in one short write that skips any ticket
        changed meanwhile.

        Returns:
            What happened; also the years that fell back to Mon-Fri and were not reported before.
        """
        now = self.clock.now()
        started = time.monotonic()
        total = SweepResult()
        seen: set[int] = set()
        while True:
            async with self.db.reading():
                batch = await self.ticket_repo.due_for_steps(now, SWEEP_BATCH)
                ids = [due.ticket.id for due in batch]
                steps = await self.repo.steps_of(ids)
                reworks = await self.repo.event_counts(ids, ev.EventType.REOPEN)
            fresh = [due for due in batch if due.ticket.id not in seen]
            seen.update(due.ticket.id for due in fresh)
            total.examined += [due.ticket.id for due in fresh]
            # The calendar arithmetic is CPU work: off the event loop, so updates go on.
            acting, quiet = await asyncio.to_thread(self._triage, fresh, steps, reworks, now)
            for ticket_id in acting:
                total.merge(await self._sweep_ticket(ticket_id, now))
            if quiet:
                async with self.db.transaction():
                    await self.ticket_repo.reschedule_unchanged(quiet)
            if len(batch) < SWEEP_BATCH or not fresh:
                break
        async with self.db.transaction():
            partial = SweepResult()
            await self._calendar_warnings(now, partial)
            if partial.fallback_years:
                partial.desk = await self.recipients.desk()
                await self.publish(partial)
        total.merge(partial)
        if seen:
            log.info(
                "deadline sweep: %d tickets due, %d reminders, %d chases, %d raised, %.0f ms",
                len(seen),
                len(total.reminders),
                len(total.chases),
                len(total.raised),
                (time.monotonic() - started) * 1000,
            )
        return total

    async def _sweep_ticket(self, ticket_id: int, now: datetime) -> SweepResult:
        """Take one due ticket's steps, queue their messages and store its next moment."""
        partial = SweepResult()
        async with self.db.transaction():
            current = await self.ticket_repo.get(ticket_id)
            if current is None:
                return partial
            if current.status in OPEN_STATUSES:
                done = (await self.repo.steps_of([current.id]))[current.id]
                reworks = await self.ticket_repo.count_events(current.id, ev.EventType.REOPEN)
                await self._sweep_one(current, done, reworks, now, partial)
                await self.publish(partial)
            await self.core.reschedule(current.id)
        return partial

    def _triage(
        self,
        due: list[DueTicket],
        steps: dict[int, set[str]],
        reworks: dict[int, int],
        now: datetime,
    ) -> tuple[list[int], list[tuple[DueTicket, datetime | None]]]:
        """Split due tickets into those with a step to take now, and the others with their
        next moment (pure: no database)."""
        acting: list[int] = []
        quiet: list[tuple[DueTicket, datetime | None]] = []
        for item in due:
            ticket, done = item.ticket, steps[item.ticket.id]
            count = reworks.get(ticket.id, 0)
            if self._acts(ticket, done, count, now):
                acting.append(ticket.id)
            else:
                quiet.append((item, self.core.schedule.next_step_at(ticket, done, count, now)))
        return acting, quiet

    def _acts(self, ticket: Ticket, done: set[str], reworks: int, now: datetime) -> bool:
        """Whether the sweep has a step to take for this ticket now (pure: no database)."""
        schedule = self.schedule
        return ticket.status in OPEN_STATUSES and bool(
            schedule.due_reminders(ticket, done, now)
            or schedule.due_chases(ticket, done, now)
            or schedule.rework_level2_due(ticket, reworks)
        )

    async def reschedule_if_rules_changed(self) -> int:
        """Make every open ticket due once if the rules or calendar changed since last run.

        Stored moments were computed under the rules of their time; after a config change (or
        new holiday data) the next sweep computes each open ticket's moment afresh.

        Returns:
            How many tickets were made due (0 when nothing changed).
        """
        fingerprint = self.core.schedule.fingerprint()
        async with self.db.transaction():
            if await self.kv.get(RULES_KEY) == fingerprint:
                return 0
            count = await self.ticket_repo.reschedule_open(self.clock.now())
            await self.kv.set(RULES_KEY, fingerprint)
        if count:
            log.info("deadline rules changed: %d open tickets rescheduled", count)
        return count

    async def _sweep_one(
        self, ticket: Ticket, done: set[str], reworks: int, now: datetime, result: SweepResult
    ) -> None:
        rules = self.rules
        for due in self.schedule.due_reminders(ticket, done, now):
            if await self._urge(ticket, ev.Urge(step=due.step, due_at=due.due), now):
                view = await self._view(ticket)
                to, desk = await self._reminded(view.assignee)
                result.reminders.append(Reminder(view, due.which, due.due, to, desk))
        level = ticket.supervision_level
        reason = ""
        for number in self.schedule.due_chases(ticket, done, now):
            chase = ev.Urge(step=chase_step(number, ticket), deadline_at=ticket.deadline_at)
            if not await self._urge(ticket, chase, now):
                continue
            leader = await self._leader_of(ticket)
            if number == 1 and await self._raise(ticket, 1, "overdue", now, None):
                level = 1
            view = await self._view(ticket)
            to_leader = await self.recipients.cadre_or_admins(leader) if number == 1 else ()
            to = await self.recipients.cadre_or_admins(view.assignee)
            result.chases.append(Chase(view, number, leader, to, to_leader))
            if number >= rules.level2_chases:
                reason = "chases"
        if not reason and self.schedule.rework_level2_due(ticket, reworks):
            reason = "reworks"
        if reason and level < 2:
            current = await self.ticket_repo.get(ticket.id)
            assert current is not None
            if await self._raise(current, 2, reason, now, None):
                leader = await self._leader_of(ticket)
                to_leader = await self._leader_chat(leader)
                desk = await self.recipients.desk()
                view = await self._view(ticket)
                result.raised.append(Raised(view, 2, reason, leader, to_leader, desk))

    async def _view(self, ticket: Ticket) -> TicketView:
        return await self.core.view_of(ticket.id)

    async def _reminded(self, assignee: Cadre | None) -> tuple[Cards, Desk]:
        """Who gets a reminder: the assignee alone (when they cannot be reached, the desk's
        one notice and its daily reminder cover the ticket, not a card per ticket); each admin
        when nobody is assigned."""
        if assignee is None:
            return await self.recipients.admins(), ()
        chat, desk = await self.reach.notice(assignee, reached=False)
        return ((chat,) if chat is not None else ()), desk

    async def _leader_chat(self, leader: Cadre | None) -> Cards:
        """The leader's open private chat (nobody stands in for a leader on a blocker)."""
        chat = await self.recipients.private(leader.telegram_id if leader is not None else None)
        return (chat,) if chat is not None else ()

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
            await self.core.access.require_lead(
                actor, ticket, role_key="clock.supervise_not_leader"
            )
            if ticket.status not in OPEN_STATUSES:
                raise InvalidInput("error.ticket_not_open", id=ticket_id)
            if not await self._raise(ticket, 1, "manual", now, actor.telegram_id):
                raise InvalidInput(
                    "clock.already_supervised", id=ticket_id, level=ticket.supervision_level
                )
            view = await self._view(ticket)
            leader = await self._leader_of(ticket)
            # The leader hears unless they flagged it themselves.
            flagged = leader is not None and leader.telegram_id == actor.telegram_id
            to_leader = () if flagged else await self._leader_chat(leader)
            raised = Raised(view, 1, "manual", leader, to_leader)
            to = await self.recipients.cadre_or_admins(view.assignee)
            await self.publish(Supervised(raised, by=actor.telegram_id, to=to))
        return raised

    async def scope(self, actor: Actor) -> list[int] | None:
        """Cadre ids whose tickets the actor oversees; None means every ticket (admins)."""
        return (await self.core.access.scope(actor)).ids()

    async def overdue(self, actor: Actor) -> list[BriefItem]:
        """Open tickets past their resolution deadline, within the actor's scope, with their
        working days open and overdue."""
        now = self.clock.now()
        async with self.db.reading():
            ids = await self.scope(actor)
            found = await self.repo.tickets_of_cadres(ids, sorted(OPEN_STATUSES))
            return [await self._item(t, now) for t in found if t.deadline_at < now]

    async def blockers(self, actor: Actor) -> list[BriefItem]:
        """Supervised tickets (堵点清单 first, then level 1), within the actor's scope."""
        statuses = sorted({*OPEN_STATUSES, Status.RESOLVED})
        now = self.clock.now()
        async with self.db.reading():
            ids = await self.scope(actor)
            found = [
                t
                for t in await self.repo.tickets_of_cadres(ids, statuses)
                if t.supervision_level > 0
            ]
            found.sort(key=lambda t: (-t.supervision_level, t.deadline_at, t.id))
            return [await self._item(t, now) for t in found]

    async def _item(self, ticket: Ticket, now: datetime) -> BriefItem:
        """A listed ticket with its working days open, and overdue when it is late."""
        late = ticket.deadline_at < now and ticket.status in OPEN_STATUSES
        return BriefItem(
            view=await self._view(ticket),
            days_open=self.calendar.working_days_between(ticket.created_at, now),
            overdue_days=self.calendar.working_days_between(ticket.deadline_at, now)
            if late
            else None,
        )
