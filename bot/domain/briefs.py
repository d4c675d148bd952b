"""A ticket as the lists of the deadline half show it: the daily brief, /overdue, /blockers.

The brief itself is an outcome (`bot.domain.outcomes.deadlines.Brief`), composed and claimed
once a day by `bot.services.tickets.briefs`, shown by `bot.render.deadlines`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import TicketView


@dataclass(frozen=True)
class BriefItem:
    """One ticket in the brief, with its working days."""

    view: TicketView
    days_open: int  # working days since it was received
    overdue_days: int | None  # working days past its deadline; None when not overdue
