"""A leader's daily brief: their cadres' tickets under the most urgent heading that applies.

Composed (and claimed once a day) by `bot.services.tickets.briefs`, published as an outcome,
shown by `bot.render.deadlines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.models import Cadre, TicketView
from bot.domain.outcomes import Outcome


@dataclass(frozen=True)
class BriefItem:
    """One ticket in the brief, with its working days."""

    view: TicketView
    days_open: int  # working days since it was received
    overdue_days: int | None  # working days past its deadline; None when not overdue


@dataclass(frozen=True)
class Brief(Outcome):
    """One leader's brief; each ticket is in one list only, the most urgent that applies."""

    leader: Cadre
    day: date
    since: datetime
    escalated: list[BriefItem]
    overdue: list[BriefItem]
    reopened: list[BriefItem]
    new: list[BriefItem]

    @property
    def sections(self) -> list[tuple[str, list[BriefItem]]]:
        """(heading code, items), most urgent first."""
        return [
            ("escalated", self.escalated),
            ("overdue", self.overdue),
            ("reopened", self.reopened),
            ("new", self.new),
        ]

    @property
    def empty(self) -> bool:
        return not any(items for _, items in self.sections)
