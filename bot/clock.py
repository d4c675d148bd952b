"""Injected time: services and jobs take a Clock so deadlines and reports are testable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, demo)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as fixed-width UTC text that sorts correctly in SQLite."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    # The text of strftime("%Y-%m-%dT%H:%M:%S.%fZ") at a fraction of its cost (3 % of the bot).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_iso(text: str) -> datetime:
    """Parse text written by `to_iso` (or any ISO-8601 with offset) into an aware UTC datetime."""
    parsed = datetime.fromisoformat(text)  # Python 3.11 reads the trailing Z itself
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    # The metrics parse tens of thousands of stamps; most are UTC already.
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
