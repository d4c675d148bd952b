"""The SQL behind the weekly airing's metrics: everything is derived from `ticket_events`.

Ticket columns are read only for what events do not carry: the owner (`assignee_id`), the due
times (`response_due_at`, `deadline_at`, the latter already moved by an approved extension) and
the supervision flag. Each query answers for one period; the service does the arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.events import EventType, Rating, decode
from bot.domain.taxonomy import UNRATED
from storage.db import Database

# Statuses in which a ticket is still being worked (mirrors bot.domain.lifecycle.OPEN_STATUSES).
_OPEN = "('new', 'claimed', 'contacted', 'in_progress')"

# "Resolved at time T": the last resolve/reopen event up to T is a resolve. Event ids follow the
# order of writing, so they break ties between events that share a timestamp.
# In per-ticket subqueries `+e.type` keeps SQLite on the (ticket_id, id) index: with the
# (type, at) index it would scan every event of that type for each ticket (minutes at 300k).
_RESOLVED_AT = (
    "(SELECT e.type FROM ticket_events e WHERE e.ticket_id = t.id"
    " AND +e.type IN ('resolve', 'reopen') AND e.at <= :as_of"
    " ORDER BY e.id DESC LIMIT 1) = 'resolve'"
)


@dataclass(frozen=True)
class Received:
    ticket_id: int
    assignee_id: int | None
    resolved: bool  # by the report time


@dataclass(frozen=True)
class ResponseDue:
    ticket_id: int
    assignee_id: int | None
    on_time: bool  # claimed and contacted by response_due_at


@dataclass(frozen=True)
class ResolvedInPeriod:
    ticket_id: int
    assignee_id: int | None
    created_at: datetime
    resolved_at: datetime  # the last resolve of the period
    deadline_at: datetime
    reopened: bool  # reopened within the period


@dataclass(frozen=True)
class Verdict:
    ticket_id: int
    assignee_id: int | None
    solved: str  # solved | partly | unsolved | unrated
    satisfaction: str  # satisfied | basic | dissatisfied | unrated


@dataclass(frozen=True)
class OpenIssue:
    ticket_id: int
    assignee_id: int | None
    assignee_name: str | None
    enterprise: str
    category: str
    content: str
    created_at: datetime
    deadline_at: datetime
    supervision_level: int


class MetricsRepo:
    """Read-only queries for one period [start, end) and a report time `as_of`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def received(self, start: datetime, end: datetime, as_of: datetime) -> list[Received]:
        """Tickets created in [start, end), each with whether it was resolved by `as_of`."""
        rows = await self.db.fetchall(
            f"SELECT t.id, t.assignee_id, {_RESOLVED_AT} AS done FROM tickets t"
            " WHERE t.created_at >= :start AND t.created_at < :end",
            {"start": to_iso(start), "end": to_iso(end), "as_of": to_iso(as_of)},
        )
        return [Received(r[0], r[1], bool(r[2])) for r in rows]

    async def received_counts(
        self, start: datetime, end: datetime, as_of: datetime
    ) -> dict[int | None, tuple[int, int]]:
        """Per owner: (received in [start, end), of those resolved by `as_of`).

        For the cumulative rate over a whole year this is the big query, so the ticket's current
        status stands in for the event log except for tickets resolved or reopened after `as_of`
        (a handful), which are replayed from their events.
        """
        rows = await self.db.fetchall(
            "SELECT t.assignee_id, COUNT(*),"
            " SUM(CASE WHEN t.id IN (SELECT ticket_id FROM ticket_events"
            "   WHERE type IN ('resolve', 'reopen') AND at > :as_of)"
            f" THEN {_RESOLVED_AT}"
            " ELSE t.status IN ('resolved', 'closed') END)"
            " FROM tickets t WHERE t.created_at >= :start AND t.created_at < :end"
            " GROUP BY t.assignee_id",
            {"start": to_iso(start), "end": to_iso(end), "as_of": to_iso(as_of)},
        )
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    async def response_due(self, start: datetime, end: datetime) -> list[ResponseDue]:
        """Tickets whose response (contact) was due in [start, end)."""
        rows = await self.db.fetchall(
            "SELECT t.id, t.assignee_id,"
            " EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id"
            "   AND +e.type = 'claim' AND e.at <= t.response_due_at)"
            " AND EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id"
            "   AND +e.type = 'contact' AND e.at <= t.response_due_at)"
            " FROM tickets t WHERE t.response_due_at >= ? AND t.response_due_at < ?",
            (to_iso(start), to_iso(end)),
        )
        return [ResponseDue(r[0], r[1], bool(r[2])) for r in rows]

    async def resolved_in(self, start: datetime, end: datetime) -> list[ResolvedInPeriod]:
        """Tickets with a resolve event in [start, end), at their last resolve of the period."""
        rows = await self.db.fetchall(
            "SELECT t.id, t.assignee_id, t.created_at, r.at, t.deadline_at,"
            " EXISTS (SELECT 1 FROM ticket_events o WHERE o.ticket_id = t.id"
            "   AND +o.type = 'reopen' AND o.at >= :start AND o.at < :end)"
            " FROM (SELECT ticket_id, MAX(at) AS at FROM ticket_events"
            "   WHERE type = 'resolve' AND at >= :start AND at < :end GROUP BY ticket_id) r"
            " JOIN tickets t ON t.id = r.ticket_id",
            {"start": to_iso(start), "end": to_iso(end)},
        )
        return [
            ResolvedInPeriod(r[0], r[1], from_iso(r[2]), from_iso(r[3]), from_iso(r[4]), bool(r[5]))
            for r in rows
        ]

    async def verdicts(self, start: datetime, end: datetime, as_of: datetime) -> list[Verdict]:
        """The verdict that counts for each ticket whose final verdict by `as_of` fell in the
        period: the latest rating (the second rating replaces the first), or 未评价 when the
        ticket closed unrated."""
        rows = await self.db.fetchall(
            "SELECT t.id, t.assignee_id, v.type, v.data"
            " FROM tickets t JOIN ticket_events v ON v.id = ("
            "   SELECT e.id FROM ticket_events e WHERE e.ticket_id = t.id AND e.at <= :as_of"
            "   AND +e.type IN (:rate, :reopen, :close) ORDER BY e.id DESC LIMIT 1)"
            " WHERE t.id IN (SELECT ticket_id FROM ticket_events"
            "   WHERE type IN (:rate, :reopen, :close) AND at >= :start AND at < :end)"
            " AND v.at >= :start AND v.at < :end",
            {
                "start": to_iso(start),
                "end": to_iso(end),
                "as_of": to_iso(as_of),
                "rate": EventType.RATE.value,
                "reopen": EventType.REOPEN.value,
                "close": EventType.CLOSE.value,
            },
        )
        found: list[Verdict] = []
        for r in rows:
            event = decode(r[2], json.loads(r[3]))
            if isinstance(event, Rating):
                found.append(Verdict(r[0], r[1], event.solved, event.satisfaction))
            else:  # closed without a rating: 未评价
                found.append(Verdict(r[0], r[1], UNRATED, UNRATED))
        return found

    async def open_issues(self, now: datetime) -> list[OpenIssue]:
        """Open tickets that are overdue at `now` or under supervision (督办), oldest first."""
        rows = await self.db.fetchall(
            "SELECT t.id, t.assignee_id, c.name, e.name, t.category, t.content, t.created_at,"
            " t.deadline_at, t.supervision_level FROM tickets t"
            " JOIN enterprises e ON e.id = t.enterprise_id"
            " LEFT JOIN cadres c ON c.id = t.assignee_id"
            f" WHERE t.status IN {_OPEN} AND (t.deadline_at < ? OR t.supervision_level > 0)"
            " ORDER BY t.created_at, t.id",
            (to_iso(now),),
        )
        return [
            OpenIssue(r[0], r[1], r[2], r[3], r[4], r[5], from_iso(r[6]), from_iso(r[7]), int(r[8]))
            for r in rows
        ]

    async def cadre_names(self) -> dict[int, str]:
        """Every cadre on the roster, by id."""
        rows = await self.db.fetchall("SELECT id, name FROM cadres ORDER BY id")
        return {int(r[0]): str(r[1]) for r in rows}
