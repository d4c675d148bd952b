"""Working days on the Chinese calendar: public holidays and swapped working weekends (调休).

Past the years the chinese_calendar library knows, it falls back to Monday to Friday and says so
once through `fallback_years`, so the caller can warn the admins.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

# The end of the working day, when a day-counted deadline falls due.
END_OF_DAY = time(18, 0)


class WorkCalendar:
    """Answer `is_workday` and compute deadlines counted in working days."""

    def __init__(
        self,
        tz: ZoneInfo,
        *,
        extra_holidays: frozenset[date] = frozenset(),
        extra_workdays: frozenset[date] = frozenset(),
    ) -> None:
        self.tz = tz
        self.extra_holidays = extra_holidays
        self.extra_workdays = extra_workdays
        self.fallback_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.fallback_years.add(day.year)
            return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the end of the `days`-th working day after the day of `start` (park time)."""
        local_day = start.astimezone(self.tz).date()
        counted = 0
        while counted < days:
            local_day += timedelta(days=1)
            if self.is_workday(local_day):
                counted += 1
        return datetime.combine(local_day, END_OF_DAY, tzinfo=self.tz)
