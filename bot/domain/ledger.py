"""The ledger export (问题台账) as data: the tickets of a date range, their events and figures.

Read by `bot.services.ledger` (rows from `storage.repos.ledger`), written as a workbook by
`bot.render.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.figures import CadreMetrics, Metrics
from bot.domain.models import TicketEvent


@dataclass(frozen=True)
class LedgerRow:
    id: int
    enterprise: str
    category: str
    kind: str
    content: str
    cadre: str | None
    created_at: datetime
    deadline_at: datetime
    claimed_at: datetime | None
    resolved_at: datetime | None
    status: str
    solved_rating: str | None
    satisfaction: str | None
    reopens: int
    supervision_level: int
    channel: str  # group | private (私信)


@dataclass(frozen=True)
class Person:
    """Who a Telegram user is, for the 办理记录's 操作人 column."""

    telegram_id: int
    cadre: str | None  # the roster name of a cadre, leader or admin
    enterprise: str | None  # the enterprise of a contact
    first_name: str | None  # the Telegram name the bot last saw


@dataclass(frozen=True)
class Ledger:
    """What the workbook shows: the tickets, their events with who acted, and the figures."""

    park_name: str
    start: date
    end: date  # inclusive
    rows: list[LedgerRow]
    events: list[TicketEvent]
    park: Metrics
    cadres: list[CadreMetrics]
    people: dict[int, Person] = field(default_factory=dict)  # actors by Telegram id
    cadre_names: dict[int, str] = field(default_factory=dict)  # by roster id
