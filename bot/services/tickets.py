"""The ticket loop: report, route, claim, progress, resolve, rate, reopen, transfer, close.

Every status change goes through `bot.domain.lifecycle.next_status` and writes an event with
actor and time in the same transaction, which also publishes the outcome the change caused (who
must be told is the dispatcher's business, `bot.notify.dispatch`). Permissions are checked here,
on the server, for every call: handlers pass the acting user, never a decision. Reporting lives
in `bot.services.ticket_intake`, rating in `bot.services.ticket_ratings`.
"""

from __future__ import annotations

from typing import Any

from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Actor, Cadre, Ticket, TicketView
from bot.domain.outcomes.tickets import Claimed, Progressed, Resolved, Transferred
from bot.errors import InvalidInput, NotAllowed, TicketNotFound, UnknownCadre
from bot.services.access import lists_in_place, refusal
from bot.services.deadlines import due_dates
from bot.services.ticket_intake import TicketIntake
from bot.services.ticket_ratings import TicketRatings

MAX_NOTE = 1000


class TicketService(TicketIntake, TicketRatings):
    """Use cases of the ticket loop."""

    # -- reading ----------------------------------------------------------------------------
    async def view(self, actor: Actor, ticket_id: int) -> TicketView:
        """Return a ticket with its history if the actor may see it.

        Raises:
            TicketNotFound: no such ticket (also when the actor may not know it exists).
        """
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            if not (self._is_owner_side(actor, ticket) or await self._may_work(actor, ticket)):
                # Do not reveal that another enterprise's ticket exists.
                raise TicketNotFound(id=ticket_id)
            return await self._view(ticket, history=True)

    async def workable(self, actor: Actor, ticket_id: int) -> TicketView:
        """Return a ticket the actor works, before asking them for a note (a button's prompt).

        Raises:
            TicketNotFound: no such ticket.
            NotAllowed: the actor does not work this ticket (read as "not found" by those who
                may not know it exists).
        """
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            return await self._view(ticket)

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
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            everyone = [
                c
                for c in await self.people.cadres()
                if c.id != ticket.assignee_id and not c.on_leave
            ]
            leader = actor.cadre.leader_id if actor.cadre else None
            ordered = sorted(everyone, key=lambda c: (c.leader_id != leader, c.id))
            return await self._view(ticket), ordered

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
            return [await self._view(t) for t in found]

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
            return [await self._view(t) for t in found[:20]]

    # -- working ------------------------------------------------------------------------------
    async def claim(self, actor: Actor, ticket_id: int) -> TicketView:
        """签收: the assignee (or their leader, or an admin) accepts the ticket."""
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            changes: dict[str, Any] = {}
            if ticket.assignee_id is None:
                if actor.cadre is None:
                    raise NotAllowed("error.claim_needs_cadre", id=ticket.id)
                changes["assignee_id"] = actor.cadre.id
            ticket = await self._move(actor, ticket, ev.Claim(), **changes)
            view = await self._view(ticket)
            await self.publish(Claimed(view, await self.recipients.enterprise_chat(ticket)))
        return view

    async def contact(self, actor: Actor, ticket_id: int) -> TicketView:
        """已联系: record that the enterprise was contacted (the response), once signed.

        From claimed the ticket becomes contacted; from in_progress (a progress note came first,
        or the ticket was reopened) the contact is recorded and the status stays.

        Raises:
            NotAllowed: the actor does not work this ticket.
            InvalidTransition: the ticket is not signed, already contacted, or finished.
        """
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            ticket = await self._move(actor, ticket, ev.Contact())
            return await self._view(ticket)

    async def progress(self, actor: Actor, ticket_id: int, note: str) -> TicketView:
        """Record progress (办理中); the note goes to the enterprise too."""
        note = _note(note, "error.progress_empty")
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            ticket = await self._move(actor, ticket, ev.Progress(note=note))
            view = await self._view(ticket)
            await self.publish(
                Progressed(view, note, await self.recipients.enterprise_chat(ticket))
            )
        return view

    async def resolve(self, actor: Actor, ticket_id: int, note: str) -> TicketView:
        """办结: the ticket waits for the enterprise's rating."""
        note = _note(note, "error.resolve_empty")
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            # Judged against the deadline in force now, whatever later moves it (a reopen).
            resolve = ev.Resolve(note=note, deadline_at=ticket.deadline_at)
            ticket = await self._move(actor, ticket, resolve, resolved_at=self.clock.now())
            view = await self._view(ticket)
            await self.publish(Resolved(view, note, await self.recipients.enterprise_chat(ticket)))
        return view

    async def transfer(self, actor: Actor, ticket_id: int, target: str | int) -> Transferred:
        """转办 to another cadre (by name or id); the ticket is new again for the receiver.

        Raises:
            UnknownCadre: no cadre matches the name, or several do.
        """
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            receiver = await self._find_cadre(target)
            if receiver.id == ticket.assignee_id:
                raise InvalidInput("error.transfer_same", name=receiver.name)
            previous = await self.people.cadre(ticket.assignee_id) if ticket.assignee_id else None
            # The receiver gets a fresh sign and contact window; the resolution deadline stays.
            due = due_dates(
                self.rules.deadline_rules,
                self.calendar,
                self.clock.now(),
                kind=ticket.kind,
                category=ticket.category,
                urgency=ticket.urgency,
            )
            ticket = await self._move(
                actor,
                ticket,
                ev.Transfer(to_cadre_id=receiver.id, from_cadre_id=ticket.assignee_id),
                assignee_id=receiver.id,
                claim_due_at=min(due.claim_due_at, ticket.deadline_at),
                response_due_at=min(due.response_due_at, ticket.deadline_at),
            )
            cadre, desk = await self.reach.notice(receiver)
            moved = Transferred(await self._view(ticket), previous, cadre, desk)
            await self.publish(moved)
        return moved

    async def _find_cadre(self, target: str | int) -> Cadre:
        if isinstance(target, int):
            found = await self.people.cadre(target)
            if found is None:
                raise UnknownCadre(name=str(target))
            return found
        name = target.strip()
        exact = await self.people.cadre_by_name(name)
        if exact is not None:
            return exact
        matches = [c for c in await self.people.cadres() if name and name in c.name]
        if len(matches) == 1:
            return matches[0]
        raise UnknownCadre(name=name)

    async def reclassify(
        self, actor: Actor, ticket_id: int, *, category: str | None = None, kind: str | None = None
    ) -> TicketView:
        """Change category or kind (the reporter's side or whoever works the ticket)."""
        if category is not None and category not in taxonomy.CATEGORIES:
            raise InvalidInput("error.bad_category")
        if kind is not None and kind not in taxonomy.KINDS:
            raise InvalidInput("error.bad_kind")
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            if not (self._is_owner_side(actor, ticket) or await self._may_work(actor, ticket)):
                raise refusal(actor, ticket, "error.not_your_ticket")
            if ticket.status not in OPEN_STATUSES:
                raise InvalidInput("error.ticket_not_open", id=ticket.id)
            changes = {k: v for k, v in (("category", category), ("kind", kind)) if v}
            now = self.clock.now()
            await self.tickets.update(ticket.id, now, **changes)
            await self.tickets.record(
                ticket.id, ev.Classify(**changes), actor_id=actor.telegram_id, at=now
            )
            return await self._view(await self._load(ticket.id))


def _note(text: str, empty_key: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(empty_key)
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("error.note_too_long", limit=MAX_NOTE)
    return cleaned
