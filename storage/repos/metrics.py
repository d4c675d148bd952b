"""The SQL behind the weekly airing's metrics: everything is derived from `ticket_events`.

Ticket columns are read only for what events do not carry: the owner (`assignee_id`), the
response due time and, for the open issues of the moment, the deadline and the supervision flag.
按期 reads the deadline each `Resolve` event carries (the one in force then), never the ticket's
current deadline, which a later reopen moves. Event type names come from `bot.domain.events` and
payloads are decoded into its classes, so these queries and the writers cannot drift apart. The
service applies the rules; the queries only pick the tickets a period touches and hand over their
histories.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.events import RESPONSES, VERDICTS, EventType, decode
from bot.domain.figures import OpenIssue
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.metric_rules import Logged, TicketHistory
from storage.dialect import Dialect
from storage.interface import SqlDatabase

# The events a period's figures read: responses, resolutions and reopenings, verdicts (a rating,
# or the close without one) and transfers (a transfer starts a fresh response window).
_READ = sorted({*RESPONSES, *VERDICTS, EventType.RESOLVE, EventType.CLOSE, EventType.TRANSFER})
_STATE = (EventType.RESOLVE.value, EventType.REOPEN.value)
_OPEN = sorted(s.value for s in OPEN_STATUSES)
_DONE = (Status.RESOLVED.value, Status.CLOSED.value)


def _marks(prefix: str, values: list[str] | tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """Named SQL parameters for a list of values: ("(:p0, :p1)", {"p0": ..., "p1": ...})."""
    names = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{name}" for name in names) + ")", names


_READ_SQL, _READ_PARAMS = _marks("read", [t.value for t in _READ])
_STATE_SQL, _STATE_PARAMS = _marks("state", _STATE)
_OPEN_SQL, _OPEN_PARAMS = _marks("open", _OPEN)
_DONE_SQL, _DONE_PARAMS = _marks("done", _DONE)

# "Resolved at time T": the last resolve/reopen event up to T is a resolve. Event ids follow the
# order of writing, so they break ties between events that share a timestamp.


def _resolved_at(dialect: Dialect) -> str:
    """The condition "resolved at `:as_of`" for the ticket `t`.

    In per-ticket subqueries `unindexed(e.type)` keeps SQLite on the (ticket_id, id) index:
    with the (type, at) index it would scan every event of that type for each ticket (minutes
    at 300k).
    """
    return (
        "(SELECT e.type FROM ticket_events e WHERE e.ticket_id = t.id"
        f" AND {dialect.unindexed('e.type')} IN {_STATE_SQL} AND e.at <= :as_of"
        " ORDER BY e.id DESC LIMIT 1) = :state0"
    )


@dataclass(frozen=True)
class Received:
    ticket_id: int
    assignee_id: int | None
    resolved: bool  # by the report time


@dataclass(frozen=True)
class RosterCadre:
    id: int
    name: str
    role: str


class MetricsRepo:
    """Read-only queries for one period [start, end) and a report time `as_of`."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def received(self, start: datetime, end: datetime, as_of: datetime) -> list[Received]:
        """Tickets created in [start, end), each with whether it was resolved by `as_of`."""
        rows = await self.db.fetchall(
            f"SELECT t.id, t.assignee_id, {_resolved_at(self.db.dialect)} AS done FROM tickets t"
            " WHERE t.created_at >= :start AND t.created_at < :end",
            {"start": to_iso(start), "end": to_iso(end), "as_of": to_iso(as_of), **_STATE_PARAMS},
        )
        return [Received(r[0], r[1], bool(r[2])) for r in rows]

    async def received_counts(
        self, start: datetime, end: datetime, as_of: datetime
    ) -> dict[int | None, tuple[int, int]]:
        """Per owner: (received in [start, end), of those resolved by `as_of`).

        For the cumulative rate over a whole year this is the big query, so the ticket's current
        status stands in for the event log (one pass over the covering index of 0010), then the
        few tickets resolved or reopened after `as_of` are replayed from their events.
        """
        params = {"start": to_iso(start), "end": to_iso(end), "as_of": to_iso(as_of)}
        rows = await self.db.fetchall(
            "SELECT assignee_id, COUNT(*),"
            f" SUM(CASE WHEN status IN {_DONE_SQL} THEN 1 ELSE 0 END) FROM tickets"
            " WHERE created_at >= :start AND created_at < :end GROUP BY assignee_id",
            {**params, **_DONE_PARAMS},
        )
        counts = {r[0]: [int(r[1]), int(r[2] or 0)] for r in rows}
        later = await self.db.fetchall(
            f"SELECT t.assignee_id, t.status IN {_DONE_SQL}, {_resolved_at(self.db.dialect)}"
            " FROM tickets t"
            " WHERE t.id IN (SELECT ticket_id FROM ticket_events"
            f"   WHERE type IN {_STATE_SQL} AND at > :as_of)"
            " AND t.created_at >= :start AND t.created_at < :end",
            {**params, **_DONE_PARAMS, **_STATE_PARAMS},
        )
        for owner, now_done, then_done in later:
            counts[owner][1] += int(bool(then_done)) - int(bool(now_done))
        return {owner: (count, done) for owner, (count, done) in counts.items()}

    async def histories(
        self, start: datetime, end: datetime, as_of: datetime
    ) -> list[TicketHistory]:
        """Every ticket the period touches, with the events the figures read, up to `as_of`.

        Touched: received in the period, its response due in it, or a response, resolution,
        reopening or verdict recorded in it.
        """
        params = {"start": to_iso(start), "end": to_iso(end), "as_of": to_iso(as_of)}
        touched = (
            "SELECT id FROM tickets WHERE created_at >= :start AND created_at < :end"
            " UNION SELECT id FROM tickets"
            "   WHERE response_due_at >= :start AND response_due_at < :end"
            " UNION SELECT ticket_id FROM ticket_events"
            f"   WHERE type IN {_READ_SQL} AND at >= :start AND at < :end"
        )
        rows = await self.db.fetchall(
            "SELECT t.id, t.assignee_id, t.created_at, t.response_due_at"
            f" FROM tickets t WHERE t.id IN ({touched})",
            {**params, **_READ_PARAMS},
        )
        found = {r[0]: TicketHistory(r[0], r[1], from_iso(r[2]), _time(r[3])) for r in rows}
        e_type = self.db.dialect.unindexed("e.type")
        events = await self.db.fetchall(
            "SELECT e.ticket_id, e.type, e.at, e.data FROM ticket_events e"
            f" WHERE e.ticket_id IN ({touched}) AND {e_type} IN {_READ_SQL} AND e.at <= :as_of"
            " ORDER BY e.ticket_id, e.id",
            {**params, **_READ_PARAMS},
        )
        for ticket_id, type_, at, data in events:
            found[ticket_id].events.append(Logged(from_iso(at), decode(type_, json.loads(data))))
        return list(found.values())

    async def open_issues(self, now: datetime) -> list[OpenIssue]:
        """Open tickets that are overdue at `now` or under supervision (督办), oldest first.

        Tens of thousands at scale: names are looked up in Python rather than joined (half the
        query), and the records are built without collector pauses.
        """
        with _bulk():
            rows = await self.db.fetchall(
                "SELECT id, assignee_id, enterprise_id, category, content, created_at,"
                f" deadline_at, supervision_level FROM tickets WHERE status IN {_OPEN_SQL}"
                " AND (deadline_at < :now OR supervision_level > 0) ORDER BY created_at, id",
                {"now": to_iso(now), **_OPEN_PARAMS},
            )
            cadres = {r[0]: r[1] for r in await self.db.fetchall("SELECT id, name FROM cadres")}
            enterprises = {
                r[0]: r[1] for r in await self.db.fetchall("SELECT id, name FROM enterprises")
            }
            return [
                OpenIssue(
                    r[0],
                    r[1],
                    cadres.get(r[1]) if r[1] is not None else None,
                    enterprises[r[2]],
                    r[3],
                    r[4],
                    from_iso(r[5]),
                    from_iso(r[6]),
                    int(r[7]),
                )
                for r in rows
            ]

    async def roster(self) -> list[RosterCadre]:
        """Every cadre on the roster (leaders and admins too), by id."""
        rows = await self.db.fetchall("SELECT id, name, role FROM cadres ORDER BY id")
        return [RosterCadre(int(r[0]), str(r[1]), str(r[2])) for r in rows]


@contextmanager
def _bulk() -> Iterator[None]:
    """Read and build tens of thousands of small records without the cyclic collector pausing.

    Every few hundred allocations the collector runs, and now and then it rescans the whole
    heap; for rows and acyclic records that is wasted work (about 50 ms of the 20,000 open
    issues at scale). Switching it off only postpones collection until the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None
