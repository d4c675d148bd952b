"""When a ticket's next reminder, chase or escalation step falls due (pure: no database).

The sweeper used to scan every open ticket and redo this calendar arithmetic each minute. Now
every write that changes a ticket's status, deadlines or supervision level stores the answer in
`tickets.next_step_at` (indexed), and the sweeper asks only for tickets whose moment has come.

Steps and their keys (`escalation_steps`):

- `remind_claim@<due>`, `remind_response@<due>`, `remind_resolve@<due>`: the configured lead
  (in working time) before each deadline, while it applies (claim while new, response until
  contacted, resolution while open); keyed by the deadline, so a transfer or an extension
  earns a fresh reminder. A reminder whose deadline passed untaken is not owed any more.
- `chase1@<deadline>`, `chase2@<deadline>`...: the start of the 1st, 2nd... working day after
  the resolution deadline; keyed by it, so a reopened ticket's fresh deadline is chased again.
- level 2 (堵点清单) after `level2_reworks` reopen events: due at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import to_iso
from bot.domain.deadlines import DeadlineRules
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.work_calendar import WorkCalendar


class Scheduled(Protocol):
    """What the schedule reads of a ticket (a `Ticket`, or one about to be written)."""

    @property
    def status(self) -> Status: ...
    @property
    def claim_due_at(self) -> datetime | None: ...
    @property
    def response_due_at(self) -> datetime | None: ...
    @property
    def deadline_at(self) -> datetime: ...
    @property
    def supervision_level(self) -> int: ...


@dataclass(frozen=True)
class Planned:
    """A ticket's schedule-relevant columns before it has a row (at creation)."""

    status: Status
    claim_due_at: datetime | None
    response_due_at: datetime | None
    deadline_at: datetime
    supervision_level: int = 0


@dataclass(frozen=True)
class DueReminder:
    which: str  # claim | response | resolve
    due: datetime
    step: str


class StepSchedule:
    """Decide which steps are due at a moment, and the earliest moment one will be."""

    def __init__(self, calendar: WorkCalendar, rules: DeadlineRules) -> None:
        self.calendar = calendar
        self.rules = rules

    def fingerprint(self) -> str:
        """A digest of everything the schedule depends on besides the ticket and its steps.

        Stored next-step times are only valid for the rules and calendar they were computed
        with; when this changes (a new config, new holiday data), they are computed afresh.
        """
        calendar = self.calendar
        parts = (
            repr(self.rules),
            str(calendar.tz),
            sorted(calendar.extra_holidays),
            sorted(calendar.extra_workdays),
            calendar.work_start,
            calendar.work_end,
            calendar.data_version,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]

    def _reminders(self, ticket: Scheduled) -> list[tuple[str, datetime | None, timedelta, bool]]:
        rules = self.rules
        return [
            (
                "claim",
                ticket.claim_due_at,
                timedelta(minutes=rules.remind_claim_minutes),
                ticket.status is Status.NEW,
            ),
            (
                "response",
                ticket.response_due_at,
                timedelta(hours=rules.remind_response_hours),
                ticket.status in (Status.NEW, Status.CLAIMED),
            ),
            ("resolve", ticket.deadline_at, timedelta(hours=rules.remind_resolve_hours), True),
        ]

    def _pending_reminders(
        self, ticket: Scheduled, done: set[str], now: datetime
    ) -> list[tuple[DueReminder, datetime]]:
        """Reminders still owed (deadline not passed, not taken), with when each falls due."""
        owed: list[tuple[DueReminder, datetime]] = []
        for which, due, lead, applies in self._reminders(ticket):
            if due is None or not applies or lead <= timedelta(0) or now >= due:
                continue
            step = f"remind_{which}@{to_iso(due)}"
            if step not in done:
                starts = self.calendar.shift_working(due, -lead)
                owed.append((DueReminder(which, due, step), starts))
        return owed

    def due_reminders(self, ticket: Scheduled, done: set[str], now: datetime) -> list[DueReminder]:
        """The reminders to send now."""
        return [r for r, at in self._pending_reminders(ticket, done, now) if at <= now]

    def due_chases(self, ticket: Scheduled, done: set[str], now: datetime) -> list[int]:
        """The numbers of the chases to take now."""
        return [
            number
            for number in range(1, self.rules.level2_chases + 1)
            if chase_step(number, ticket) not in done
            and now >= self.calendar.working_day_start_after(ticket.deadline_at, number)
        ]

    def rework_level2_due(self, ticket: Scheduled, reworks: int) -> bool:
        return reworks >= self.rules.level2_reworks and ticket.supervision_level < 2

    def next_step_at(
        self, ticket: Scheduled, done: set[str], reworks: int, now: datetime
    ) -> datetime | None:
        """The earliest moment a step of this ticket falls due (`now` or earlier: due now).

        None when no step can ever fall due: the ticket is not open, or every step was taken.
        """
        if ticket.status not in OPEN_STATUSES:
            return None
        if self.rework_level2_due(ticket, reworks):
            return now
        moments = [at for _, at in self._pending_reminders(ticket, done, now)]
        moments += [
            self.calendar.working_day_start_after(ticket.deadline_at, number)
            for number in range(1, self.rules.level2_chases + 1)
            if chase_step(number, ticket) not in done
        ]
        return min(moments) if moments else None


def chase_step(number: int, ticket: Scheduled) -> str:
    """The step key of an overdue chase: per deadline, since a reopen sets a fresh one."""
    return f"chase{number}@{to_iso(ticket.deadline_at)}"
