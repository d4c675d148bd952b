"""Outcomes: what a service changed that someone must be told about, as typed data.

A service publishes each outcome it causes through the `Publish` sink it was given, inside the
transaction of the change; `bot.notify.dispatch` routes every outcome type to the one notifier
function that queues its messages, so the change and its messages commit together and no handler
has to remember to notify. Not to be confused with `bot.domain.events`, the stored history of a
ticket (the audit log the metrics read).

An outcome carries its recipients: the service that decides resolves who must hear of it (which
chat, in which language, whether a private chat is open) and puts it in the outcome as
`Recipient` values, as python-telegram-bot hands a handler a complete `Update`. A notifier only
turns an outcome into outbox calls; it reads nothing, so it is tested without a database.

One module per feature: `tickets`, `deadlines`, `desk` (the duty desk's notices), `logistics`,
`recruiting`, `airing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Outcome:
    """Base of every outcome type; each subclass has exactly one route in the dispatcher."""

    __slots__ = ()


class Publish(Protocol):
    """Where a service hands its outcomes (the dispatcher, in the running bot)."""

    async def __call__(self, outcome: Outcome, /) -> None: ...


async def discard(outcome: Outcome, /) -> None:
    """The sink of a service built without one (unit tests of the service alone)."""


@dataclass(frozen=True)
class Recipient:
    """A chat a message goes to, as the publishing service resolved it.

    `chat_id` is where the chat lives now (a group upgraded to a supergroup has a new id); a
    person's private chat is only ever a recipient when it is open (they started the bot and
    did not block it). `locale` is the language to write in: the person's own, or None for
    the park's (groups, and people who never picked one).
    """

    chat_id: int
    locale: str | None = None


# The duty desk: the admin chat when one is configured, else each admin privately, in the order
# the configuration and then the roster name them.
Desk = tuple[Recipient, ...]
