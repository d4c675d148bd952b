"""The ticket loop's outcomes: a report made or refused, and each step a ticket takes after.

Each carries who must hear of it, as the publishing service resolved it: the cadre's private
chat when it is open, the duty desk when it must hear, and where the enterprise is answered.
The reporter's acknowledgement is no outcome's business: it answers the reporter's own update
and leaves through the handler's reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.models import Cadre, TicketView
from bot.domain.outcomes import Desk, Outcome, Recipient

# A cadre's new tickets within `BURST_WINDOW` past the first `BURST_CARDS` are grouped: they
# are listed in one message held for the window instead of a card each.
BURST_CARDS = 3
BURST_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class EnterpriseChat:
    """Where an enterprise is told about its ticket: its group (quoting the report while it is
    still in the chat it was made in) or, for a private report or a park-wide group whose
    reporter opened a private chat, the reporter privately in their language."""

    recipient: Recipient
    reply_to: int | None = None


@dataclass(frozen=True)
class Created(Outcome):
    """A new ticket: announced to its cadre (or the duty desk)."""

    view: TicketView
    route: str  # primary | backup | duty
    chat_kind: str  # enterprise | park | private
    # The cadre got more than `BURST_CARDS` new tickets within `BURST_WINDOW`, this one
    # included: tell them in the window's one list, not with a card of its own.
    grouped: bool = False
    # The cadre's private chat, when it is open.
    cadre: Recipient | None = None
    # The duty desk when it must hear: a ticket routed to it, or the first ticket of a cadre
    # nobody can reach (`bot.services.reachability`); empty otherwise.
    desk: Desk = ()


@dataclass(frozen=True)
class ReportsLimited(Outcome):
    """A person reached the report limit: the admins hear it once per person per window."""

    reporter_id: int
    limit: int
    enterprise: str
    cadre: str | None  # whom the refused reports would have gone to; None: the duty desk
    # How the admins recognise the reporter (`Recipients.chat_name`): ("user", name), ...
    reporter_kind: str = "chat"
    reporter_name: str = ""
    desk: Desk = ()


@dataclass(frozen=True)
class Claimed(Outcome):
    """签收: the enterprise is told who handles its ticket."""

    view: TicketView
    enterprise: EnterpriseChat


@dataclass(frozen=True)
class Progressed(Outcome):
    """A progress note, passed on to the enterprise."""

    view: TicketView
    note: str
    enterprise: EnterpriseChat


@dataclass(frozen=True)
class Resolved(Outcome):
    """办结: the enterprise is asked to rate."""

    view: TicketView
    note: str
    enterprise: EnterpriseChat


@dataclass(frozen=True)
class Transferred(Outcome):
    """转办: the receiving cadre is told (or, unreachable, the desk once)."""

    view: TicketView
    previous: Cadre | None
    cadre: Recipient | None = None  # the receiver's private chat, when it is open
    desk: Desk = ()  # the desk, when the receiver's unreachable episode opens


@dataclass(frozen=True)
class Rated(Outcome):
    """A rating; a reopened ticket goes back to its cadre (or the desk when it has none)."""

    view: TicketView
    reopened: bool
    cadre: Recipient | None = None  # the cadre's private chat, when it is open
    # The desk: for a reopened ticket nobody is assigned, or the first of an unreachable cadre.
    desk: Desk = ()


@dataclass(frozen=True)
class AutoClosed(Outcome):
    """Closed as 未评价 after the rating window; the enterprise is told."""

    view: TicketView
    enterprise: EnterpriseChat
    days: int  # the rating window, in days
