"""What every part of the ticket loop shares: loading, viewing, permissions, the one writer.

`TicketCore` is one small object the parts (`intake`, `lookup`, `work`, `ratings`, and
`escalation`, `extensions`, `briefs`) are each given, never a base class they extend: the
repositories, the clock, the calendar, the rules, the step schedule, where outcomes are published,
and `move`, the one place a status changes (through `bot.domain.lifecycle.next_status`, with its
event). `TicketService` holds the parts that handlers call, all on one core.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain import events as ev
from bot.domain.deadlines import DeadlineRules
from bot.domain.lifecycle import next_status
from bot.domain.models import Actor, Ticket, TicketView
from bot.domain.outcomes import Publish, discard
from bot.domain.work_calendar import WorkCalendar
from bot.errors import TicketNotFound
from bot.services.reachability import ReachabilityService
from bot.services.tickets.access import Access, owner_side, refusal
from bot.services.tickets.next_step import StepSchedule
from storage.unit import Repositories


@dataclass(frozen=True)
class TicketRules:
    resolve_working_days: int
    rating_window_days: int
    category_keywords: dict[str, list[str]]
    kind_keywords: dict[str, list[str]]
    urgent_keywords: list[str]
    # The full deadline rules; None means the defaults with `resolve_working_days` for ordinary.
    deadlines: DeadlineRules | None = None
    # Reports one person may make in any hour ([tickets] reports_per_person_per_hour); 0: any.
    reports_per_hour: int = 0

    @property
    def deadline_rules(self) -> DeadlineRules:
        if self.deadlines is not None:
            return self.deadlines
        return DeadlineRules(resolve_working_days=self.resolve_working_days)


class TicketCore:
    """Repositories, rules and the shared steps of the ticket use cases."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        rules: TicketRules,
        *,
        reach: ReachabilityService,
        publish: Publish = discard,
    ) -> None:
        self.repos = repos
        self.db = repos.db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
        # Outcomes go here inside the transaction of the change (the dispatcher, when running).
        self.publish = publish
        # Who hears of those outcomes, resolved here (the notifiers read nothing).
        self.reach = reach
        self.recipients = reach.recipients
        self.tickets = repos.tickets
        self.cadres = repos.cadres
        self.enterprises = repos.enterprises
        self.chats = repos.chats
        self.access = Access(self.cadres)
        self.schedule = StepSchedule(calendar, rules.deadline_rules)
        self.steps = repos.deadlines

    # -- reading ----------------------------------------------------------------------------
    async def view(self, ticket: Ticket, *, history: bool = False) -> TicketView:
        """The ticket with its enterprise, assignee and attachments (and history if asked)."""
        enterprise = await self.enterprises.enterprise(ticket.enterprise_id)
        assert enterprise is not None  # foreign key
        assignee = await self.cadres.cadre(ticket.assignee_id) if ticket.assignee_id else None
        return TicketView(
            ticket=ticket,
            enterprise=enterprise,
            assignee=assignee,
            reopen_count=await self.tickets.count_events(ticket.id, ev.EventType.REOPEN),
            attachments=await self.tickets.attachments(ticket.id),
            events=await self.tickets.events(ticket.id) if history else [],
        )

    async def load(self, ticket_id: int) -> Ticket:
        """The ticket, or `TicketNotFound`."""
        ticket = await self.tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(id=ticket_id)
        return ticket

    async def may_work(self, actor: Actor, ticket: Ticket) -> bool:
        """Whether the actor works this ticket (its cadre, their leader, an admin)."""
        return await self.access.may_work(actor, ticket)

    async def require_work(self, actor: Actor, ticket: Ticket) -> None:
        """Refuse an actor who does not work this ticket (as "not found" where they may not
        know it exists)."""
        if not await self.may_work(actor, ticket):
            raise refusal(actor, ticket, "error.not_your_ticket")

    def is_owner_side(self, actor: Actor, ticket: Ticket) -> bool:
        """Whether the actor speaks for the ticket's enterprise."""
        return owner_side(actor, ticket)

    async def may_see(self, actor: Actor, ticket: Ticket) -> bool:
        """Whether the actor may see the ticket: its enterprise's side, or who works it."""
        return self.is_owner_side(actor, ticket) or await self.may_work(actor, ticket)

    async def view_of(self, ticket_id: int) -> TicketView:
        """Return a ticket for a job or a notification, without a permission check.

        Raises:
            TicketNotFound: no such ticket.
        """
        async with self.db.transaction():
            return await self.view(await self.load(ticket_id))

    # -- the one writer of ticket columns -----------------------------------------------------
    async def _next_step(self, ticket: Ticket, now: datetime) -> datetime | None:
        """When the (changed) ticket's next step falls due, given the steps already taken."""
        done = (await self.steps.steps_of([ticket.id]))[ticket.id]
        reworks = await self.tickets.count_events(ticket.id, ev.EventType.REOPEN)
        return self.schedule.next_step_at(ticket, done, reworks, now)

    async def change(self, ticket: Ticket, **changes: Any) -> None:
        """Write column changes of a ticket with its next step time, in one statement.

        Must run inside the caller's transaction, after any event the change records (a reopen
        counts towards level 2).

        Args:
            ticket: the ticket as it was read in this transaction.
            changes: the columns to set (see `TicketRepo.update`).
        """
        now = self.clock.now()
        after = replace(ticket, **changes)
        await self.tickets.update(
            ticket.id, now, next_step_at=await self._next_step(after, now), **changes
        )

    async def reschedule(self, ticket_id: int) -> None:
        """Store the next step time again after steps were taken (inside a transaction)."""
        ticket = await self.load(ticket_id)
        await self.tickets.set_next_step(ticket.id, await self._next_step(ticket, self.clock.now()))

    async def move(
        self,
        actor: Actor | None,
        ticket: Ticket,
        event: ev.Event,
        **changes: Any,
    ) -> Ticket:
        """Apply the status change `event` records and write it, as one event."""
        assert event.ACTION is not None, f"{event.TYPE} is not a status change"
        target = next_status(ticket.status, event.ACTION)
        now = self.clock.now()
        # The event first: the next step time counts reopen events (level 2 after reworks).
        await self.tickets.record(
            ticket.id,
            event,
            actor_id=actor.telegram_id if actor else None,
            at=now,
            from_status=ticket.status,
            to_status=target,
        )
        await self.change(ticket, status=target, **changes)
        return await self.load(ticket.id)
