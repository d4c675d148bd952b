"""Ticket buttons: `t:<verb>:<ticket id>[:<arg>[:<arg>]]`.

Which presses a handler answers is its `pattern(...)`; what a press may do is decided in the
services, which re-check the presser's role and the ticket's state for every one. Codes riding
along (a category, a rating) are only checked for shape here; the services check the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from bot.render.keyboards.codec import Codec, Press

PREFIX = "t"
CODE = re.compile(r"[a-z0-9_]{1,20}")  # a category, kind or rating code


@dataclass(frozen=True)
class TicketPress(Press):
    PREFIX: ClassVar[str] = PREFIX
    ticket_id: int


@dataclass(frozen=True)
class Claim(TicketPress):
    VERB: ClassVar[str] = "claim"


@dataclass(frozen=True)
class Contact(TicketPress):
    """已联系: the assignee reached the enterprise."""

    VERB: ClassVar[str] = "contact"


@dataclass(frozen=True)
class Progress(TicketPress):
    VERB: ClassVar[str] = "prog"


@dataclass(frozen=True)
class Resolve(TicketPress):
    VERB: ClassVar[str] = "res"


@dataclass(frozen=True)
class TransferMenu(TicketPress):
    VERB: ClassVar[str] = "xfer"


@dataclass(frozen=True)
class TransferTo(TicketPress):
    VERB: ClassVar[str] = "xto"
    cadre_id: int


@dataclass(frozen=True)
class View(TicketPress):
    VERB: ClassVar[str] = "view"


@dataclass(frozen=True)
class CategoryMenu(TicketPress):
    VERB: ClassVar[str] = "cat"


@dataclass(frozen=True)
class SetCategory(TicketPress):
    VERB: ClassVar[str] = "setcat"
    category: str


@dataclass(frozen=True)
class KindMenu(TicketPress):
    VERB: ClassVar[str] = "kind"


@dataclass(frozen=True)
class SetKind(TicketPress):
    VERB: ClassVar[str] = "setkind"
    kind: str


@dataclass(frozen=True)
class RateSolved(TicketPress):
    """The first rating step: was it solved."""

    VERB: ClassVar[str] = "rs"
    solved: str


@dataclass(frozen=True)
class Rate(TicketPress):
    """The second rating step: the solved answer rides along with the satisfaction."""

    VERB: ClassVar[str] = "rate"
    solved: str
    satisfaction: str


@dataclass(frozen=True)
class ApproveExtension(TicketPress):
    """The leader approves extension request `request_id` of the ticket."""

    VERB: ClassVar[str] = "xok"
    request_id: int


@dataclass(frozen=True)
class RefuseExtension(TicketPress):
    VERB: ClassVar[str] = "xno"
    request_id: int


@dataclass(frozen=True)
class Supervise(TicketPress):
    """督办: flag the ticket for supervision."""

    VERB: ClassVar[str] = "sup"


KINDS: tuple[type[TicketPress], ...] = (
    Claim,
    Contact,
    Progress,
    Resolve,
    TransferMenu,
    TransferTo,
    View,
    CategoryMenu,
    SetCategory,
    KindMenu,
    SetKind,
    RateSolved,
    Rate,
    ApproveExtension,
    RefuseExtension,
    Supervise,
)
CODEC = Codec(PREFIX, KINDS, token=CODE)


def unpack(data: str) -> TicketPress | None:
    """The typed press of a ticket button, or None if the data is not one or is malformed."""
    return CODEC.unpack(data)


def pattern(*kinds: type[TicketPress]) -> str:
    """The pattern routing these kinds of ticket button to one handler."""
    return CODEC.pattern(*kinds)
