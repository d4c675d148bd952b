"""The logistics exchange (工业物流群): truck offers, cargo requests, matches and their rules.

Every allowed status change of the three aggregates lives in the `*_TRANSITIONS` tables below.
`withdrawn` is a side state the domain text does not name: the owner takes a post back (kept for
the record and the counts, never deleted), like a ticket's 已撤销. `void` marks a proposed match
that can no longer happen (the cargo was matched elsewhere, the truck filled up, a post expired).

The matching rule (domain.md): same destination city or one on the truck's route; departure
between the cargo's ready and latest date; weight <= spare tonnes; volume <= spare m3 (when the
truck states it); cold cargo needs a 冷藏 truck; nobody is offered their own post. Candidates
rank by date closeness (departure minus ready date), then by how well the cargo fills the spare
capacity.

`fits` is that rule, and the only thing that decides. The database only narrows the candidates
before it: `truck_bounds` and `cargo_bounds` state what every fitting post has, as plain
bounds the repository turns into indexable SQL. Each bound follows from `fits` and is looser
than it where floats are compared, so the narrowing never drops a pair the rule accepts
(tests/services/logistics/test_logistics_narrowing.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from bot.errors import InvalidTransition

VEHICLE_TYPES: tuple[str, ...] = ("box", "rail", "flat", "cold")  # 厢式 高栏 平板 冷藏
COLD_VEHICLE = "cold"
LENGTHS: tuple[str, ...] = ("4.2", "6.8", "9.6", "13", "17.5")  # metres
# Below this many spare tonnes a truck counts as full (a few boxes are not worth a match).
FULL_BELOW_TONNES = 0.1
# Capacities are compared with this slack: spare capacity is rounded after each booking.
FIT_SLACK = 1e-9
# The bounds for SQL are looser than the rule by this much (far above FIT_SLACK, far below any
# amount a form accepts), so rounding in the database can never make them the stricter.
BOUND_MARGIN = 1e-6


class TruckStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FULL = "full"
    DEPARTED = "departed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def label_key(self) -> str:
        """The catalog entry of the status's name (`bot.errors.Labelled`)."""
        return f"logistics.truck_status_{self.value}"


class CargoStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    SHIPPED = "shipped"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def label_key(self) -> str:
        """The catalog entry of the status's name (`bot.errors.Labelled`)."""
        return f"logistics.cargo_status_{self.value}"


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    VOID = "void"
    COMPLETED = "completed"

    @property
    def label_key(self) -> str:
        """The catalog entry of the status's name (`bot.errors.Labelled`)."""
        return f"logistics.match_status_{self.value}"


TRUCK_ACTIVE = frozenset({TruckStatus.OPEN, TruckStatus.PARTIALLY_FILLED})
_TRUCK_LIVE = frozenset({*TRUCK_ACTIVE, TruckStatus.FULL})

# target status -> statuses it may be reached from
TRUCK_TRANSITIONS: dict[TruckStatus, frozenset[TruckStatus]] = {
    TruckStatus.PARTIALLY_FILLED: TRUCK_ACTIVE,
    TruckStatus.FULL: TRUCK_ACTIVE,
    TruckStatus.DEPARTED: _TRUCK_LIVE,
    TruckStatus.EXPIRED: frozenset({TruckStatus.OPEN}),
    TruckStatus.WITHDRAWN: _TRUCK_LIVE,
}
CARGO_TRANSITIONS: dict[CargoStatus, frozenset[CargoStatus]] = {
    CargoStatus.MATCHED: frozenset({CargoStatus.OPEN}),
    CargoStatus.SHIPPED: frozenset({CargoStatus.MATCHED}),
    CargoStatus.EXPIRED: frozenset({CargoStatus.OPEN}),
    CargoStatus.WITHDRAWN: frozenset({CargoStatus.OPEN}),
}
MATCH_TRANSITIONS: dict[MatchStatus, frozenset[MatchStatus]] = {
    MatchStatus.ACCEPTED: frozenset({MatchStatus.PROPOSED}),
    MatchStatus.DECLINED: frozenset({MatchStatus.PROPOSED}),
    MatchStatus.VOID: frozenset({MatchStatus.PROPOSED}),
    MatchStatus.COMPLETED: frozenset({MatchStatus.ACCEPTED}),
}


