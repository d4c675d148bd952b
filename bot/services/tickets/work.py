"""Working a ticket: claim, contact, progress, resolve, transfer and reclassify.

Every status change goes through `TicketCore.move` (`bot.domain.lifecycle.next_status`) and
writes an event with actor and time in the same transaction, which also publishes the outcome
the change caused (who must be told is the dispatcher's business, `bot.notify.dispatch`).
Permissions are checked here, on the server, for every call: handlers pass the acting user,
never a decision. Reporting lives in `bot.services.tickets.intake`, reading in `lookup`, rating
in `ratings`.
"""

from __future__ import annotations

from typing import Any

from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.deadlines import due_dates
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Actor, Cadre, TicketView
from bot.domain.outcomes.tickets import Claimed, Progressed, Resolved, Transferred
from bot.errors import InvalidInput, NotAllowed, UnknownCadre
from bot.services.tickets.access import refusal
from bot.services.tickets.core import TicketCore

MAX_NOTE = 1000


class TicketWork:
    """签收, 已联系, progress, 办结, 转办 and reclassifying: the cadre's side of a ticket."""

    def __init__(self, core: TicketCore) -> None:
        self.core = core
        self.db = core.db
        self.clock = core.clock
        self.calendar = core.calendar
        self.rules = core.rules
        self.publish = core.publish
        self.tickets = core.tickets
        self.cadres = core.cadres
        self.reach = core.reach
        self.recipients = core.recipients

    async def claim(self, actor: Actor, ticket_id: int) -> TicketView:
        """签收: the assignee (or their leader, or an admin) accepts the ticket."""
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            changes: dict[str, Any] = {}
            if ticket.assignee_id is None:
                if actor.cadre is None:
                    raise NotAllowed("error.claim_needs_cadre", id=ticket.id)
                changes["assignee_id"] = actor.cadre.id
            ticket = await self.core.move(actor, ticket, ev.Claim(), **changes)
            view = await self.core.view(ticket)
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
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            ticket = await self.core.move(actor, ticket, ev.Contact())
            return await self.core.view(ticket)

    async def progress(self, actor: Actor, ticket_id: int, note: str) -> TicketView:
        """Record progress (办理中); the note goes to the enterprise too."""
        note = _note(note, "error.progress_empty")
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            ticket = await self.core.move(actor, ticket, ev.Progress(note=note))
            view = await self.core.view(ticket)
            await self.publish(
                Progressed(view, note, await self.recipients.enterprise_chat(ticket))
            )
        return view

    async def resolve(self, actor: Actor, ticket_id: int, note: str) -> TicketView:
        """办结: the ticket waits for the enterprise's rating."""
        note = _note(note, "error.resolve_empty")
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            # Judged against the deadline in force now, whatever later moves it (a reopen).
            resolve = ev.Resolve(note=note, deadline_at=ticket.deadline_at)
            ticket = await self.core.move(actor, ticket, resolve, resolved_at=self.clock.now())
            view = await self.core.view(ticket)
            await self.publish(Resolved(view, note, await self.recipients.enterprise_chat(ticket)))
        return view

    async def transfer(self, actor: Actor, ticket_id: int, target: str | int) -> Transferred:
        """转办 to another cadre (by name or id); the ticket is new again for the receiver.

        Raises:
            UnknownCadre: no cadre matches the name, or several do.
        """
        async with self.db.transaction():
            ticket = await self.core.load(ticket_id)
            await self.core.require_work(actor, ticket)
            receiver = await self._find_cadre(target)
            if receiver.id == ticket.assignee_id:
                raise InvalidInput("error.transfer_same", name=receiver.name)
            previous = await self.cadres.cadre(ticket.assignee_id) if ticket.assignee_id else None
            # The receiver gets a fresh sign and contact window; the resolution deadline stays.
            due = due_dates(
                self.rules.deadline_rules,
                self.calendar,
                self.clock.now(),
                kind=ticket.kind,
                category=ticket.category,
                urgency=ticket.urgency,
            )
            ticket = await self.core.move(
                actor,
                ticket,
                ev.Transfer(to_cadre_id=receiver.id, from_cadre_id=ticket.assignee_id),
                assignee_id=receiver.id,
                claim_due_at=min(due.claim_due_at, ticket.deadline_at),
                response_due_at=min(due.response_due_at, ticket.deadline_at),
            )
            cadre, desk = await self.reach.notice(receiver)
            moved = Transferred(await self.core.view(ticket), previous, cadre, desk)
            await self.publish(moved)
        return moved

    async def _find_cadre(self, target: str | int) -> Cadre:
        if isinstance(target, int):
            found = await self.cadres.cadre(target)
            if found is None:
                raise UnknownCadre(name=str(target))
            return found
        name = target.strip()
        exact = await self.cadres.cadre_by_name(name)
        if exact is not None:
            return exact
        matches = [c for c in await self.cadres.cadres() if name and name in c.name]
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
            ticket = await self.core.load(ticket_id)
            if not await self.core.may_see(actor, ticket):
                raise refusal(actor, ticket, "error.not_your_ticket")
            if ticket.status not in OPEN_STATUSES:
                raise InvalidInput("error.ticket_not_open", id=ticket.id)
            changes = {k: v for k, v in (("category", category), ("kind", kind)) if v}
            now = self.clock.now()
            await self.tickets.update(ticket.id, now, **changes)
            await self.tickets.record(
                ticket.id, ev.Classify(**changes), actor_id=actor.telegram_id, at=now
            )
            return await self.core.view(await self.core.load(ticket.id))


def _note(text: str, empty_key: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(empty_key)
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("error.note_too_long", limit=MAX_NOTE)
    return cleaned
