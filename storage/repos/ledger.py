"""The ticket ledger (问题台账): one row per ticket received in a period, and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.events import EventType
from bot.domain.ledger import LedgerRow, Person
from bot.domain.models import TicketEvent
from storage.interface import SqlDatabase
from storage.repos.tickets import event_of


def _time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def _window(
    start: datetime, end: datetime, cadre_ids: Sequence[int] | None
) -> tuple[str, dict[str, object]]:
    """The WHERE clause on `tickets t`: created in [start, end), assigned to `cadre_ids`."""
    where = "t.created_at >= :start AND t.created_at < :end"
    params: dict[str, object] = {"start": to_iso(start), "end": to_iso(end)}
    if cadre_ids is not None:
        # Placeholder names only: the ids themselves are bound as parameters.
        names = [f"cadre{i}" for i in range(len(cadre_ids))]
        where += f" AND t.assignee_id IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, cadre_ids, strict=True))
    return where, params


class LedgerRepo:
    """Reads for the ledger export."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def rows(
        self, start: datetime, end: datetime, *, cadre_ids: Sequence[int] | None = None
    ) -> list[LedgerRow]:
        """Tickets created in [start, end), by number; only those assigned to `cadre_ids`."""
        where, params = _window(start, end, cadre_ids)
        # The ticket's own events are few: walk them by ticket rather than by type.
        mine, of_type = "ticket_id = t.id", f"{self.db.dialect.unindexed('type')} = "
        rows = await self.db.fetchall(
            "SELECT t.id, e.name, t.category, t.kind, t.content, c.name, t.created_at,"
            " t.deadline_at,"
            f" (SELECT MIN(at) FROM ticket_events WHERE {mine} AND {of_type}:claim_type),"
            f" (SELECT MAX(at) FROM ticket_events WHERE {mine} AND {of_type}:resolve_type),"
            " t.status, t.solved_rating, t.satisfaction,"
            f" (SELECT COUNT(*) FROM ticket_events WHERE {mine} AND {of_type}:reopen_type),"
            " t.supervision_level, t.channel"
            " FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id"
            " LEFT JOIN cadres c ON c.id = t.assignee_id"
            f" WHERE {where} ORDER BY t.id",
            {
                **params,
                "claim_type": EventType.CLAIM.value,
                "resolve_type": EventType.RESOLVE.value,
                "reopen_type": EventType.REOPEN.value,
            },
        )
        return [
            LedgerRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                from_iso(r[6]),
                from_iso(r[7]),
                _time(r[8]),
                _time(r[9]),
                r[10],
                r[11],
                r[12],
                int(r[13]),
                int(r[14]),
                r[15],
            )
            for r in rows
        ]

    async def events(
        self, start: datetime, end: datetime, *, cadre_ids: Sequence[int] | None = None
    ) -> list[TicketEvent]:
        """Every event of the tickets `rows` returns, typed, in order."""
        where, params = _window(start, end, cadre_ids)
        rows = await self.db.fetchall(
            "SELECT v.* FROM ticket_events v JOIN tickets t ON t.id = v.ticket_id"
            f" WHERE {where} ORDER BY v.ticket_id, v.id",
            params,
        )
        return [event_of(r) for r in rows]

    async def people(
        self, start: datetime, end: datetime, *, cadre_ids: Sequence[int] | None = None
    ) -> dict[int, Person]:
        """Everyone who acted on the tickets `rows` returns, by Telegram id."""
        where, params = _window(start, end, cadre_ids)
        rows = await self.db.fetchall(
            "SELECT a.actor_id, c.name, e.name, u.first_name FROM"
            " (SELECT DISTINCT v.actor_id FROM ticket_events v JOIN tickets t ON t.id = v.ticket_id"
            f"  WHERE {where} AND v.actor_id IS NOT NULL) a"
            " LEFT JOIN cadres c ON c.telegram_id = a.actor_id"
            " LEFT JOIN contacts k ON k.telegram_id = a.actor_id"
            " LEFT JOIN enterprises e ON e.id = k.enterprise_id"
            " LEFT JOIN users u ON u.telegram_id = a.actor_id",
            params,
        )
        return {int(r[0]): Person(int(r[0]), r[1], r[2], r[3] or None) for r in rows}

    async def cadre_names(self) -> dict[int, str]:
        """Every cadre on the roster by id (transfer and assignment events carry cadre ids)."""
        rows = await self.db.fetchall("SELECT id, name FROM cadres")
        return {int(r[0]): str(r[1]) for r in rows}
