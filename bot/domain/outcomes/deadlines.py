"""The deadline half's outcomes: what a sweep did, 督办, extensions, the daily brief and the
daily reminder about a cadre nobody can reach.

Each carries who must hear of it, as the publishing service resolved it. A card "for a cadre,
or the admins instead" is resolved to a tuple of recipients: the cadre's open private chat, or
each admin privately when the rule says the admins stand in, or nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.briefs import BriefItem
from bot.domain.models import Cadre, ExtensionRequest, Ticket, TicketView
from bot.domain.outcomes import Desk, Outcome, Recipient

# Who gets a card about a ticket: one open private chat, each admin privately, or nobody.
Cards = tuple[Recipient, ...]


@dataclass(frozen=True)
class Reminder:
    """A reminder before a deadline, for the assignee alone."""

    view: TicketView
    which: str  # claim | response | resolve
    due: datetime
    # The assignee's open chat; the admins when nobody is assigned; else nobody (the desk
    # hears once that the cadre cannot be reached, and the daily reminder covers the ticket).
    to: Cards = ()
    desk: Desk = ()  # the desk, when the assignee's unreachable episode opens


@dataclass(frozen=True)
class Chase:
    """A chase after the resolution deadline; the first tells the leader too."""

    view: TicketView
    number: int
    leader: Cadre | None
    to: Cards = ()  # the assignee's open chat, else the admins
    to_leader: Cards = ()  # the first chase: the leader's open chat, else the admins


@dataclass(frozen=True)
class Raised:
    """A supervision level raised: by a sweep (level 2, 堵点清单) or by a person (督办)."""

    view: TicketView
    level: int
    reason: str  # overdue | chases | reworks | manual
    leader: Cadre | None
    to_leader: Cards = ()  # the leader's open chat (nobody instead)
    desk: Desk = ()  # level 2: the desk hears of every blocker


@dataclass(frozen=True)
class Supervised(Outcome):
    """督办 by a leader or an admin: the assignee (and the leader, if someone else) are told."""

    raised: Raised
    by: int  # the Telegram id of whoever flagged it
    to: Cards = ()  # the assignee's open chat, else the admins


@dataclass
class SweepResult(Outcome):
    """What one sweep (or one ticket's part of it) did; its messages are queued with it."""

    reminders: list[Reminder] = field(default_factory=list)
    chases: list[Chase] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    fallback_years: list[int] = field(default_factory=list)
    # The tickets the sweep looked at: those whose next step time had come.
    examined: list[int] = field(default_factory=list)
    # The desk, when it must hear of the years whose calendar fell back to Monday to Friday.
    desk: Desk = ()

    def merge(self, other: SweepResult) -> None:
        self.examined += other.examined
        self.reminders += other.reminders
        self.chases += other.chases
        self.raised += other.raised
        self.fallback_years += other.fallback_years
        self.desk = self.desk or other.desk


@dataclass(frozen=True)
class ExtensionAsked(Outcome):
    """A request waiting for the leader (the admins when the cadre has no leader)."""

    view: TicketView
    request: ExtensionRequest
    leader: Cadre | None  # None: no leader on the roster, the admins decide
    leader_reachable: bool = False  # the leader can be asked privately
    # The leader's open chat; each admin privately when there is no leader; else nobody.
    to: Cards = ()


@dataclass(frozen=True)
class ExtensionDecided(Outcome):
    """The leader's answer, for the assignee."""

    view: TicketView
    request: ExtensionRequest
    approved: bool
    assignee: Cadre | None
    to: Recipient | None = None  # the assignee's open chat


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
    to: Recipient | None = None  # the leader's open chat (no brief when it is not open)

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


@dataclass(frozen=True)
class Waiting(Outcome):
    """An unreachable cadre and the open tickets waiting for them (the admins' daily reminder)."""

    cadre: Cadre
    tickets: list[Ticket]
    desk: Desk = ()
