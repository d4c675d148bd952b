"""Every ticket event, defined once: its type name, its payload fields and the move it records.

The event log (`ticket_events`) is append-only and every metric is computed from it. Each kind of
event is one frozen dataclass below; `storage.repos.tickets.TicketRepo.record` is the only writer
and every reader decodes rows back into these classes, so a type name or a payload key exists in
exactly one place. The metrics take their type names from here too (`EventType`, `RESPONSES`,
`VERDICTS`), never from string literals of their own.

A status change and the data that caused it are one event: the enterprise's rating that closes a
ticket is one `Rate` (resolved -> closed) carrying the verdict, the rating that sends it back is
one `Reopen` (resolved -> in_progress) carrying the verdict.

Deadlines move (an approved extension, a reopen's fresh deadline), so the events that a deadline
judges carry the one in force: a `Resolve` the deadline it was judged against (按期), a `Reopen`
the fresh deadline it set. The metrics read these, never the ticket's current deadline, so a past
week's figures do not change when a deadline moves later.

Payloads are stored as JSON objects whose keys are the field names; datetimes are stored as
`bot.clock.to_iso` text and fields that are None are left out.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from types import UnionType
from typing import Any, ClassVar

from bot.clock import from_iso, to_iso
from bot.domain.lifecycle import Action


class EventType(StrEnum):
    """The stored `ticket_events.type` of each event class."""

    CREATE = "create"
    ASSIGN = "assign"
    CLAIM = "claim"
    CONTACT = "contact"
    PROGRESS = "progress"
    RESOLVE = "resolve"
    RATE = "rate"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    CLASSIFY = "classify"
    URGE = "urge"
    ESCALATE = "escalate"
    EXTEND_REQUEST = "extend_request"
    EXTEND_OK = "extend_ok"
    EXTEND_REFUSED = "extend_refused"


@dataclass(frozen=True)
class Event:
    """Base of every ticket event."""

    TYPE: ClassVar[EventType]
    # The lifecycle action this event records (its status change), or None for a plain fact.
    ACTION: ClassVar[Action | None] = None
    # Whether the enterprise hears from the administration through this event (响应).
    RESPONDS: ClassVar[bool] = False

    def payload(self) -> dict[str, Any]:
        """The JSON object stored in `ticket_events.data`."""
        stored: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            stored[item.name] = to_iso(value) if isinstance(value, datetime) else value
        return stored


# -- the ticket loop -------------------------------------------------------------------------
@dataclass(frozen=True)
class Create(Event):
    """A problem posted in a group became a ticket (to status new)."""

    TYPE = EventType.CREATE
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class Assign(Event):
    """Routing: the 包联 cadre, the backup, or the duty desk (cadre_id None)."""

    TYPE = EventType.ASSIGN
    route: str  # primary | backup | duty
    cadre_id: int | None = None


@dataclass(frozen=True)
class Claim(Event):
    """签收."""

    TYPE = EventType.CLAIM
    ACTION = Action.CLAIM


@dataclass(frozen=True)
class Contact(Event):
    """已联系: the cadre contacted the enterprise."""

    TYPE = EventType.CONTACT
    ACTION = Action.CONTACT
    RESPONDS = True


@dataclass(frozen=True)
class Note(Event):
    """An event with a note the enterprise receives."""

    note: str


@dataclass(frozen=True)
class Progress(Note):
    """办理中: a progress note, sent to the enterprise too."""

    TYPE = EventType.PROGRESS
    ACTION = Action.PROGRESS
    RESPONDS = True


@dataclass(frozen=True)
class Resolve(Note):
    """办结: the resolution note; the ticket waits for the enterprise's rating.

    `deadline_at` is the resolution deadline in force at the time (extension included): 按期 is
    judged against it.
    """

    TYPE = EventType.RESOLVE
    ACTION = Action.RESOLVE
    RESPONDS = True
    deadline_at: datetime


@dataclass(frozen=True)
class Rating(Event):
    """The enterprise's verdict on a resolution (taxonomy.SOLVED_RATINGS / SATISFACTION_RATINGS)."""

    solved: str
    satisfaction: str


@dataclass(frozen=True)
class Rate(Rating):
    """A rating that closes the ticket."""

    TYPE = EventType.RATE
    ACTION = Action.RATE


@dataclass(frozen=True)
class Reopen(Rating):
    """重办: a rating of 未解决 or 不满意 sends the ticket back to in_progress.

    `deadline_at` is the fresh resolution deadline the reopen set.
    """

    TYPE = EventType.REOPEN
    ACTION = Action.REOPEN
    deadline_at: datetime


