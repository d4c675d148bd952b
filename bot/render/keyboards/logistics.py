"""Logistics buttons: `lg:<verb>[:<part>...]`.

`lg:a:<match>` accept, `lg:d:<match>` decline, `lg:wt:<offer>` / `lg:wc:<request>` withdraw,
`lg:s:<step>:<value>` a choice in the guided conversation, `lg:x` cancel the conversation.
The services re-check the presser and the state for every press; a step choice must answer the
draft's current step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from bot.render.keyboards.codec import Codec, Press

PREFIX = "lg"
TOKEN = re.compile(r"[a-z0-9_.\-]{1,16}")  # a step name or a choice (`9.6`, `skip`)


@dataclass(frozen=True)
class LogisticsPress(Press):
    PREFIX: ClassVar[str] = PREFIX


@dataclass(frozen=True)
class Accept(LogisticsPress):
    """接受: take the proposed match."""

    VERB: ClassVar[str] = "a"
    match_id: int


@dataclass(frozen=True)
class Decline(LogisticsPress):
    """不合适: turn the proposed match down."""

    VERB: ClassVar[str] = "d"
    match_id: int


@dataclass(frozen=True)
class WithdrawTruck(LogisticsPress):
    VERB: ClassVar[str] = "wt"
    offer_id: int


@dataclass(frozen=True)
class WithdrawCargo(LogisticsPress):
    VERB: ClassVar[str] = "wc"
    request_id: int


@dataclass(frozen=True)
class Step(LogisticsPress):
    """A choice (or 跳过) answering step `step` of the guided conversation."""

    VERB: ClassVar[str] = "s"
    step: str
    value: str


@dataclass(frozen=True)
class Cancel(LogisticsPress):
    """取消: drop the guided conversation."""

    VERB: ClassVar[str] = "x"


KINDS: tuple[type[LogisticsPress], ...] = (
    Accept,
    Decline,
    WithdrawTruck,
    WithdrawCargo,
    Step,
    Cancel,
)
CODEC = Codec(PREFIX, KINDS, token=TOKEN)


def unpack(data: str) -> LogisticsPress | None:
    """The typed press of a logistics button, or None if the data is not one or is malformed."""
    return CODEC.unpack(data)


def pattern(*kinds: type[LogisticsPress]) -> str:
    """The pattern routing these kinds of logistics button to one handler."""
    return CODEC.pattern(*kinds)
