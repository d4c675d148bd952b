"""What every ticket use case shares: loading, viewing, permissions and the one column writer.

`TicketBase` is the common ground of `TicketService` and its parts (`bot.services.ticket_intake`,
`bot.services.ticket_ratings`): the repositories, the rules, the step schedule, and `_move`, the
one place a status changes (through `bot.domain.lifecycle.next_status`, with its event).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.domain import events as ev
from bot.domain.lifecycle import next_status
from bot.domain.models import Actor, Ticket, TicketView
from bot.domain.outcomes import Publish, discard
from bot.errors import TicketNotFound
from bot.services.access import Access, owner_side, refusal
from bot.services.calendar import WorkCalendar
from bot.services.deadlines import DeadlineRules
from bot.services.next_step import StepSchedule
from bot.services.reachability import ReachabilityService
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.deadlines import DeadlineRepo
from storage.repos.people import PeopleRepo
from storage.repos.tickets import TicketRepo


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


class TicketBase:
    """Repositories, rules and the shared steps of the ticket use cases."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        calendar: WorkCalendar,
        rules: TicketRules,
        *,
        reach: ReachabilityService,
        publish: Publish = discard,
    ) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
        # Outcomes go here inside the transaction of the change (the dispatcher, when running).
        self.publish = publish
        # Who hears of those outcomes, resolved here (the notifiers read nothing).
        self.reach = reach
        self.recipients = reach.recipients
        self.tickets = TicketRepo(db)
        self.people = PeopleRepo(db)
        self.chats = ChatRepo(db)
        self.access = Access(self.people)
        self.schedule = StepSchedule(calendar, rules.deadline_rules)
        self.steps = DeadlineRepo(db)

    # -- reading ----------------------------------------------------------------------------
    async def _view(self, ticket: Ticket, *, history: bool = False) -> TicketView:
        enterprise = await self.people.enterprise(ticket.enterprise_id)
        assert enterprise is not None  # foreign key
        assignee = await self.people.cadre(ticket.assignee_id) if ticket.assignee_id else None
        return TicketView(
            ticket=ticket,
            enterprise=enterprise,
            assignee=assignee,
            reopen_count=await self.tickets.count_events(ticket.id, ev.EventType.REOPEN),
            attachments=await self.tickets.attachments(ticket.id),
            events=await self.tickets.events(ticket.id) if history else [],
        )

    async def _load(self, ticket_id: int) -> Ticket:
        ticket = await self.tickets.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(id=ticket_id)
        return ticket

    async def _may_work(self, actor: Actor, ticket: Ticket) -> bool:
        return await self.access.may_work(actor, ticket)

    async def _require_work(self, actor: Actor, ticket: Ticket) -> None:
        if not await self._may_work(actor, ticket):
            raise refusal(actor, ticket, "error.not_your_ticket")

    def _is_owner_side(self, actor: Actor, ticket: Ticket) -> bool:
        return owner_side(actor, ticket)

    async def view_of(self, ticket_id: int) -> TicketView:
        """Return a ticket for a job or a notification, without a permission check.

        Raises:
            TicketNotFound: no such ticket.
        """
        async with self.db.transaction():
            return await self._view(await self._load(ticket_id))

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
        ticket = await self._load(ticket_id)
        await self.tickets.set_next_step(ticket.id, await self._next_step(ticket, self.clock.now()))

    async def _move(
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
        return await self._load(ticket.id)