@dataclass(frozen=True)
class Transfer(Event):
    """转办 to another cadre; the ticket is new again for the receiver."""

    TYPE = EventType.TRANSFER
    ACTION = Action.TRANSFER
    to_cadre_id: int
    from_cadre_id: int | None = None


@dataclass(frozen=True)
class Close(Event):
    """Closed without a rating after the rating window (reason taxonomy.UNRATED)."""

    TYPE = EventType.CLOSE
    ACTION = Action.AUTO_CLOSE
    reason: str


@dataclass(frozen=True)
class Withdraw(Event):
    """已撤销, with the reason kept for the audit."""

    TYPE = EventType.WITHDRAW
    ACTION = Action.WITHDRAW
    reason: str


@dataclass(frozen=True)
class Classify(Event):
    """The category or kind was corrected (only the changed fields are set)."""

    TYPE = EventType.CLASSIFY
    category: str | None = None
    kind: str | None = None


# -- deadlines and supervision ---------------------------------------------------------------
@dataclass(frozen=True)
class Urge(Event):
    """催办: a reminder before a deadline (`due_at`) or a chase after it (`deadline_at`)."""

    TYPE = EventType.URGE
    step: str  # remind_<which>@<due> | chase<n>@<deadline> (chase<n> before 0011)
    due_at: datetime | None = None
    deadline_at: datetime | None = None


@dataclass(frozen=True)
class Escalate(Event):
    """督办: the supervision level was raised."""

    TYPE = EventType.ESCALATE
    level: int
    reason: str  # overdue | chases | reworks | manual


@dataclass(frozen=True)
class ExtendRequest(Event):
    """延期: the assignee asked for more working days."""

    TYPE = EventType.EXTEND_REQUEST
    days: int
    reason: str
    request_id: int


@dataclass(frozen=True)
class ExtendOk(Event):
    """The leader approved an extension; the resolution deadline moved to `deadline_at`."""

    TYPE = EventType.EXTEND_OK
    deadline_at: datetime
    days: int


@dataclass(frozen=True)
class ExtendRefused(Event):
    """The leader refused (or the request went stale: the ticket moved on)."""

    TYPE = EventType.EXTEND_REFUSED
    days: int
    stale: bool


def _concrete(base: type[Event]) -> list[type[Event]]:
    found: list[type[Event]] = []
    for sub in base.__subclasses__():
        if "TYPE" in sub.__dict__:
            found.append(sub)
        found += _concrete(sub)
    return found


# Every event class by its stored type (tests check there is exactly one per EventType).
EVENTS: dict[EventType, type[Event]] = {cls.TYPE: cls for cls in _concrete(Event)}

# The events by which the enterprise hears from the administration: the response (响应) is the
# first of them.
RESPONSES: frozenset[EventType] = frozenset(t for t, cls in EVENTS.items() if cls.RESPONDS)
# The events that carry the enterprise's verdict; the latest one counts.
VERDICTS: frozenset[EventType] = frozenset(
    t for t, cls in EVENTS.items() if issubclass(cls, Rating)
)


def _datetime_fields(cls: type[Event]) -> frozenset[str]:
    hints = typing.get_type_hints(cls)
    found = set()
    for item in fields(cls):
        hint = hints[item.name]
        options = typing.get_args(hint) if isinstance(hint, UnionType) else (hint,)
        if datetime in options:
            found.add(item.name)
    return frozenset(found)


# Payload fields per event type, and those stored as ISO text and read back as datetimes.
_FIELDS: dict[EventType, tuple[str, ...]] = {
    t: tuple(item.name for item in fields(c)) for t, c in EVENTS.items()
}
_STAMPS: dict[EventType, frozenset[str]] = {t: _datetime_fields(c) for t, c in EVENTS.items()}


def decode(type_: str, data: Mapping[str, Any]) -> Event:
    """Rebuild the typed event from a stored type and payload.

    Raises:
        ValueError: an unknown type, or a payload missing a required field.
    """
    kind = EventType(type_)
    cls, stamps = EVENTS[kind], _STAMPS[kind]
    values: dict[str, Any] = {}
    for name in _FIELDS[kind]:
        if name not in data:
            continue
        value = data[name]
        values[name] = from_iso(value) if name in stamps and value else value
    try:
        return cls(**values)
    except TypeError as exc:
        raise ValueError(f"{type_} event with payload {sorted(data)}: {exc}") from None
