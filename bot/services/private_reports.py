"""Private reports (私信): an enterprise contact reports a problem to the bot privately.

The ticket is made by `TicketService.report` like a group report (same routing, deadlines and
events), marked with the channel "private". A contact of several enterprises picks the
enterprise with buttons: until then the report is held in `pending_reports`, never in memory,
so the choice survives a restart, and the pick is re-checked against the contact bindings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from bot.clock import to_iso
from bot.domain.models import Enterprise
from bot.domain.outcomes.tickets import Created
from bot.errors import DuplicateTicket, InvalidInput, NotBound
from bot.services.tickets.intake import IncomingFile, Report, report_text
from bot.services.tickets.service import TicketService

# A private report waiting for its enterprise is forgotten after this long.
HELD_REPORT_DAYS = 7


@dataclass(frozen=True)
class Held:
    """A private report of a contact of several enterprises, waiting for them to pick one."""

    message_id: int
    enterprises: list[Enterprise]


class PrivateReportService:
    """Take private reports, hold those that need an enterprise picked, make their tickets."""

    def __init__(self, tickets: TicketService) -> None:
        self.tickets = tickets
        self.db = tickets.core.db
        self.clock = tickets.core.clock
        self.repo = tickets.core.repos.tickets
        self.held = tickets.core.repos.held_reports
        self.enterprises = tickets.core.repos.enterprises

    async def report(self, report: Report) -> Created | Held:
        """Record a problem a contact sent privately, for their enterprise.

        Returns:
            The new ticket, or (for a contact of several enterprises) the held report with the
            enterprises to choose from; `choose` makes the ticket once they pick.

        Raises:
            NotBound: the sender is not an enterprise contact (nothing is recorded).
            InvalidInput: the text is empty or too long.
            DuplicateTicket: this message is already a ticket.
        """
        text = report_text(report)
        async with self.db.transaction():
            enterprises = await self.enterprises.contact_enterprises(report.reporter_id)
        if not enterprises:
            raise NotBound("error.private_report_not_bound")
        if len(enterprises) == 1:
            # Outside a transaction of this method: a refusal past the report limit must not
            # roll back the admins' notice (`TicketIntake.report`). It re-checks the binding.
            chosen = replace(report, private=True, enterprise_id=enterprises[0].id)
            return await self.tickets.intake.report(chosen)
        async with self.db.transaction():
            existing = await self.repo.by_source(report.chat_id, report.message_id)
            if existing is not None:
                raise DuplicateTicket(id=existing.id)
            await self.held.hold_report(
                report.reporter_id,
                report.message_id,
                text,
                [asdict(f) for f in report.files],
                to_iso(self.clock.now()),
            )
            return Held(message_id=report.message_id, enterprises=enterprises)

    async def choose(self, reporter_id: int, message_id: int, enterprise_id: int) -> Created:
        """Make the ticket of a held report for the enterprise its reporter picked.

        Raises:
            NotBound: the reporter is (no longer) a contact of that enterprise.
            DuplicateTicket: the report already became a ticket (a second press).
            NotAllowed: past the report limit (the report stays held).
            InvalidInput: no such held report (forgotten, or never held).
        """
        async with self.db.transaction():
            held = await self.held.held_report(reporter_id, message_id)
            if held is None:
                # A private chat's id is its user's id: that is where the report came from.
                existing = await self.repo.by_source(reporter_id, message_id)
                if existing is not None:
                    raise DuplicateTicket(id=existing.id)
                raise InvalidInput("error.stale_button")
        text, files = held
        # Outside the block above: a refusal past the report limit keeps the admins' notice
        # (`TicketIntake.report`) and the held report, which a later press may still file.
        # The update's own transaction keeps the ticket and the drop below together.
        created = await self.tickets.intake.report(
            Report(
                chat_id=reporter_id,
                message_id=message_id,
                reporter_id=reporter_id,
                text=text,
                files=[IncomingFile(**f) for f in files],
                private=True,
                enterprise_id=enterprise_id,
            )
        )
        async with self.db.transaction():
            await self.held.drop_held_report(reporter_id, message_id)
        return created

    async def purge(self) -> int:
        """Forget held reports nobody picked an enterprise for within a week."""
        cutoff = self.clock.now() - timedelta(days=HELD_REPORT_DAYS)
        async with self.db.transaction():
            return await self.held.purge_held_reports(to_iso(cutoff))
