"""The enterprise's verdict: rating a resolved ticket (which may reopen it, 重办), and the
automatic close of tickets nobody rated within the window (未评价)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.deadlines import due_dates
from bot.domain.lifecycle import Status
from bot.domain.models import Actor, Ticket, TicketView
from bot.domain.outcomes import Desk, Recipient
from bot.domain.outcomes.tickets import AutoClosed, Rated
from bot.errors import InvalidInput
from bot.services.tickets.access import refusal
from bot.services.tickets.core import TicketCore


class TicketRatings:
    """Ratings and the close of unrated tickets."""

    def __init__(self, core: TicketCore) -> None:
        self.core = core
        self.reach = core.reach
        self.recipients = core.recipients
        self.db = core.db
        self.clock = core.clock
        self.calendar = core.calendar
        self.rules = core.rules
        self.publish = core.publish
        self.tickets = core.tickets

    async def _rateable(self, actor: Actor, ticket_id: int) -> Ticket:
        ticket = await self.core.load(ticket_id)
        if not self.core.is_owner_side(actor, ticket):
            raise refusal(actor, ticket, "error.rate_not_yours")
        if ticket.status is not Status.RESOLVED:
            raise InvalidInput("error.not_waiting_rating", id=ticket.id)
        return ticket

    async def begin_rating(self, actor: Actor, ticket_id: int, solved: str) -> TicketView:
        """Check a first rating answer (solved or not) before asking about satisfaction."""
        if solved not in taxonomy.SOLVED_RATINGS:
            raise InvalidInput("error.bad_rating")
        async with self.db.transaction():
            return await self.core.view(await self._rateable(actor, ticket_id))

    async def rate(self, actor: Actor, ticket_id: int, solved: str, satisfaction: str) -> Rated:
        """The enterprise rates a resolved ticket; 未解决 or 不满意 reopens it (重办).

        The verdict and the status change it causes are one event: `Rate` (closed) or `Reopen`.
        A reopen gives the ticket a fresh resolution deadline (`_reopen_deadline`).

        Raises:
            InvalidInput: an unknown rating, or the ticket is not waiting for one.
            NotAllowed: the actor is not the reporter's side of the ticket.
        """
        if solved not in taxonomy.SOLVED_RATINGS or satisfaction not in (
            taxonomy.SATISFACTION_RATINGS
        ):
            raise InvalidInput("error.bad_rating")
        async with self.db.transaction():
            ticket = await self._rateable(actor, ticket_id)
            now = self.clock.now()
            reopen = solved == "unsolved" or satisfaction == "dissatisfied"
            # The later rating replaces the earlier one: the second rating is the one that counts.
            ratings: dict[str, Any] = {"solved_rating": solved, "satisfaction": satisfaction}
            verdict: ev.Rating
            if reopen:
                deadline = self._reopen_deadline(ticket)
                verdict = ev.Reopen(solved=solved, satisfaction=satisfaction, deadline_at=deadline)
                ticket = await self.core.move(
                    actor, ticket, verdict, resolved_at=None, deadline_at=deadline, **ratings
                )
            else:
                verdict = ev.Rate(solved=solved, satisfaction=satisfaction)
                ticket = await self.core.move(actor, ticket, verdict, closed_at=now, **ratings)
            view = await self.core.view(ticket)
            cadre, desk = await self._reopen_notice(view) if reopen else (None, ())
            rated = Rated(view, reopen, cadre, desk)
            await self.publish(rated)
        return rated

    async def _reopen_notice(self, view: TicketView) -> tuple[Recipient | None, Desk]:
        """Who hears of a reopen: the ticket's cadre, or the desk when nobody is assigned."""
        if view.assignee is None:
            return None, await self.recipients.desk()
        return await self.reach.notice(view.assignee)

    def _reopen_deadline(self, ticket: Ticket) -> datetime:
        """The resolution deadline of a reopened ticket: the rules of a new one, from now.

        Never earlier than the deadline in force, so a reopen does not take back working days
        an approved extension gave. The claim and contact deadlines stay: the ticket is signed
        and the enterprise was answered (响应率 keeps reading them).
        """
        fresh = due_dates(
            self.rules.deadline_rules,
            self.calendar,
            self.clock.now(),
            kind=ticket.kind,
            category=ticket.category,
            urgency=ticket.urgency,
        )
        return max(fresh.deadline_at, ticket.deadline_at)

    async def close_unrated(self) -> list[TicketView]:
        """Close tickets resolved longer ago than the rating window, as 未评价."""
        now = self.clock.now()
        cutoff = now - timedelta(days=self.rules.rating_window_days)
        closed: list[TicketView] = []
        async with self.db.transaction():
            for ticket in await self.tickets.resolved_before(cutoff):
                moved = await self.core.move(
                    None,
                    ticket,
                    ev.Close(reason=taxonomy.UNRATED),
                    closed_at=now,
                    solved_rating=taxonomy.UNRATED,
                    satisfaction=taxonomy.UNRATED,
                )
                view = await self.core.view(moved)
                enterprise = await self.recipients.enterprise_chat(moved)
                await self.publish(AutoClosed(view, enterprise, self.rules.rating_window_days))
                closed.append(view)
        return closed
