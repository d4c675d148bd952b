"""Extensions (延期), escalation steps, daily briefs and calendar warnings.

Every "happens once" rule of the deadline half is a unique key here: `claim_step`,
`claim_brief` and `claim_calendar_warning` return False when the step was already taken, so a job
that runs twice (or again after a restart) does nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import from_iso, to_iso
from bot.domain.events import EventType
from bot.domain.lifecycle import Status
from bot.domain.models import ExtensionRequest, Ticket
from storage.interface import Row, SqlDatabase
from storage.repos.tickets import _ticket


def _request(row: Row) -> ExtensionRequest:
    return ExtensionRequest(
        id=row["id"],
        ticket_id=row["ticket_id"],
        cadre_id=row["cadre_id"],
        days=row["days"],
        reason=row["reason"],
        status=row["status"],
        requested_at=from_iso(row["requested_at"]),
        decided_at=from_iso(row["decided_at"]) if row["decided_at"] else None,
        decided_by=row["decided_by"],
    )


class DeadlineRepo:
    """SQL for extension_requests, escalation_steps, daily_briefs and calendar_warnings."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # -- extensions ---------------------------------------------------------------------------
    async def add_request(
        self, ticket_id: int, cadre_id: int, days: int, reason: str, now: datetime
    ) -> int:
        return await self.db.insert(
            "INSERT INTO extension_requests (ticket_id, cadre_id, days, reason, requested_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (ticket_id, cadre_id, days, reason, to_iso(now)),
        )

    async def request(self, request_id: int) -> ExtensionRequest | None:
        row = await self.db.fetchone("SELECT * FROM extension_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def requests_for(self, ticket_id: int) -> list[ExtensionRequest]:
        rows = await self.db.fetchall(
            "SELECT * FROM extension_requests WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [_request(r) for r in rows]

    async def decide(self, request_id: int, status: str, by: int, now: datetime) -> bool:
        """Mark a pending request approved or refused; False if it was not pending any more."""
        changed = await self.db.execute(
            "UPDATE extension_requests SET status = ?, decided_at = ?, decided_by = ?"
            " WHERE id = ? AND status = 'pending'",
            (status, to_iso(now), by, request_id),
        )
        return changed == 1

    # -- escalation steps ---------------------------------------------------------------------
    async def claim_step(self, ticket_id: int, step: str, now: datetime) -> bool:
        """Record that `step` happened for the ticket; False if it already had."""
        changed = await self.db.execute(
            "INSERT INTO escalation_steps (ticket_id, step, at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (ticket_id, step, to_iso(now)),
        )
        return changed == 1

    async def steps_of(self, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {i: set() for i in ticket_ids}
        if not ticket_ids:
            return found
        marks = ", ".join("?" for _ in ticket_ids)
        rows = await self.db.fetchall(
            f"SELECT ticket_id, step FROM escalation_steps WHERE ticket_id IN ({marks})",
            tuple(ticket_ids),
        )
        for row in rows:
            found[row["ticket_id"]].add(row["step"])
        return found

    async def event_counts(self, ticket_ids: Sequence[int], type_: EventType) -> dict[int, int]:
        """How many events of `type_` each ticket has (tickets without any are left out)."""
        if not ticket_ids:
            return {}
        marks = ", ".join("?" for _ in ticket_ids)
        rows = await self.db.fetchall(
            f"SELECT ticket_id, COUNT(*) AS n FROM ticket_events WHERE type = ?"
            f" AND ticket_id IN ({marks}) GROUP BY ticket_id",
            (type_.value, *ticket_ids),
        )
        return {r["ticket_id"]: int(r["n"]) for r in rows}

    # -- lists for people -----------------------------------------------------------------------
    async def tickets_of_cadres(
        self, cadre_ids: Sequence[int] | None, statuses: Sequence[Status], limit: int = 500
    ) -> list[Ticket]:
        """Tickets in `statuses` assigned to `cadre_ids` (None: every ticket, for admins)."""
        marks = ", ".join("?" for _ in statuses)
        params: list[object] = [s.value for s in statuses]
        where = f"status IN ({marks})"
        if cadre_ids is not None:
            if not cadre_ids:
                return []
            where += f" AND assignee_id IN ({', '.join('?' for _ in cadre_ids)})"
            params += list(cadre_ids)
        rows = await self.db.fetchall(
            f"SELECT * FROM tickets WHERE {where} ORDER BY deadline_at, id LIMIT ?",
            (*params, limit),
        )
        return [_ticket(r) for r in rows]

    async def created_between(
        self, cadre_ids: Sequence[int], start: datetime, end: datetime
    ) -> list[Ticket]:
        if not cadre_ids:
            return []
        marks = ", ".join("?" for _ in cadre_ids)
        rows = await self.db.fetchall(
            f"SELECT * FROM tickets WHERE assignee_id IN ({marks})"
            " AND created_at >= ? AND created_at < ? ORDER BY id",
            (*cadre_ids, to_iso(start), to_iso(end)),
        )
        return [_ticket(r) for r in rows]

    async def with_event_between(
        self, cadre_ids: Sequence[int], type_: EventType, start: datetime, end: datetime
    ) -> list[Ticket]:
        """Tickets of the cadres that got an event of `type_` in [start, end)."""
        if not cadre_ids:
            return []
        marks = ", ".join("?" for _ in cadre_ids)
        rows = await self.db.fetchall(
            f"SELECT * FROM tickets WHERE assignee_id IN ({marks}) AND id IN"
            " (SELECT ticket_id FROM ticket_events WHERE type = ? AND at >= ? AND at < ?)"
            " ORDER BY id",
            (*cadre_ids, type_.value, to_iso(start), to_iso(end)),
        )
        return [_ticket(r) for r in rows]

    # -- once-per-day and once-per-year facts ---------------------------------------------------
    async def claim_brief(self, cadre_id: int, day: date, now: datetime) -> bool:
        """Record the daily brief of `cadre_id` for `day`; False if it was already sent."""
        changed = await self.db.execute(
            "INSERT INTO daily_briefs (cadre_id, day, sent_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (cadre_id, day.isoformat(), to_iso(now)),
        )
        return changed == 1

    async def last_brief_at(self, cadre_id: int) -> datetime | None:
        value = await self.db.fetchval(
            "SELECT MAX(sent_at) FROM daily_briefs WHERE cadre_id = ?", (cadre_id,)
        )
        return from_iso(value) if value else None

    async def claim_calendar_warning(self, year: int, now: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT INTO calendar_warnings (year, warned_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (year, to_iso(now)),
        )
        return changed == 1
