"""The logistics exchange's outcomes: new posts, answers to a match, a shipment done, posts
expired. Each carries the groups a post is announced in and the private chat (with its language)
of every person it tells, resolved by the publishing service; `Answered` of an accepted match also
carries both parties as they are shown to each other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.logistics import CargoRequest, MatchView, Party, TruckOffer
from bot.domain.outcomes import Outcome, Recipient

# Who is written to privately, by Telegram id: each owner named in the outcome, in their language.
People = Mapping[int, Recipient]


@dataclass(frozen=True)
class PostedTruck(Outcome):
    """A new truck offer: announced in the logistics groups, its matches proposed."""

    offer: TruckOffer
    proposals: list[MatchView]
    groups: tuple[Recipient, ...] = ()  # the groups bound with /bind logistics
    people: People = field(default_factory=dict)  # both sides of each proposal


@dataclass(frozen=True)
class PostedCargo(Outcome):
    """A new cargo request: announced in the logistics groups, its matches proposed."""

    request: CargoRequest
    proposals: list[MatchView]
    groups: tuple[Recipient, ...] = ()
    people: People = field(default_factory=dict)


@dataclass(frozen=True)
class Expired(Outcome):
    """What one expiry run took down unmatched; the owners are told."""

    offers: list[TruckOffer] = field(default_factory=list)
    requests: list[CargoRequest] = field(default_factory=list)
    people: People = field(default_factory=dict)  # the owners


@dataclass(frozen=True)
class Exchange:
    """Both parties of an accepted match, as each is shown to the other."""

    carrier: Party
    shipper: Party


@dataclass(frozen=True)
class Answered(Outcome):
    """What an accept or decline press led to; the other party is told."""

    view: MatchView
    side: str  # truck | cargo: who pressed
    outcome: str  # waiting | accepted | declined | gone
    proposals: list[MatchView] = field(default_factory=list)  # new ones after the truck changed
    people: People = field(default_factory=dict)  # both parties, and both sides of each proposal
    exchange: Exchange | None = None  # when accepted: the contacts each side now gets


@dataclass(frozen=True)
class Completed(Outcome):
    """A shipment recorded as done (`/done`); the other party is told."""

    view: MatchView
    side: str  # truck | cargo: who recorded it
    people: People = field(default_factory=dict)  # the other party
