"""Outcomes: what a service changed that someone must be told about, as typed data.

A service publishes each outcome it causes through the `Publish` sink it was given, inside the
transaction of the change; `bot.notify.dispatch` routes every outcome type to the one notifier
method that queues its messages, so the change and its messages commit together and no handler
has to remember to notify. Not to be confused with `bot.domain.events`, the stored history of a
ticket (the audit log the metrics read).
"""

from __future__ import annotations

from typing import Protocol


class Outcome:
    """Base of every outcome type; each subclass has exactly one route in the dispatcher."""

    __slots__ = ()


class Publish(Protocol):
    """Where a service hands its outcomes (the dispatcher, in the running bot)."""

    async def __call__(self, outcome: Outcome, /) -> None: ...


async def discard(outcome: Outcome, /) -> None:
    """The sink of a service built without one (unit tests of the service alone)."""
