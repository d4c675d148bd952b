"""Ticket lists for the dashboard: one filtered, paged query, and the enterprises in a scope.

The scope (which cadres' tickets, or one enterprise's) is decided by the service; this module
only turns it into SQL. Rows carry the names a list needs, so a page is one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import to_iso
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Ticket
from storage.interface import SqlDatabase
from storage.repos.tickets import _ticket

_OPEN = sorted(OPEN_STATUSES)


@dataclass(frozen=True)
class TicketQuery:
    """What to list. `cadre_ids` None = every cadre and the duty desk (admins)."""

    cadre_ids: Sequence[int] | None = None
    enterprise_ids: Sequence[int] | None = None  # None: every enterprise
    status: str | None = None
    overdue_at: datetime | None = None  # open and past the deadline at this moment
    supervised: bool = False
    category: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    enterprise: str
    assignee: str | None


class SearchRepo:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def tickets(self, query: TicketQuery) -> list[TicketRow]:
        """Tickets matching `query`, newest first (at most `limit` from `offset`)."""
        where: list[str] = []
        params: list[Any] = []
        if query.cadre_ids is not None:
            if not query.cadre_ids:
                return []
            where.append(f"t.assignee_id IN ({','.join('?' * len(query.cadre_ids))})")
            params += list(query.cadre_ids)
        if query.enterprise_ids is not None:
            if not query.enterprise_ids:
                return []
            where.append(f"t.enterprise_id IN ({','.join('?' * len(query.enterprise_ids))})")
            params += list(query.enterprise_ids)
        if query.status is not None:
            where.append("t.status = ?")
            params.append(query.status)
        if query.overdue_at is not None:
            where.append(f"t.status IN ({','.join('?' * len(_OPEN))}) AND t.deadline_at < ?")
            params += [*(s.value for s in _OPEN), to_iso(query.overdue_at)]
        if query.supervised:
            where.append("t.supervision_level > 0")
        if query.category is not None:
            where.append("t.category = ?")
            params.append(query.category)
        if query.created_from is not None:
            where.append("t.created_at >= ?")
            params.append(to_iso(query.created_from))
        if query.created_until is not None:
            where.append("t.created_at < ?")
            params.append(to_iso(query.created_until))
        sql = (
            "SELECT t.*, e.name AS enterprise_name, c.name AS assignee_name FROM tickets t"
            " JOIN enterprises e ON e.id = t.enterprise_id"
            " LEFT JOIN cadres c ON c.id = t.assignee_id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY t.id DESC LIMIT ? OFFSET ?"
        rows = await self.db.fetchall(sql, [*params, query.limit, query.offset])
        return [TicketRow(_ticket(r), r["enterprise_name"], r["assignee_name"]) for r in rows]

    async def enterprises(
        self, cadre_ids: Sequence[int] | None, enterprise_ids: Sequence[int] | None = None
    ) -> list[tuple[int, str]]:
        """(id, name) of the enterprises in a scope: 包联 by these cadres, or just these."""
        if enterprise_ids is not None:
            if not enterprise_ids:
                return []
            rows = await self.db.fetchall(
                "SELECT id, name FROM enterprises"
                f" WHERE id IN ({','.join('?' * len(enterprise_ids))}) ORDER BY name",
                list(enterprise_ids),
            )
        elif cadre_ids is None:
            rows = await self.db.fetchall("SELECT id, name FROM enterprises ORDER BY name")
        elif not cadre_ids:
            return []
        else:
            marks = ",".join("?" * len(cadre_ids))
            rows = await self.db.fetchall(
                "SELECT e.id, e.name FROM enterprises e JOIN assignments a"
                " ON a.enterprise_id = e.id"
                f" WHERE a.primary_cadre_id IN ({marks}) OR a.backup_cadre_id IN ({marks})"
                " ORDER BY e.name",
                [*cadre_ids, *cadre_ids],
            )
        return [(r["id"], r["name"]) for r in rows]
