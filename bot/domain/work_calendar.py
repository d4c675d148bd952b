"""Working days and hours on the Chinese calendar: holidays and swapped working weekends (调休).

Extra holidays and workdays from the config win over the library. Past the years the
chinese_calendar library knows, it falls back to Monday to Friday and records the year in
`fallback_years`, so the caller can warn the admins (once per year, see the escalation service).
Working hours are one block (default 09:00-18:00); the lunch break is deliberately ignored, as
the published practice counts "2 hours" on the clock of the working day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

# The end of the working day, when a day-counted deadline falls due (default working hours).
END_OF_DAY = time(18, 0)
START_OF_DAY = time(9, 0)
# A bound on every walk over the calendar, so a misconfiguration can never loop forever.
_MAX_DAYS = 3660
# Remembered working-day counts between two days, before the memo starts afresh.
_MAX_SPANS = 10_000


class WorkCalendar:
    """Answer `is_workday` and compute deadlines counted in working days and working hours."""

    def __init__(
        self,
        tz: ZoneInfo,
        *,
        extra_holidays: frozenset[date] = frozenset(),
        extra_workdays: frozenset[date] = frozenset(),
        work_start: time = START_OF_DAY,
        work_end: time = END_OF_DAY,
    ) -> None:
        if work_start >= work_end:
            raise ValueError("work_start must be before work_end")
        self.tz = tz
        self.extra_holidays = extra_holidays
        self.extra_workdays = extra_workdays
        self.work_start = work_start
        self.work_end = work_end
        self.fallback_years: set[int] = set()
        # Deadline arithmetic asks about the same few hundred days over and over (every sweep,
        # every ticket); the answer for a day never changes while the process runs.
        self._workdays: dict[date, bool] = {}
        self._spans: dict[tuple[date, date], int] = {}

    def is_workday(self, day: date) -> bool:
        known = self._workdays.get(day)
        if known is None:
            known = self._workdays[day] = self._lookup(day)
        return known

    def _lookup(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.fallback_years.add(day.year)
            return day.weekday() < 5

    @property
    def data_version(self) -> str:
        """The holiday library's version: new holiday data can move any working-time answer."""
        return str(getattr(chinese_calendar, "__version__", "unknown"))

    def covers(self, year: int) -> bool:
        """Tell whether the library has the official holiday data for `year`."""
        try:
            chinese_calendar.is_workday(date(year, 6, 30))
        except NotImplementedError:
            return False
        return True

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, tzinfo=self.tz)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the end of the `days`-th working day after the day of `start` (park time)."""
        local_day = self.local_date(start)
        counted = 0
        for _ in range(_MAX_DAYS):
            if counted >= days:
                break
            local_day += timedelta(days=1)
            if self.is_workday(local_day):
                counted += 1
        return self._at(local_day, self.work_end)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Count the working days after the day of `start` up to and including the day of `end`
        (park time), as `add_working_days` counts them: 0 on the same day or before."""
        first, last = self.local_date(start), self.local_date(end)
        if last <= first:
            return 0
        # The airing asks this for thousands of overdue tickets against one "now": their
        # deadlines fall on a few hundred days, so each span is counted once.
        known = self._spans.get((first, last))
        if known is None:
            if len(self._spans) > _MAX_SPANS:
                self._spans.clear()
            span = min((last - first).days, _MAX_DAYS)
            days = (first + timedelta(days=n) for n in range(1, span + 1))
            known = self._spans[(first, last)] = sum(1 for day in days if self.is_workday(day))
        return known

    def working_day_start_after(self, moment: datetime, nth: int = 1) -> datetime:
        """Return the start of the `nth` working day after the day of `moment` (park time)."""
        local_day = self.local_date(moment)
        counted = 0
        for _ in range(_MAX_DAYS):
            local_day += timedelta(days=1)
            if self.is_workday(local_day):
                counted += 1
                if counted >= nth:
                    break
        return self._at(local_day, self.work_start)

    def shift_working(self, start: datetime, delta: timedelta) -> datetime:
        """Move `start` by `delta` of working time (forwards or backwards), in park time.

        Time outside working hours does not count: two working hours from Friday 17:00 is
        Monday 10:00 (or later, across a holiday).
        """
        if delta >= timedelta(0):
            return self._forward(start, delta)
        return self._backward(start, -delta)

    def _forward(self, start: datetime, remaining: timedelta) -> datetime:
        local = start.astimezone(self.tz)
        for _ in range(_MAX_DAYS):
            day = local.date()
            if self.is_workday(day):
                begin, end = self._at(day, self.work_start), self._at(day, self.work_end)
                cursor = max(local, begin)
                if cursor < end:
                    if remaining <= end - cursor:
                        return cursor + remaining
                    remaining -= end - cursor
            local = self._at(day + timedelta(days=1), self.work_start)
        raise ValueError("no working time found within ten years")

    def _backward(self, start: datetime, remaining: timedelta) -> datetime:
        local = start.astimezone(self.tz)
        for _ in range(_MAX_DAYS):
            day = local.date()
            if self.is_workday(day):
                begin, end = self._at(day, self.work_start), self._at(day, self.work_end)
                cursor = min(local, end)
                if cursor > begin:
                    if remaining <= cursor - begin:
                        return cursor - remaining
                    remaining -= cursor - begin
            local = self._at(day - timedelta(days=1), self.work_end)
        raise ValueError("no working time found within ten years")
