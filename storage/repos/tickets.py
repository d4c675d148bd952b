"""Tickets, their append-only event log and their attachments."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_iso, to_iso
from bot.domain.events import Event, EventType, decode
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Attachment, Ticket, TicketEvent
from storage.interface import Row, SqlDatabase


def _opt_time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def _ticket(row: Row | Mapping[str, Any]) -> Ticket:
    return Ticket(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        reporter_id=row["reporter_id"],
        chat_id=row["chat_id"],
        source_message_id=row["source_message_id"],
        kind=row["kind"],
        category=row["category"],
        urgency=row["urgency"],
        content=row["content"],
        status=Status(row["status"]),
        assignee_id=row["assignee_id"],
        deadline_at=from_iso(row["deadline_at"]),
        created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]),
        resolved_at=_opt_time(row["resolved_at"]),
        closed_at=_opt_time(row["closed_at"]),
        solved_rating=row["solved_rating"],
        satisfaction=row["satisfaction"],
        supervision_level=row["supervision_level"],
        claim_due_at=_opt_time(row["claim_due_at"]),
        response_due_at=_opt_time(row["response_due_at"]),
        channel=row["channel"],
    )


def event_of(row: Row) -> TicketEvent:
    """A `ticket_events` row (every column) as a typed event."""
    return TicketEvent(
        id=row["id"],
        ticket_id=row["ticket_id"],
        event=decode(row["type"], json.loads(row["data"])),
        actor_id=row["actor_id"],
        from_status=Status(row["from_status"]) if row["from_status"] else None,
        to_status=Status(row["to_status"]) if row["to_status"] else None,
        at=from_iso(row["at"]),
    )


@dataclass(frozen=True)
class IntakeCheck:
    """What a report's intake checks before it writes, read in one statement."""

    existing_id: int | None  # the ticket this message already is
    by_reporter: int  # the reporter's tickets since the limit window began
    to_assignee: int  # the cadre's new tickets since the burst window began


@dataclass(frozen=True)
class DueTicket:
    """A ticket whose next step time has come, with that time as stored (to compare later)."""

    ticket: Ticket
    next_step_at: str
    updated_at: str  # as stored: both are compared before a sweep-only write


# The columns a new ticket leaves to the schema, as a read gives them back (see `insert`).
_SCHEMA_DEFAULTS: dict[str, Any] = {
    "resolved_at": None,
    "closed_at": None,
    "solved_rating": None,
    "satisfaction": None,
    "supervision_level": 0,
}


# Columns a service may change through `update`; anything else is a programming error.
_UPDATABLE = frozenset(
    {
        "status",
        "assignee_id",
        "kind",
        "category",
        "urgency",
        "deadline_at",
        "resolved_at",
        "closed_at",
        "solved_rating",
        "satisfaction",
        "supervision_level",
        "claim_due_at",
        "response_due_at",
        "next_step_at",
    }
)
# Columns the next step's moment depends on: a change of any of them must carry the new
# `next_step_at` in the same statement (see `bot.services.tickets.next_step`), or the sweep
# misses it.
SCHEDULED = frozenset(
    {"status", "deadline_at", "claim_due_at", "response_due_at", "supervision_level"}
)


