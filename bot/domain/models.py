"""Plain domain objects returned by repositories and services (no I/O, no Telegram)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.events import Event, EventType
from bot.domain.lifecycle import Status


class Role(StrEnum):
    CADRE = "cadre"
    LEADER = "leader"
    ADMIN = "admin"


@dataclass(frozen=True)
class Cadre:
    id: int
    name: str
    phone: str | None
    role: Role
    leader_id: int | None
    telegram_id: int | None
    on_leave: bool


@dataclass(frozen=True)
class Enterprise:
    id: int
    name: str
    credit_code: str | None
    industry: str | None
    grid: str | None


@dataclass(frozen=True)
class Assignment:
    enterprise_id: int
    primary_cadre_id: int | None
    backup_cadre_id: int | None


@dataclass(frozen=True)
class ChatBinding:
    chat_id: int
    kind: str  # enterprise | park | jobs | logistics
    enterprise_id: int | None
    title: str


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved on the server from the Telegram user id for every action."""

    telegram_id: int
    cadre: Cadre | None = None
    enterprise_id: int | None = None  # set when the user is an enterprise contact (first bound)
    config_admin: bool = False
    # The group the action comes from (None: a private chat). What an enterprise member sees
    # there is narrowed to what that group may see (bot/services/tickets/access.py).
    venue: ChatBinding | None = None
    # Every enterprise the user is a contact of (a contact may serve several).
    enterprise_ids: frozenset[int] = frozenset()

    def contact_of(self, enterprise_id: int | None) -> bool:
        """Whether the user is a contact of `enterprise_id` (any of theirs, not just the first)."""
        return enterprise_id is not None and (
            enterprise_id == self.enterprise_id or enterprise_id in self.enterprise_ids
        )

    @property
    def is_admin(self) -> bool:
        return self.config_admin or (self.cadre is not None and self.cadre.role is Role.ADMIN)

    @property
    def is_staff(self) -> bool:
        """Cadres, leaders and admins: the administration side."""
        return self.is_admin or self.cadre is not None


@dataclass(frozen=True)
class Attachment:
    id: int
    ticket_id: int
    kind: str
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None


@dataclass(frozen=True)
class Ticket:
    id: int
    enterprise_id: int
    reporter_id: int
    chat_id: int
    source_message_id: int
    kind: str
    category: str
    urgency: str
    content: str
    status: Status
    assignee_id: int | None
    deadline_at: datetime
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    solved_rating: str | None
    satisfaction: str | None
    supervision_level: int
    # Sign and contact deadlines (None on tickets older than the deadline rules).
    claim_due_at: datetime | None = None
    response_due_at: datetime | None = None
    # Where it was reported: "group" (a bound group) or "private" (私信 to the bot).
    channel: str = "group"


@dataclass(frozen=True)
class TicketEvent:
    """One entry of a ticket's event log: the typed event with who, when and the status move."""

    id: int
    ticket_id: int
    event: Event
    actor_id: int | None
    from_status: Status | None
    to_status: Status | None
    at: datetime

    @property
    def type(self) -> EventType:
        return self.event.TYPE


@dataclass(frozen=True)
class TicketView:
    """A ticket with the names a reader needs, for rendering."""

    ticket: Ticket
    enterprise: Enterprise
    assignee: Cadre | None
    reopen_count: int
    attachments: list[Attachment] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)


@dataclass(frozen=True)
class ExtensionRequest:
    """An assignee's request for more working days (延期), and the leader's answer."""

    id: int
    ticket_id: int
    cadre_id: int
    days: int
    reason: str
    status: str  # pending | approved | refused
    requested_at: datetime
    decided_at: datetime | None
    decided_by: int | None
