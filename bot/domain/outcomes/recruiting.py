"""Job posts' outcomes: a post published or edited, changed, expiring, expired. Each carries
where its cards go (or the delivered cards to edit in place) and the owners' open private chats,
resolved by the publishing service."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.outcomes import Outcome, Recipient
from bot.domain.recruiting import JobView

# The purpose of a new post's card in the outbox: the service records the rows queued with it
# as the post's cards (`RecruitingService.announce`), so later changes edit them in place.
CARD_PURPOSE = "job_card"


@dataclass(frozen=True)
class Card:
    """A delivered card of a post: where it is, to edit it in place."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class Confirmed(Outcome):
    """A post published (its card goes to `chats`) or edited (its `cards` are edited)."""

    view: JobView
    edited: bool = False
    chats: tuple[Recipient, ...] = ()  # where a new post's card goes, in the park's language
    cards: tuple[Card, ...] = ()  # an edited post's delivered cards


@dataclass(frozen=True)
class JobChanged(Outcome):
    """A post filled, withdrawn or with new hires: its delivered cards are edited."""

    view: JobView
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True)
class JobExpired(Outcome):
    """A post past its validity: the owners are told, its cards marked."""

    view: JobView
    owners: tuple[Recipient, ...] = ()  # those whose private chat is open
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True)
class JobExpiring(Outcome):
    """A post about to expire: the owners are told, once."""

    view: JobView
    owners: tuple[Recipient, ...] = ()
