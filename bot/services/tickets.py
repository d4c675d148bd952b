"""The ticket loop: report, route, claim, progress, resolve, rate, reopen, transfer, close.

Every status change goes through `bot.domain.lifecycle.next_status` and writes an event with
actor and time in the same transaction. Permissions are checked here, on the server, for every
call: handlers pass the acting user, never a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.lifecycle import OPEN_STATUSES, Status, next_status
from bot.domain.models import Actor, Cadre, Ticket, TicketView
from bot.domain.visible_text import is_blank
from bot.errors import (
    DuplicateTicket,
    InvalidInput,
    NotAllowed,
    NotBound,
    TicketNotFound,
    UnknownCadre,
)
from bot.services.access import Access, lists_in_place, owner_side, refusal
from bot.services.calendar import WorkCalendar
from bot.services.deadlines import DeadlineRules, due_dates
from bot.services.next_step import Planned, StepSchedule
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.deadlines import DeadlineRepo
from storage.repos.people import PeopleRepo
from storage.repos.tickets import TicketRepo

MAX_CONTENT = 2000
MAX_NOTE = 1000


@dataclass(frozen=True)
class IncomingFile:
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Report:
    """A problem posted in a group, or sent to the bot privately, as the handler parsed it."""

    chat_id: int
    message_id: int
    reporter_id: int
    text: str
    files: list[IncomingFile] = field(default_factory=list)
    # Sent privately (私信): the enterprise is the reporter's own, not the group's.
    private: bool = False
    # For a private report: the enterprise the reporter is a contact of and chose.
    enterprise_id: int | None = None


@dataclass(frozen=True)
class Created:
    view: TicketView
    route: str  # primary | backup | duty
    chat_kind: str  # enterprise | park | private


@dataclass(frozen=True)
class Rated:
    view: TicketView
    reopened: bool


@dataclass(frozen=True)
class Transferred:
    view: TicketView
    previous: Cadre | None


@dataclass(frozen=True)
class TicketRules:
    resolve_working_days: int
    rating_window_days: int
    category_keywords: dict[str, list[str]]
    kind_keywords: dict[str, list[str]]
    urgent_keywords: list[str]
    # The full deadline rules; None means the defaults with `resolve_working_days` for ordinary.
    deadlines: DeadlineRules | None = None

    @property
    def deadline_rules(self) -> DeadlineRules:
        if self.deadlines is not None:
            return self.deadlines
        return DeadlineRules(resolve_working_days=self.resolve_working_days)


class TicketService:
    """Use cases of the ticket loop."""

    def __init__(
        self, db: Database, clock: Clock, calendar: WorkCalendar, rules: TicketRules
    ) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.rules = rules
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

    # -- creating -----------------------------------------------------------------------------
    async def report(self, report: Report) -> Created:
        """Record a problem posted in a bound group and route it to the 包联 cadre.

        Raises:
            NotBound: the group is not bound, or (park-wide group) the reporter is not bound.
            InvalidInput: the text is empty or too long.
            DuplicateTicket: this message is already a ticket.
        """
        text = report_text(report)
        now = self.clock.now()
        async with self.db.transaction():
            enterprise_id: int | None
            if report.private:
                enterprise_id, chat_kind = await self._private_enterprise(report), "private"
            else:
                binding = await self.chats.binding(report.chat_id)
                if binding is None or binding.kind not in ("enterprise", "park"):
                    raise NotBound("error.group_not_bound")
                enterprise_id, chat_kind = binding.enterprise_id, binding.kind
                if binding.kind == "park":
                    enterprise_id = await self.people.contact_enterprise(report.reporter_id)
                    if enterprise_id is None:
                        raise NotBound("error.reporter_not_bound")
            assert enterprise_id is not None
            existing = await self.tickets.by_source(report.chat_id, report.message_id)
            if existing is not None:
                raise DuplicateTicket(id=existing.id)
            assignee, route = await self._route(enterprise_id)
            kind = taxonomy.infer_kind(text, self.rules.kind_keywords)
            category = taxonomy.infer_category(text, self.rules.category_keywords)
            urgency = taxonomy.infer_urgency(text, self.rules.urgent_keywords)
            due = due_dates(
                self.rules.deadline_rules,
                self.calendar,
                now,
                kind=kind,
                category=category,
                urgency=urgency,
            )
            ticket_id = await self.tickets.insert(
                enterprise_id=enterprise_id,
                reporter_id=report.reporter_id,
                chat_id=report.chat_id,
                source_message_id=report.message_id,
                kind=kind,
                category=category,
                urgency=urgency,
                content=text,
                status=Status.NEW,
                assignee_id=assignee.id if assignee else None,
                deadline_at=due.deadline_at,
                claim_due_at=due.claim_due_at,
                response_due_at=due.response_due_at,
                now=now,
                channel="private" if report.private else "group",
                # A new ticket has taken no step and was never reopened.
                next_step_at=self.schedule.next_step_at(
                    Planned(Status.NEW, due.claim_due_at, due.response_due_at, due.deadline_at),
                    set(),
                    0,
                    now,
                ),
            )
            await self.tickets.record(
                ticket_id,
                ev.Create(chat_id=report.chat_id, message_id=report.message_id),
                actor_id=report.reporter_id,
                at=now,
                to_status=Status.NEW,
            )
            await self.tickets.record(
                ticket_id,
                ev.Assign(route=route, cadre_id=assignee.id if assignee else None),
                actor_id=None,
                at=now,
            )
            for item in report.files:
                await self.tickets.add_attachment(
                    ticket_id,
                    kind=item.kind,
                    file_id=item.file_id,
                    file_unique_id=item.file_unique_id,
                    file_name=item.file_name,
                    mime_type=item.mime_type,
                    now=now,
                )
            view = await self._view(await self._load(ticket_id))
        return Created(view=view, route=route, chat_kind=chat_kind)

    async def _private_enterprise(self, report: Report) -> int:
        """The enterprise of a private report, re-checked: the reporter must be its contact."""
        if report.enterprise_id is None:
            raise NotBound("error.private_report_not_bound")
        if not await self.people.is_contact_of(report.reporter_id, report.enterprise_id):
            raise NotAllowed("error.report_enterprise_not_yours")
        return report.enterprise_id

    async def _route(self, enterprise_id: int) -> tuple[Cadre | None, str]:
        """Primary cadre; the backup when the primary is on leave; else the duty desk."""
        assignment = await self.people.assignment(enterprise_id)
        if assignment is not None:
            primary = (
                await self.people.cadre(assignment.primary_cadre_id)
                if assignment.primary_cadre_id
                else None
            )
            if primary is not None and not primary.on_leave:
                return primary, "primary"
            backup = (
                await self.people.cadre(assignment.backup_cadre_id)
                if assignment.backup_cadre_id
                else None
            )
            if backup is not None and not backup.on_leave:
                return backup, "backup"
        return None, "duty"

    # -- working ------------------------------------------------------------------------------
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
            return await self._view(ticket)

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
            return await self._view(ticket)

    async def resolve(self, actor: Actor, ticket_id: int, note: str) -> TicketView:
        """办结: the ticket waits for the enterprise's rating."""
        note = _note(note, "error.resolve_empty")
        async with self.db.transaction():
            ticket = await self._load(ticket_id)
            await self._require_work(actor, ticket)
            # Judged against the deadline in force now, whatever later moves it (a reopen).
            resolve = ev.Resolve(note=note, deadline_at=ticket.deadline_at)
            ticket = await self._move(actor, ticket, resolve, resolved_at=self.clock.now())
            return await self._view(ticket)

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
            return Transferred(view=await self._view(ticket), previous=previous)

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

    async def _rateable(self, actor: Actor, ticket_id: int) -> Ticket:
        ticket = await self._load(ticket_id)
        if not self._is_owner_side(actor, ticket):
            raise refusal(actor, ticket, "error.rate_not_yours")
        if ticket.status is not Status.RESOLVED:
            raise InvalidInput("error.not_waiting_rating", id=ticket.id)
        return ticket

    async def begin_rating(self, actor: Actor, ticket_id: int, solved: str) -> TicketView:
        """Check a first rating answer (solved or not) before asking about satisfaction."""
        if solved not in taxonomy.SOLVED_RATINGS:
            raise InvalidInput("error.bad_rating")
        async with self.db.transaction():
            return await self._view(await self._rateable(actor, ticket_id))

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
                ticket = await self._move(
                    actor, ticket, verdict, resolved_at=None, deadline_at=deadline, **ratings
                )
            else:
                verdict = ev.Rate(solved=solved, satisfaction=satisfaction)
                ticket = await self._move(actor, ticket, verdict, closed_at=now, **ratings)
            return Rated(view=await self._view(ticket), reopened=reopen)

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
                moved = await self._move(
                    None,
                    ticket,
                    ev.Close(reason=taxonomy.UNRATED),
                    closed_at=now,
                    solved_rating=taxonomy.UNRATED,
                    satisfaction=taxonomy.UNRATED,
                )
                closed.append(await self._view(moved))
        return closed


def report_text(report: Report) -> str:
    """The problem text of a report, checked (a file alone is a report too)."""
    text = report.text.strip()
    if text and is_blank(text) and not report.files:
        raise InvalidInput("error.report_invisible")
    if is_blank(text) and report.files:
        text = "(附件)"
    if not text:
        raise InvalidInput("error.report_empty")
    if len(text) > MAX_CONTENT:
        raise InvalidInput("error.report_too_long", limit=MAX_CONTENT)
    return text


def _note(text: str, empty_key: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(empty_key)
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("error.note_too_long", limit=MAX_NOTE)
    return cleaned
