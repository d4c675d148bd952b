"""ISO weeks in park time: the period of the weekly airing (`2026-W47` is the machine form)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.numbers import fold_digits
from bot.errors import InvalidInput

_WEEK = re.compile(r"([0-9]{4})-?W([0-9]{1,2})")


@dataclass(frozen=True)
class Week:
    """An ISO week in park time, with UTC bounds [start, end)."""

    year: int
    number: int
    tz: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(0), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=self.tz)

    def shifted(self, weeks: int) -> Week:
        return week_of(self.start + timedelta(days=7 * weeks, hours=12), self.tz)


def week_of(moment: datetime, tz: ZoneInfo) -> Week:
    """The ISO week containing `moment` in park time."""
    iso = moment.astimezone(tz).isocalendar()
    return Week(iso.year, iso.week, tz)


def parse_week(text: str, tz: ZoneInfo) -> Week:
    """Parse `2026-W47` (or `2026W47`).

    Raises:
        InvalidInput: not an ISO week.
    """
    # Digits as bot.domain.numbers reads them: ASCII or full-width, nothing else.
    found = _WEEK.fullmatch(fold_digits(text).strip().upper())
    if found is not None:
        year, number = int(found[1]), int(found[2])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:  # no such week (W53 of most years, year 0)
            pass
        else:
            return Week(year, number, tz)
    raise InvalidInput("airing.bad_week", value=text[:20])
