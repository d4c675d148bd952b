"""Reading tickets: one with its history, the ones a cadre works, an enterprise's recent ones.

Each read checks who asks, on the server: anyone who may not know a ticket exists is told
"not found" (`bot.services.tickets.access`), and the work prompts (`workable`,
`transfer_choices`) check the permission before they read a name.
"""

from __future__ import annotations

from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Actor, Cadre, Ticket, TicketView
from bot.errors import NotAllowed, TicketNotFound
from bot.services.tickets.access import lists_in_place
from bot.services.tickets.core import TicketCore


class TicketLookup:
    """The ticket reads handlers and the dashboard ask for."""

    def __init__(self, core: TicketCore) -> None:
        self.core = core
        self.db = core.db
        self.tickets = core.tickets
        self.cadres = core.cadres

    async def view(self, actor: Actor, ticket_id: int) -> TicketView:
        """Return a ticket with its history if the actor may see it.

        Raises:
            TicketNotFound: no such ticket (also when the actor may not know it exists).
        """
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            if not await self.core.may_see(actor, ticket):
                # Do not reveal that another enterprise's ticket exists.
                raise TicketNotFound(id=ticket_id)
            return await self.core.view(ticket, history=True)

    async def workable(self, actor: Actor, ticket_id: int) -> TicketView:
        """Return a ticket the actor works, before asking them for a note (a button's prompt).

        Raises:
            TicketNotFound: no such ticket.
            NotAllowed: the actor does not work this ticket (read as "not found" by those who
                may not know it exists).
        """
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            return await self.core.view(ticket)

    async def transfer_choices(
        self, actor: Actor, ticket_id: int
    ) -> tuple[TicketView, list[Cadre]]:
        """The ticket and the cadres it can go to: the actor's group first, then everyone else.

        The permission is checked before any name is read, so a forged press lists nobody.

        Raises:
            TicketNotFound: no such ticket.
            NotAllowed: the actor does not work this ticket (read as "not found" by those who
                may not know it exists).
        """
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            everyone = [
                c
                for c in await self.cadres.cadres()
                if c.id != ticket.assignee_id and not c.on_leave
            ]
            leader = actor.cadre.leader_id if actor.cadre else None
            ordered = sorted(everyone, key=lambda c: (c.leader_id != leader, c.id))
            return await self.core.view(ticket), ordered

    async def mine(self, actor: Actor) -> list[TicketView]:
        """Open tickets assigned to the acting cadre (admins also see the unassigned ones)."""
        if not actor.is_staff:
            raise NotAllowed("error.staff_only")
        statuses = [*OPEN_STATUSES, Status.RESOLVED]
        async with self.db.transaction():
            found: list[Ticket] = []
            if actor.cadre is not None:
                found += await self.tickets.list_for_assignee(actor.cadre.id, statuses)
            if actor.is_admin:
                found += await self.tickets.list_unassigned(statuses)
            return [await self.core.view(t) for t in found]

    async def of_enterprise(self, actor: Actor) -> list[TicketView]:
        """Recent tickets of the actor's own enterprise.

        Raises:
            NotAllowed: the actor is no enterprise contact, or asks in a group that is not their
                enterprise's own (key error.list_in_private).
        """
        if actor.enterprise_id is None:
            raise NotAllowed("error.not_contact")
        if not lists_in_place(actor):
            raise NotAllowed("error.list_in_private")
        venue = actor.venue
        # In the enterprise's own group, that enterprise; privately, every one the contact serves.
        enterprises = [venue.enterprise_id] if venue and venue.enterprise_id else []
        async with self.db.transaction():
            found: list[Ticket] = []
            for enterprise_id in enterprises or sorted(actor.enterprise_ids):
                found += await self.tickets.list_for_enterprise(enterprise_id)
            found.sort(key=lambda t: t.id, reverse=True)
            return [await self.core.view(t) for t in found[:20]]
