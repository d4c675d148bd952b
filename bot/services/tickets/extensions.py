"""延期: the assignee asks for more working days; their leader approves or refuses.

Rules: only the assignee asks, before the resolution deadline, for 1..max working days with a
reason; one request may wait at a time and a ticket gets at most one approved extension (a refused
request does not use it up). Only the assignee's leader decides (an admin when the cadre has no
leader), also before the deadline. Approval moves `tickets.deadline_at`. Every step is an event.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.domain import events as ev
from bot.domain.deadlines import DeadlineRules
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Actor, Ticket
from bot.domain.outcomes import Publish, discard
from bot.domain.outcomes.deadlines import Cards, ExtensionAsked, ExtensionDecided
from bot.domain.work_calendar import WorkCalendar
from bot.errors import InvalidInput, NotAllowed, TicketNotFound
from bot.services.recipients import Recipients
from bot.services.tickets.access import refusal
from bot.services.tickets.core import TicketCore
from bot.services.tickets.work import MAX_NOTE
from storage.unit import Repositories


class ExtensionService:
    """Ask for, approve and refuse extensions."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        rules: DeadlineRules,
        core: TicketCore,
        *,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
        self.core = core
        self.publish = publish
        # Who hears of those outcomes, resolved here (the notifiers read nothing).
        self.recipients = recipients
        self.repo = repos.deadlines
        self.ticket_repo = repos.tickets
        self.cadres = repos.cadres
        self.users = repos.users

    async def _ticket(self, ticket_id: int) -> Ticket:
        ticket = await self.ticket_repo.get(ticket_id)
        if ticket is None:
            raise TicketNotFound(id=ticket_id)
        return ticket

    async def request(self, actor: Actor, ticket_id: int, days: int, reason: str) -> ExtensionAsked:
        """The assignee asks to move the resolution deadline by `days` working days.

        Raises:
            TicketNotFound: no such ticket.
            NotAllowed: the actor is not the ticket's assignee.
            InvalidInput: bad days or reason, ticket not open, deadline passed, a request is
                waiting, or the ticket was already extended.
        """
        reason = reason.strip()
        if not 1 <= days <= self.rules.max_extension_days:
            raise InvalidInput("clock.extend_bad_days", max=self.rules.max_extension_days)
        if not reason:
            raise InvalidInput("usage.extend")
        if len(reason) > MAX_NOTE:
            raise InvalidInput("error.note_too_long", limit=MAX_NOTE)
        now = self.clock.now()
        async with self.db.transaction():
            ticket = await self._ticket(ticket_id)
            if actor.cadre is None or ticket.assignee_id != actor.cadre.id:
                raise refusal(actor, ticket, "clock.extend_not_assignee")
            if ticket.status not in OPEN_STATUSES:
                raise InvalidInput("error.ticket_not_open", id=ticket_id)
            if now >= ticket.deadline_at:
                raise InvalidInput("clock.extend_too_late", id=ticket_id)
            earlier = await self.repo.requests_for(ticket_id)
            if any(r.status == "approved" for r in earlier):
                raise InvalidInput("clock.extend_once", id=ticket_id)
            if any(r.status == "pending" for r in earlier):
                raise InvalidInput("clock.extend_pending", id=ticket_id)
            request_id = await self.repo.add_request(ticket_id, actor.cadre.id, days, reason, now)
            await self.ticket_repo.record(
                ticket_id,
                ev.ExtendRequest(days=days, reason=reason, request_id=request_id),
                actor_id=actor.telegram_id,
                at=now,
            )
            request = await self.repo.request(request_id)
            assert request is not None
            leader = (
                await self.cadres.cadre(actor.cadre.leader_id) if actor.cadre.leader_id else None
            )
            chat = await self.recipients.private(leader.telegram_id if leader else None)
            # The leader decides; the admins only when the cadre has no leader on the roster.
            to: Cards = (chat,) if chat is not None else ()
            if leader is None:
                to = await self.recipients.admins()
            view = await self.core.view_of(ticket_id)
            asked = ExtensionAsked(view, request, leader, chat is not None, to)
            await self.publish(asked)
        return asked

    async def decide(
        self, actor: Actor, ticket_id: int, request_id: int, *, approve: bool
    ) -> ExtensionDecided:
        """The assignee's leader approves (moving the deadline) or refuses a waiting request.

        Raises:
            InvalidInput: no such request for this ticket, already decided, or (approving)
                the deadline has passed.
            NotAllowed: the actor is not the assignee's leader (nor an admin standing in for
                a missing leader).
        """
        now = self.clock.now()
        async with self.db.transaction():
            ticket = await self._ticket(ticket_id)
            if not actor.is_staff:
                raise refusal(actor, ticket, "clock.extend_not_leader")
            request = await self.repo.request(request_id)
            if request is None or request.ticket_id != ticket_id:
                raise InvalidInput("error.stale_button")
            assignee = await self.cadres.cadre(request.cadre_id)
            if not await self.core.access.decides_extension(actor, assignee):
                raise NotAllowed("clock.extend_not_leader", id=ticket_id)
            if request.status != "pending":
                raise InvalidInput("clock.extend_decided", id=ticket_id)
            stale = ticket.status not in OPEN_STATUSES or ticket.assignee_id != request.cadre_id
            if approve and not stale and now >= ticket.deadline_at:
                raise InvalidInput("clock.extend_too_late", id=ticket_id)
            approved = approve and not stale
            await self.repo.decide(
                request_id, "approved" if approved else "refused", actor.telegram_id, now
            )
            if approved:
                deadline = self.calendar.add_working_days(ticket.deadline_at, request.days)
                await self.core.change(ticket, deadline_at=deadline)
                await self.ticket_repo.record(
                    ticket_id,
                    ev.ExtendOk(deadline_at=deadline, days=request.days),
                    actor_id=actor.telegram_id,
                    at=now,
                )
            else:
                await self.ticket_repo.record(
                    ticket_id,
                    ev.ExtendRefused(days=request.days, stale=stale),
                    actor_id=actor.telegram_id,
                    at=now,
                )
            decided = await self.repo.request(request_id)
            assert decided is not None
            to = await self.recipients.private(assignee.telegram_id if assignee else None)
            view = await self.core.view_of(ticket_id)
            outcome = ExtensionDecided(view, decided, approved, assignee, to)
            await self.publish(outcome)
        return outcome
