"""Reporting a problem: the enterprise it is for, its deadlines, its route to a 包联 cadre.

A report becomes a ticket with its create and assign events and its attachments in one
transaction, which also publishes `Created` (the acknowledgement and the cadre's notice).

Two limits keep one member from burying a cadre, both counted from the tickets table (so they
hold across restarts and workers): a person makes at most `TicketRules.reports_per_hour`
tickets in any hour, past which a report is refused and the admins are told once per person
per hour (`ReportsLimited`); and a cadre's new tickets past `BURST_CARDS` within `BURST_WINDOW`
are marked `Created.grouped`, so the notifier lists them in one message instead of a card each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import from_iso, to_iso
from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.deadlines import DueDates, due_dates
from bot.domain.lifecycle import Status
from bot.domain.models import Cadre, ChatBinding, Ticket, TicketView
from bot.domain.outcomes.tickets import BURST_CARDS, BURST_WINDOW, Created, ReportsLimited
from bot.domain.visible_text import is_blank
from bot.errors import DuplicateTicket, InvalidInput, NotAllowed, NotBound
from bot.services.tickets.core import TicketCore
from bot.services.tickets.next_step import Planned

MAX_CONTENT = 2000
# The window of `TicketRules.reports_per_hour`.
LIMIT_WINDOW = timedelta(hours=1)
# kv key: when the admins were last told this person reached the report limit.
LIMIT_TOLD = "reports.limit_told.{reporter}"


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
    # The group's binding as read earlier in the transaction that makes the ticket (the
    # unbound-group gate reads it for every group message), so it is not read again; None:
    # read it here. The service's own answer, never anything the user sent.
    binding: ChatBinding | None = None


class TicketIntake:
    """Turn reports into routed tickets."""

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
        self.cadres = core.cadres
        self.enterprises = core.enterprises
        self.chats = core.chats
        self.schedule = core.schedule
        self.kv = core.repos.kv

    async def report(self, report: Report) -> Created:
        """Record a problem posted in a bound group and route it to the 包联 cadre.

        Raises:
            NotBound: the group is not bound, or (park-wide group) the reporter is not bound.
            InvalidInput: the text is empty or too long.
            DuplicateTicket: this message is already a ticket.
            NotAllowed: the reporter made `reports_per_hour` tickets within the last hour.
                Raised after this method's own transaction, which keeps the admins' notice:
                a caller must not call it inside a transaction block of its own that the
                refusal would leave (that would roll the notice back).
        """
        text = report_text(report)
        now = self.clock.now()
        limit = self.rules.reports_per_hour
        async with self.db.transaction():
            enterprise_id, chat_kind = await self._enterprise_for(report)
            assignee, route = await self._route(enterprise_id)
            check = await self.tickets.intake_check(
                report.chat_id,
                report.message_id,
                reporter_id=report.reporter_id,
                reporter_since=now - LIMIT_WINDOW,
                assignee_id=assignee.id if assignee else None,
                assignee_since=now - BURST_WINDOW,
            )
            if check.existing_id is not None:
                raise DuplicateTicket(id=check.existing_id)
            if limit and check.by_reporter >= limit:
                refusal = await self._limited(report.reporter_id, enterprise_id, assignee, now)
            else:
                ticket = await self._insert(report, text, enterprise_id, assignee, now)
                await self._record_intake(ticket.id, report, assignee, route, now)
                view = await self._new_view(ticket, assignee, report)
                if route == "duty":
                    cadre, desk = None, await self.recipients.desk()
                else:
                    cadre, desk = await self.reach.notice(assignee)
                created = Created(
                    view,
                    route,
                    chat_kind,
                    grouped=check.to_assignee >= BURST_CARDS,
                    cadre=cadre,
                    desk=desk,
                )
                await self.publish(created)
                return created
        # Raised after the transaction, so the admins' notice (and its mark) is kept.
        raise refusal

    async def purge_limit_marks(self) -> int:
        """Forget the limit marks of people last told of over an hour ago (a mark only says
        whether the admins were told within the hour); how many."""
        prefix = LIMIT_TOLD.format(reporter="")
        async with self.db.transaction():
            return await self.kv.delete_older(prefix, to_iso(self.clock.now() - LIMIT_WINDOW))

    async def _limited(
        self, reporter_id: int, enterprise_id: int, assignee: Cadre | None, now: datetime
    ) -> NotAllowed:
        """The refusal of a report past the limit; the admins are told once per window."""
        kv = self.kv
        key = LIMIT_TOLD.format(reporter=reporter_id)
        told = await kv.get(key)
        if told is None or from_iso(told) <= now - LIMIT_WINDOW:
            await kv.set(key, to_iso(now))
            enterprise = await self.enterprises.enterprise(enterprise_id)
            kind, name = await self.recipients.chat_name(reporter_id)
            await self.publish(
                ReportsLimited(
                    reporter_id,
                    self.rules.reports_per_hour,
                    enterprise.name if enterprise else "",
                    assignee.name if assignee else None,
                    reporter_kind=kind,
                    reporter_name=name,
                    desk=await self.recipients.desk(),
                )
            )
        limit = self.rules.reports_per_hour
        if assignee is None:
            return NotAllowed("intake.limit_reached_duty", limit=limit)
        return NotAllowed("intake.limit_reached", limit=limit, cadre=assignee.name)

    async def _new_view(self, ticket: Ticket, assignee: Cadre | None, report: Report) -> TicketView:
        """The new ticket's view from what this transaction read and wrote, not read back: the
        ticket as inserted, the cadre `_route` read, no reopen yet, no history asked for."""
        enterprise = await self.enterprises.enterprise(ticket.enterprise_id)
        assert enterprise is not None  # foreign key
        return TicketView(
            ticket=ticket,
            enterprise=enterprise,
            assignee=assignee,
            reopen_count=0,
            # Stored with ON CONFLICT DO NOTHING: read back what was kept (only with files).
            attachments=await self.tickets.attachments(ticket.id) if report.files else [],
        )

    async def _enterprise_for(self, report: Report) -> tuple[int, str]:
        """The enterprise a report is for, and the kind of chat it came from."""
        if report.private:
            return await self._private_enterprise(report), "private"
        binding = report.binding
        if binding is None or binding.chat_id != report.chat_id:
            binding = await self.chats.binding(report.chat_id)
        if binding is None or binding.kind not in ("enterprise", "park"):
            raise NotBound("error.group_not_bound")
        enterprise_id = binding.enterprise_id
        if binding.kind == "park":
            enterprise_id = await self.enterprises.contact_enterprise(report.reporter_id)
            if enterprise_id is None:
                raise NotBound("error.reporter_not_bound")
        assert enterprise_id is not None
        return enterprise_id, binding.kind

    def _due(self, text: str, now: datetime) -> tuple[str, str, str, DueDates]:
        """The inferred kind, category and urgency of a text, and the deadlines they give."""
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
        return kind, category, urgency, due

    async def _insert(
        self, report: Report, text: str, enterprise_id: int, assignee: Cadre | None, now: datetime
    ) -> Ticket:
        """Insert the ticket row with its deadlines and first next step time."""
        kind, category, urgency, due = self._due(text, now)
        return await self.tickets.insert(
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

    async def _record_intake(
        self, ticket_id: int, report: Report, assignee: Cadre | None, route: str, now: datetime
    ) -> None:
        """The create and assign events, and the report's attachments."""
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

    async def _private_enterprise(self, report: Report) -> int:
        """The enterprise of a private report, re-checked: the reporter must be its contact."""
        if report.enterprise_id is None:
            raise NotBound("error.private_report_not_bound")
        if not await self.enterprises.is_contact_of(report.reporter_id, report.enterprise_id):
            raise NotAllowed("error.report_enterprise_not_yours")
        return report.enterprise_id

    async def _route(self, enterprise_id: int) -> tuple[Cadre | None, str]:
        """Primary cadre; the backup when the primary is on leave; else the duty desk."""
        assignment = await self.enterprises.assignment(enterprise_id)
        if assignment is not None:
            primary = (
                await self.cadres.cadre(assignment.primary_cadre_id)
                if assignment.primary_cadre_id
                else None
            )
            if primary is not None and not primary.on_leave:
                return primary, "primary"
            backup = (
                await self.cadres.cadre(assignment.backup_cadre_id)
                if assignment.backup_cadre_id
                else None
            )
            if backup is not None and not backup.on_leave:
                return backup, "backup"
        return None, "duty"


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