_S = TypeVar("_S", TruckStatus, CargoStatus, MatchStatus)


def _move(table: Mapping[_S, frozenset[_S]], current: _S, target: _S, refusal: str) -> _S:
    """Return `target` if the table allows the move from `current`.

    Raises:
        InvalidTransition: the move is not allowed (catalog key `refusal`, which names the
            kind of post; its `status` is the status itself, shown as its name).
    """
    if current not in table[target]:
        raise InvalidTransition(refusal, status=current, action=target.value)
    return target


def truck_move(current: TruckStatus, target: TruckStatus) -> TruckStatus:
    """Move a truck offer (see TRUCK_TRANSITIONS)."""
    return _move(TRUCK_TRANSITIONS, current, target, "logistics.truck_bad_status")


def cargo_move(current: CargoStatus, target: CargoStatus) -> CargoStatus:
    """Move a cargo request (see CARGO_TRANSITIONS)."""
    return _move(CARGO_TRANSITIONS, current, target, "logistics.cargo_bad_status")


def match_move(current: MatchStatus, target: MatchStatus) -> MatchStatus:
    """Move a match (see MATCH_TRANSITIONS)."""
    return _move(MATCH_TRANSITIONS, current, target, "logistics.match_bad_status")


def city_key(name: str) -> str:
    """Normalise a city name for comparison: 常州市 and 常州 are the same place.

    A key is its own key (常州市市 is 常州 at once): places are stored keyed and `fits` keys
    them again, while the SQL compares them as stored; the two agree only so.
    """
    cleaned = "".join(name.split())
    while len(cleaned) > 2 and cleaned.endswith("市"):
        cleaned = cleaned[:-1]
    return cleaned


@dataclass(frozen=True)
class TruckForm:
    """A truck offer as the user described it (one-line form or guided conversation)."""

    origin: str
    destination: str
    depart_date: date
    vehicle: str
    spare_tonnes: float
    via: tuple[str, ...] = ()
    length: str | None = None
    spare_m3: float | None = None
    price_note: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class CargoForm:
    """A cargo request as the user described it."""

    origin: str
    destination: str
    ready_date: date
    latest_date: date
    cargo_name: str
    tonnes: float
    m3: float | None = None
    pieces: int | None = None
    cold: bool = False
    price_note: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Party:
    """Who is behind a post, as the other side is told once both accepted a match."""

    telegram_id: int
    company: str | None  # the poster's enterprise; None for a cadre posting for the park
    name: str  # the roster name of a cadre, else the Telegram name
    phone: str | None  # what they typed as contact, else the roster phone
    username: str | None


@dataclass(frozen=True)
class TruckOffer:
    id: int
    owner_id: int
    enterprise_id: int | None
    origin: str
    destination: str
    via: tuple[str, ...]
    depart_date: date
    vehicle: str
    length: str | None
    capacity_tonnes: float
    capacity_m3: float | None
    spare_tonnes: float
    spare_m3: float | None
    price_note: str | None
    contact: str | None
    status: TruckStatus
    created_at: datetime

    @property
    def free_text(self) -> tuple[str, ...]:
        """What the owner typed freely (places, price note), where contact details may hide."""
        return (self.origin, self.destination, *self.via, self.price_note or "")

    @property
    def route(self) -> frozenset[str]:
        """Cities the truck unloads in: its destination and every city on the way."""
        return frozenset(city_key(c) for c in (self.destination, *self.via))


@dataclass(frozen=True)
class CargoRequest:
    id: int
    owner_id: int
    enterprise_id: int | None
    origin: str
    destination: str
    ready_date: date
    latest_date: date
    cargo_name: str
    tonnes: float
    m3: float | None
    pieces: int | None
    cold: bool
    price_note: str | None
    contact: str | None
    status: CargoStatus
    created_at: datetime

    @property
    def free_text(self) -> tuple[str, ...]:
        """What the owner typed freely (places, cargo name, price note)."""
        return (self.origin, self.destination, self.cargo_name, self.price_note or "")