class TicketRepo:
    """SQL for tickets, ticket_events and attachments."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.db.fetchone("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return _ticket(row) if row else None

    async def by_source(self, chat_id: int, message_id: int) -> Ticket | None:
        row = await self.db.fetchone(
            "SELECT * FROM tickets WHERE chat_id = ? AND source_message_id = ?",
            (chat_id, message_id),
        )
        return _ticket(row) if row else None

    async def intake_check(
        self,
        chat_id: int,
        message_id: int,
        *,
        reporter_id: int,
        reporter_since: datetime,
        assignee_id: int | None,
        assignee_since: datetime,
    ) -> IntakeCheck:
        """Whether a message is a ticket already, and the counts a report is limited by.

        One statement: the report path runs it for every report (see the statement budget).
        """
        source = (chat_id, message_id)
        counts = (reporter_id, to_iso(reporter_since), assignee_id, to_iso(assignee_since))
        row = await self.db.fetchone(
            "SELECT (SELECT id FROM tickets WHERE chat_id = ? AND source_message_id = ?),"
            " (SELECT COUNT(*) FROM tickets WHERE reporter_id = ? AND created_at >= ?),"
            " (SELECT COUNT(*) FROM tickets WHERE assignee_id = ? AND created_at >= ?)",
            (*source, *counts),
        )
        assert row is not None
        return IntakeCheck(row[0], int(row[1]), int(row[2]))

    async def insert(
        self,
        *,
        enterprise_id: int,
        reporter_id: int,
        chat_id: int,
        source_message_id: int,
        kind: str,
        category: str,
        urgency: str,
        content: str,
        status: Status,
        assignee_id: int | None,
        deadline_at: datetime,
        now: datetime,
        claim_due_at: datetime | None = None,
        response_due_at: datetime | None = None,
        channel: str = "group",
        next_step_at: datetime | None,
    ) -> Ticket:
        """Insert a new ticket; return it as `get` would read it back, without reading it."""
        stamp = to_iso(now)
        written: dict[str, Any] = {
            "enterprise_id": enterprise_id,
            "reporter_id": reporter_id,
            "chat_id": chat_id,
            "source_message_id": source_message_id,
            "kind": kind,
            "category": category,
            "urgency": urgency,
            "content": content,
            "status": status.value,
            "assignee_id": assignee_id,
            "deadline_at": to_iso(deadline_at),
            "created_at": stamp,
            "updated_at": stamp,
            "claim_due_at": to_iso(claim_due_at) if claim_due_at else None,
            "response_due_at": to_iso(response_due_at) if response_due_at else None,
            "channel": channel,
            "next_step_at": to_iso(next_step_at) if next_step_at else None,
        }
        ticket_id = await self.db.insert(
            f"INSERT INTO tickets ({', '.join(written)})"
            f" VALUES ({', '.join('?' for _ in written)})",
            tuple(written.values()),
        )
        return _ticket({**_SCHEMA_DEFAULTS, **written, "id": ticket_id})

    async def update(self, ticket_id: int, now: datetime, **changes: Any) -> None:
        """Set the given columns (whitelisted) and bump updated_at.

        Raises:
            ValueError: an unknown column, or a scheduled column changed without the new
                `next_step_at` beside it.
        """
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update ticket columns {sorted(unknown)}")
        if SCHEDULED & set(changes) and "next_step_at" not in changes:
            raise ValueError("a change of status or deadlines must set next_step_at with it")
        values: list[Any] = []
        for value in changes.values():
            if isinstance(value, Status):
                values.append(value.value)
            elif isinstance(value, datetime):
                values.append(to_iso(value))
            else:
                values.append(value)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self.db.execute(
            f"UPDATE tickets SET {assignments}, updated_at = ? WHERE id = ?",
            (*values, to_iso(now), ticket_id),
        )

    async def set_next_step(self, ticket_id: int, at: datetime | None) -> None:
        """Store when the ticket's next step falls due (None: never); not a visible change."""
        await self.db.execute(
            "UPDATE tickets SET next_step_at = ? WHERE id = ?",
            (to_iso(at) if at else None, ticket_id),
        )

    async def due_for_steps(self, now: datetime, limit: int) -> list[DueTicket]:
        """Tickets whose next step falls due at `now` or earlier, the longest due first."""
        rows = await self.db.fetchall(
            "SELECT * FROM tickets WHERE next_step_at <= ? ORDER BY next_step_at, id LIMIT ?",
            (to_iso(now), limit),
        )
        return [DueTicket(_ticket(r), r["next_step_at"], r["updated_at"]) for r in rows]

    async def reschedule_unchanged(
        self, moves: Sequence[tuple[DueTicket, datetime | None]]
    ) -> None:
        """Store new next step times, skipping any ticket written since it was read as due."""
        await self.db.executemany(
            "UPDATE tickets SET next_step_at = ?"
            " WHERE id = ? AND next_step_at = ? AND updated_at = ?",
            [
                (
                    to_iso(at) if at else None,
                    due.ticket.id,
                    due.next_step_at,
                    due.updated_at,
                )
                for due, at in moves
            ],
        )

    async def reschedule_open(self, now: datetime) -> int:
        """Make every open ticket due now (its stored moment was computed under other rules)."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        return await self.db.execute(
            f"UPDATE tickets SET next_step_at = ? WHERE status IN ({marks})",
            (to_iso(now), *sorted(s.value for s in OPEN_STATUSES)),
        )

    async def list_for_assignee(
        self, cadre_id: int, statuses: Sequence[Status], limit: int = 50
    ) -> list[Ticket]:
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT * FROM tickets WHERE assignee_id = ? AND status IN ({marks})"
            " ORDER BY deadline_at, id LIMIT ?",
            (cadre_id, *[s.value for s in statuses], limit),
        )
        return [_ticket(r) for r in rows]

    async def list_for_enterprise(self, enterprise_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self.db.fetchall(
            "SELECT * FROM tickets WHERE enterprise_id = ? ORDER BY id DESC LIMIT ?",
            (enterprise_id, limit),
        )
        return [_ticket(r) for r in rows]

    async def list_unassigned(self, statuses: Sequence[Status], limit: int = 50) -> list[Ticket]:
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT * FROM tickets WHERE assignee_id IS NULL AND status IN ({marks})"
            " ORDER BY id LIMIT ?",
            (*[s.value for s in statuses], limit),
        )
        return [_ticket(r) for r in rows]

    async def resolved_before(self, cutoff: datetime, limit: int = 500) -> list[Ticket]:
        rows = await self.db.fetchall(
            "SELECT * FROM tickets WHERE status = 'resolved' AND resolved_at <= ?"
            " ORDER BY resolved_at LIMIT ?",
            (to_iso(cutoff), limit),
        )
        return [_ticket(r) for r in rows]

    # -- events -------------------------------------------------------------------------------
    async def record(
        self,
        ticket_id: int,
        event: Event,
        *,
        actor_id: int | None,
        at: datetime,
        from_status: Status | None = None,
        to_status: Status | None = None,
    ) -> int:
        """Append one event to the ticket's log: the only writer of `ticket_events`."""
        return await self.db.insert(
            "INSERT INTO ticket_events (ticket_id, type, actor_id, from_status, to_status, data,"
            " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                ticket_id,
                event.TYPE.value,
                actor_id,
                from_status.value if from_status else None,
                to_status.value if to_status else None,
                json.dumps(event.payload(), ensure_ascii=False),
                to_iso(at),
            ),
        )

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self.db.fetchall(
            "SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [event_of(r) for r in rows]

    async def count_events(self, ticket_id: int, type_: EventType) -> int:
        value = await self.db.fetchval(
            "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND type = ?",
            (ticket_id, type_.value),
        )
        return int(value or 0)

    # -- attachments ------------------------------------------------------------------------------
    async def add_attachment(
        self,
        ticket_id: int,
        *,
        kind: str,
        file_id: str,
        file_unique_id: str,
        file_name: str | None,
        mime_type: str | None,
        now: datetime,
    ) -> None:
        await self.db.execute(
            "INSERT INTO attachments (ticket_id, kind, file_id, file_unique_id,"
            " file_name, mime_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (ticket_id, kind, file_id, file_unique_id, file_name, mime_type, to_iso(now)),
        )

    async def attachments(self, ticket_id: int) -> list[Attachment]:
        rows = await self.db.fetchall(
            "SELECT * FROM attachments WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [
            Attachment(
                id=r["id"],
                ticket_id=r["ticket_id"],
                kind=r["kind"],
                file_id=r["file_id"],
                file_unique_id=r["file_unique_id"],
                file_name=r["file_name"],
                mime_type=r["mime_type"],
            )
            for r in rows
        ]
