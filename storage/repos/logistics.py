"""Truck offers, their stops, cargo requests, matches and the guided-conversation drafts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from bot.clock import from_iso, to_iso
from bot.domain.logistics import (
    COLD_VEHICLE,
    CargoBounds,
    CargoRequest,
    CargoStatus,
    Match,
    MatchStatus,
    TruckBounds,
    TruckOffer,
    TruckStatus,
    city_key,
)
from storage.interface import Row, SqlDatabase

# Enough to rank well; the SQL already orders by the first ranking criterion (the date), so
# the candidates past the limit are the ones the rule would rank last.
CANDIDATE_LIMIT = 200


def _opt_time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def _offer(row: Row) -> TruckOffer:
    return TruckOffer(
        id=row["id"],
        owner_id=row["owner_id"],
        enterprise_id=row["enterprise_id"],
        origin=row["origin"],
        destination=row["destination"],
        via=tuple(c for c in row["via"].split(",") if c),
        depart_date=date.fromisoformat(row["depart_date"]),
        vehicle=row["vehicle"],
        length=row["length"],
        capacity_tonnes=row["capacity_tonnes"],
        capacity_m3=row["capacity_m3"],
        spare_tonnes=row["spare_tonnes"],
        spare_m3=row["spare_m3"],
        price_note=row["price_note"],
        contact=row["contact"],
        status=TruckStatus(row["status"]),
        created_at=from_iso(row["created_at"]),
    )


def _request(row: Row) -> CargoRequest:
    return CargoRequest(
        id=row["id"],
        owner_id=row["owner_id"],
        enterprise_id=row["enterprise_id"],
        origin=row["origin"],
        destination=row["destination"],
        ready_date=date.fromisoformat(row["ready_date"]),
        latest_date=date.fromisoformat(row["latest_date"]),
        cargo_name=row["cargo_name"],
        tonnes=row["tonnes"],
        m3=row["m3"],
        pieces=row["pieces"],
        cold=bool(row["cold"]),
        price_note=row["price_note"],
        contact=row["contact"],
        status=CargoStatus(row["status"]),
        created_at=from_iso(row["created_at"]),
    )


def _match(row: Row) -> Match:
    return Match(
        id=row["id"],
        offer_id=row["offer_id"],
        request_id=row["request_id"],
        status=MatchStatus(row["status"]),
        truck_answer=row["truck_answer"],
        cargo_answer=row["cargo_answer"],
        proposed_at=from_iso(row["proposed_at"]),
        accepted_at=_opt_time(row["accepted_at"]),
        completed_at=_opt_time(row["completed_at"]),
    )


def _values(changes: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for value in changes.values():
        if isinstance(value, TruckStatus | CargoStatus | MatchStatus):
            out.append(value.value)
        elif isinstance(value, datetime):
            out.append(to_iso(value))
        else:
            out.append(value)
    return out


_OFFER_COLUMNS = frozenset({"status", "spare_tonnes", "spare_m3"})
_REQUEST_COLUMNS = frozenset({"status"})
_MATCH_COLUMNS = frozenset(
    {"status", "truck_answer", "cargo_answer", "accepted_at", "completed_at"}
)


class LogisticsRepo:
    """SQL for the logistics exchange; never commits (the service owns the transaction)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def _update(
        self,
        table: str,
        allowed: frozenset[str],
        row_id: int,
        now: datetime,
        changes: dict[str, Any],
    ) -> None:
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot update {table} columns {sorted(unknown)}")
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self.db.execute(
            f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?",
            (*_values(changes), to_iso(now), row_id),
        )

    # -- truck offers ---------------------------------------------------------------------------
    async def insert_offer(
        self,
        *,
        owner_id: int,
        enterprise_id: int | None,
        origin: str,
        destination: str,
        via: Sequence[str],
        depart_date: date,
        vehicle: str,
        length: str | None,
        tonnes: float,
        m3: float | None,
        price_note: str | None,
        contact: str | None,
        now: datetime,
    ) -> int:
        stamp = to_iso(now)
        offer_id = await self.db.insert(
            "INSERT INTO truck_offers (owner_id, enterprise_id, origin, destination, via,"
            " depart_date, vehicle, length, capacity_tonnes, capacity_m3, spare_tonnes, spare_m3,"
            " price_note, contact, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                owner_id,
                enterprise_id,
                city_key(origin),
                city_key(destination),
                ",".join(city_key(c) for c in via),
                depart_date.isoformat(),
                vehicle,
                length,
                tonnes,
                m3,
                tonnes,
                m3,
                price_note,
                contact,
                stamp,
                stamp,
            ),
        )
        stops = dict.fromkeys(city_key(c) for c in (destination, *via))
        await self.db.executemany(
            "INSERT INTO truck_stops (offer_id, city, depart_date) VALUES (?, ?, ?)",
            [(offer_id, city, depart_date.isoformat()) for city in stops],
        )
        return offer_id

    async def offer(self, offer_id: int) -> TruckOffer | None:
        row = await self.db.fetchone("SELECT * FROM truck_offers WHERE id = ?", (offer_id,))
        return _offer(row) if row else None

    async def update_offer(self, offer_id: int, now: datetime, **changes: Any) -> None:
        await self._update("truck_offers", _OFFER_COLUMNS, offer_id, now, changes)

    async def offers_of(self, owner_id: int, statuses: Iterable[TruckStatus]) -> list[TruckOffer]:
        wanted = [s.value for s in statuses]
        marks = ", ".join("?" for _ in wanted)
        rows = await self.db.fetchall(
            f"SELECT * FROM truck_offers WHERE owner_id = ? AND status IN ({marks})"
            " ORDER BY depart_date, id LIMIT 30",
            (owner_id, *wanted),
        )
        return [_offer(r) for r in rows]

    async def trucks_for(self, bounds: TruckBounds) -> list[TruckOffer]:
        """Trucks within `bounds` (`truck_bounds` of a request): the rule's candidates, by
        departure; the rule itself (`fits`) decides."""
        statuses = ", ".join("?" for _ in bounds.statuses)
        cold = " AND o.vehicle = ?" if bounds.cold_only else ""
        rows = await self.db.fetchall(
            "SELECT o.* FROM truck_stops s JOIN truck_offers o ON o.id = s.offer_id"
            " WHERE s.city = ? AND s.depart_date BETWEEN ? AND ?"
            f" AND o.status IN ({statuses}) AND o.owner_id <> ? AND o.spare_tonnes >= ?"
            f" AND (o.spare_m3 IS NULL OR o.spare_m3 >= ?){cold}"
            " ORDER BY s.depart_date, o.spare_tonnes, o.id LIMIT ?",
            (
                bounds.stop,
                bounds.first_day.isoformat(),
                bounds.last_day.isoformat(),
                *bounds.statuses,
                bounds.not_owner,
                bounds.min_spare_tonnes,
                bounds.min_spare_m3,
                *((COLD_VEHICLE,) if bounds.cold_only else ()),
                CANDIDATE_LIMIT,
            ),
        )
        return [_offer(r) for r in rows]

    async def departed_before(self, day: date) -> list[TruckOffer]:
        rows = await self.db.fetchall(
            "SELECT * FROM truck_offers WHERE status IN ('open', 'partially_filled', 'full')"
            " AND depart_date < ? ORDER BY id LIMIT 500",
            (day.isoformat(),),
        )
        return [_offer(r) for r in rows]

    # -- cargo requests ---------------------------------------------------------------------------
    async def insert_request(
        self,
        *,
        owner_id: int,
        enterprise_id: int | None,
        origin: str,
        destination: str,
        ready_date: date,
        latest_date: date,
        cargo_name: str,
        tonnes: float,
        m3: float | None,
        pieces: int | None,
        cold: bool,
        price_note: str | None,
        contact: str | None,
        now: datetime,
    ) -> int:
        stamp = to_iso(now)
        return await self.db.insert(
            "INSERT INTO cargo_requests (owner_id, enterprise_id, origin, destination, ready_date,"
            " latest_date, cargo_name, tonnes, m3, pieces, cold, price_note, contact, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                owner_id,
                enterprise_id,
                city_key(origin),
                city_key(destination),
                ready_date.isoformat(),
                latest_date.isoformat(),
                cargo_name,
                tonnes,
                m3,
                pieces,
                int(cold),
                price_note,
                contact,
                stamp,
                stamp,
            ),
        )

    async def request(self, request_id: int) -> CargoRequest | None:
        row = await self.db.fetchone("SELECT * FROM cargo_requests WHERE id = ?", (request_id,))
        return _request(row) if row else None

    async def update_request(self, request_id: int, now: datetime, **changes: Any) -> None:
        await self._update("cargo_requests", _REQUEST_COLUMNS, request_id, now, changes)

    async def requests_of(
        self, owner_id: int, statuses: Iterable[CargoStatus]
    ) -> list[CargoRequest]:
        wanted = [s.value for s in statuses]
        marks = ", ".join("?" for _ in wanted)
        rows = await self.db.fetchall(
            f"SELECT * FROM cargo_requests WHERE owner_id = ? AND status IN ({marks})"
            " ORDER BY ready_date, id LIMIT 30",
            (owner_id, *wanted),
        )
        return [_request(r) for r in rows]

    async def cargo_for(self, bounds: CargoBounds) -> list[CargoRequest]:
        """Requests within `bounds` (`cargo_bounds` of a truck): the rule's candidates, the
        latest ready first; the rule itself (`fits`) decides."""
        cities = ", ".join("?" for _ in bounds.destinations)
        day = bounds.ready_by.isoformat()
        latest = self.db.dialect.unindexed("latest_date")
        volume = "" if bounds.max_m3 is None else " AND COALESCE(m3, 0) <= ?"
        cold = "" if bounds.cold_allowed else " AND cold = 0"
        rows = await self.db.fetchall(
            f"SELECT * FROM cargo_requests WHERE destination IN ({cities}) AND status = ?"
            # Keep the planner on cargo_requests_match (destination first), not on the
            # expiry index, whatever the statistics say.
            f" AND ready_date <= ? AND {latest} >= ? AND owner_id <> ? AND tonnes <= ?"
            f"{volume}{cold} ORDER BY ready_date DESC, tonnes DESC, id LIMIT ?",
            (
                *bounds.destinations,
                bounds.status,
                day,
                day,
                bounds.not_owner,
                bounds.max_tonnes,
                *(() if bounds.max_m3 is None else (bounds.max_m3,)),
                CANDIDATE_LIMIT,
            ),
        )
        return [_request(r) for r in rows]

    async def open_latest_before(self, day: date) -> list[CargoRequest]:
        rows = await self.db.fetchall(
            "SELECT * FROM cargo_requests WHERE status = 'open' AND latest_date < ?"
            " ORDER BY id LIMIT 500",
            (day.isoformat(),),
        )
        return [_request(r) for r in rows]

    # -- matches ------------------------------------------------------------------------------
    async def propose(self, offer_id: int, request_id: int, now: datetime) -> int | None:
        """Record a proposed pair; None if this pair was proposed before (never twice)."""
        stamp = to_iso(now)
        changed = await self.db.execute(
            "INSERT INTO logistics_matches (offer_id, request_id, proposed_at, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (offer_id, request_id) DO NOTHING",
            (offer_id, request_id, stamp, stamp),
        )
        if not changed:
            return None
        value = await self.db.fetchval(
            "SELECT id FROM logistics_matches WHERE offer_id = ? AND request_id = ?",
            (offer_id, request_id),
        )
        return int(value)

    async def match(self, match_id: int) -> Match | None:
        row = await self.db.fetchone("SELECT * FROM logistics_matches WHERE id = ?", (match_id,))
        return _match(row) if row else None

    async def update_match(self, match_id: int, now: datetime, **changes: Any) -> None:
        await self._update("logistics_matches", _MATCH_COLUMNS, match_id, now, changes)

    async def matches_of(
        self, *, offer_id: int | None = None, request_id: int | None = None, status: MatchStatus
    ) -> list[Match]:
        column, value = (
            ("offer_id", offer_id) if offer_id is not None else ("request_id", request_id)
        )
        rows = await self.db.fetchall(
            f"SELECT * FROM logistics_matches WHERE {column} = ? AND status = ? ORDER BY id",
            (value, status.value),
        )
        return [_match(r) for r in rows]

    # -- counting -------------------------------------------------------------------------------
    async def week_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Offers, requests and matches proposed / accepted / completed in [start, end)."""
        span = (to_iso(start), to_iso(end))
        row = await self.db.fetchone(
            "SELECT"
            " (SELECT COUNT(*) FROM truck_offers WHERE created_at >= ? AND created_at < ?),"
            " (SELECT COUNT(*) FROM cargo_requests WHERE created_at >= ? AND created_at < ?),"
            " (SELECT COUNT(*) FROM logistics_matches WHERE proposed_at >= ? AND proposed_at < ?),"
            " (SELECT COUNT(*) FROM logistics_matches WHERE accepted_at >= ? AND accepted_at < ?),"
            " (SELECT COUNT(*) FROM logistics_matches"
            " WHERE completed_at >= ? AND completed_at < ?)",
            span * 5,
        )
        assert row is not None
        keys = ("truck_offers", "cargo_requests", "matches_proposed", "matches_accepted")
        return dict(zip((*keys, "matches_completed"), (int(v) for v in row), strict=True))

    # -- people and chats ----------------------------------------------------------------------
    async def logistics_chats(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT chat_id FROM chat_bindings WHERE kind = 'logistics' ORDER BY chat_id"
        )
        return [int(r[0]) for r in rows]

    async def user_name(self, telegram_id: int) -> tuple[str, str | None] | None:
        """(first name, username) of a user the bot has seen."""
        row = await self.db.fetchone(
            "SELECT first_name, username FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        return (row["first_name"], row["username"]) if row else None