@dataclass(frozen=True)
class Match:
    id: int
    offer_id: int
    request_id: int
    status: MatchStatus
    truck_answer: str | None  # accept | decline
    cargo_answer: str | None
    proposed_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class MatchView:
    """A match with both posts, for rendering and for deciding who is told what."""

    match: Match
    offer: TruckOffer
    request: CargoRequest


@dataclass(frozen=True)
class Draft:
    """A guided conversation in progress, stored so a restart continues it."""

    user_id: int
    kind: str  # truck | cargo
    step: str
    data: dict[str, object] = field(default_factory=dict)


def fits(offer: TruckOffer, request: CargoRequest) -> bool:
    """Tell whether the cargo can ride on the truck: the matching rule, the one that decides."""
    if offer.owner_id == request.owner_id:
        return False  # a carrier enterprise may post both sides: never offer it its own post
    if offer.status not in TRUCK_ACTIVE or request.status is not CargoStatus.OPEN:
        return False
    if city_key(request.destination) not in offer.route:
        return False
    if not request.ready_date <= offer.depart_date <= request.latest_date:
        return False
    if request.tonnes > offer.spare_tonnes + FIT_SLACK:
        return False
    if offer.spare_m3 is not None and (request.m3 or 0.0) > offer.spare_m3 + FIT_SLACK:
        return False
    return not (request.cold and offer.vehicle != COLD_VEHICLE)


@dataclass(frozen=True)
class TruckBounds:
    """What every truck that fits a cargo request has (see `fits`): the SQL's narrowing."""

    statuses: tuple[str, ...]
    stop: str  # a city the truck unloads in (`TruckOffer.route`), as `city_key` writes it
    first_day: date  # its departure, inclusive
    last_day: date
    min_spare_tonnes: float
    min_spare_m3: float  # for a truck that states its spare volume
    cold_only: bool
    not_owner: int


@dataclass(frozen=True)
class CargoBounds:
    """What every cargo request that fits a truck has (see `fits`): the SQL's narrowing."""

    status: str
    destinations: tuple[str, ...]  # the truck's route, as `city_key` writes it
    ready_by: date  # ready on or before the departure, and not past its latest date before it
    max_tonnes: float
    max_m3: float | None  # None: the truck states no volume, so any volume fits
    cold_allowed: bool
    not_owner: int


def truck_bounds(request: CargoRequest) -> TruckBounds:
    """The bounds every truck `fits` the request on meets."""
    return TruckBounds(
        statuses=tuple(sorted(s.value for s in TRUCK_ACTIVE)),
        stop=city_key(request.destination),
        first_day=request.ready_date,
        last_day=request.latest_date,
        min_spare_tonnes=request.tonnes - BOUND_MARGIN,
        min_spare_m3=(request.m3 or 0.0) - BOUND_MARGIN,
        cold_only=request.cold,
        not_owner=request.owner_id,
    )


def cargo_bounds(offer: TruckOffer) -> CargoBounds:
    """The bounds every request that `fits` on the truck meets."""
    return CargoBounds(
        status=CargoStatus.OPEN.value,
        destinations=tuple(sorted(offer.route)),
        ready_by=offer.depart_date,
        max_tonnes=offer.spare_tonnes + BOUND_MARGIN,
        max_m3=None if offer.spare_m3 is None else offer.spare_m3 + BOUND_MARGIN,
        cold_allowed=offer.vehicle == COLD_VEHICLE,
        not_owner=offer.owner_id,
    )


def fill_ratio(offer: TruckOffer, request: CargoRequest) -> float:
    """How much of the spare capacity the cargo uses (the larger of weight and volume)."""
    ratio = request.tonnes / offer.spare_tonnes if offer.spare_tonnes > 0 else 1.0
    if offer.spare_m3 and request.m3:
        ratio = max(ratio, request.m3 / offer.spare_m3)
    return min(ratio, 1.0)


def rank_key(offer: TruckOffer, request: CargoRequest) -> tuple[int, float, int, int]:
    """Sort key: closest date first, then the fuller fill, then the older posts."""
    days = (offer.depart_date - request.ready_date).days
    return (days, -fill_ratio(offer, request), offer.id, request.id)
