"""Metrics per park and per cadre for one week, computed from the event log (domain.md names).

A week runs Monday 00:00 to Sunday 24:00 park time. Figures are "as of" the report time: the
week's scheduled airing (Monday after, at the configured time), or now if that has not come yet,
so the post, a later preview and the CLI all show the same numbers for the same week. The list of
overdue and supervised tickets is a snapshot at the moment of asking.

Definitions (domain.md, with its "Clarifications"; the per-ticket rules are in
`bot.domain.metric_rules`); every rate is kept exact and shown rounded half up to one decimal:
- 响应率: the first contact by any means (已联系, a progress note, the resolution) by the
  response due time, over the tickets whose response fell due in the week or was given in it
  before falling due.
- 办结率: tickets received in the week whose latest state at the report time is resolved or
  closed; cumulative: the same since 1 January.
- 按期办结率: tickets whose latest state is a resolve made in the week, resolved by the deadline
  in force at that resolve (an approved extension included; a later reopen's fresh deadline
  does not change a past week).
- 解决率 / 部分解决 / 满意率 (满意 + 基本满意) / strict 满意率: over the tickets whose latest
  verdict came in the week; 未评价 (auto-closed) is neither solved nor satisfied.
- 重办率: tickets reopened in the week over tickets resolved at least once in the week.
- Average working days to resolve: working days after the day of receipt up to the day of the
  resolve (same day = 0), on the Chinese calendar, over the 按期 denominator.
- Composite score: weighted 响应率, 解决率, 满意率 from the unrounded rates, then rounded; a
  component with no data is left out (`Metrics.omitted`) and the other weights are scaled up.
Tickets count for the cadre they are assigned to now; duty-desk tickets count for the park only.
Every cadre (role cadre) on the roster is reported, with a sample of 0 when they had nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.clock import Clock
from bot.domain import taxonomy

# Re-exported: the figures and the week are part of this module's public shape.
from bot.domain.figures import CadreMetrics as CadreMetrics
from bot.domain.figures import Metrics as Metrics
from bot.domain.figures import OpenIssue
from bot.domain.figures import Rate as Rate
from bot.domain.figures import WeekMetrics as WeekMetrics
from bot.domain.figures import Weights as Weights
from bot.domain.figures import composite as composite
from bot.domain.figures import round_half_up as round_half_up
from bot.domain.figures import score_of as score_of
from bot.domain.metric_rules import Facts, TicketHistory, facts
from bot.domain.models import Role
from bot.domain.weeks import Week as Week
from bot.domain.weeks import parse_week as parse_week
from bot.domain.weeks import week_of as week_of
from bot.domain.work_calendar import WorkCalendar
from storage.unit import Repositories


class _Bucket:
    """Per-ticket facts of one owner (or the park), folded into Metrics."""

    def __init__(self) -> None:
        self.received = 0
        self.closed = 0
        self.ytd = (0, 0)
        self.due = 0
        self.responded = 0
        self.resolved = 0  # 按期 denominator
        self.in_time = 0
        self.resolved_once = 0  # 重办率 denominator
        self.reopened = 0
        self.days: list[int] = []
        self.verdict: list[tuple[str, str]] = []
        self.overdue = 0
        self.tickets: set[int] = set()

    def metrics(self, weights: Weights) -> Metrics:
        rated = len(self.verdict)
        response = Rate(self.responded, self.due)
        solved = Rate(sum(s == taxonomy.SOLVED for s, _ in self.verdict), rated)
        satisfied = Rate(sum(v in taxonomy.SATISFIED for _, v in self.verdict), rated)
        avg = round_half_up(sum(self.days) / len(self.days)) if self.days else None
        score, omitted = score_of(weights, response, solved, satisfied)
        return Metrics(
            received=self.received,
            response=response,
            closure=Rate(self.closed, self.received),
            closure_ytd=Rate(self.ytd[1], self.ytd[0]),
            on_time=Rate(self.in_time, self.resolved),
            solved=solved,
            partly=Rate(sum(s == taxonomy.PARTLY for s, _ in self.verdict), rated),
            satisfaction=satisfied,
            strict_satisfaction=Rate(
                sum(v == taxonomy.STRICTLY_SATISFIED for _, v in self.verdict), rated
            ),
            unrated=sum(s == taxonomy.UNRATED for s, _ in self.verdict),
            reopen=Rate(self.reopened, self.resolved_once),
            overdue=self.overdue,
            avg_days=avg,
            score=score,
            sample=len(self.tickets),
            omitted=omitted,
        )

    def add(self, ticket: TicketHistory, facts: Facts, days: int | None) -> None:
        """Count one ticket's contribution (`days`: working days to resolve, when resolved)."""
        counted = False
        if facts.received:
            self.received += 1
            self.closed += facts.resolved
            counted = True
        if facts.response is not None:
            self.due += 1
            self.responded += facts.response
            counted = True
        if facts.resolved_at is not None and days is not None:
            self.resolved += 1
            self.in_time += facts.in_time
            self.days.append(days)
            counted = True
        if facts.resolved_once or facts.reopened:
            self.resolved_once += facts.resolved_once
            self.reopened += facts.reopened
            counted = True
        if facts.verdict is not None:
            self.verdict.append(facts.verdict)
            counted = True
        if counted:
            self.tickets.add(ticket.ticket_id)


class MetricsService:
    """Compute a week's metrics for the park and every cadre on the roster."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        *,
        weights: Weights | None = None,
        report_weekday: int = 1,
        report_time: time = time(9, 0),
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.calendar = calendar
        self.tz = calendar.tz
        self.weights = weights or Weights()
        self.report_weekday = report_weekday
        self.report_time = report_time
        self.repo = repos.metrics
        self._workday_index: dict[date, int] = {}

    def report_at(self, week: Week) -> datetime:
        """When the week is aired: the configured weekday and time of the following week."""
        day = week.monday + timedelta(days=7 + self.report_weekday - 1)
        return datetime.combine(day, self.report_time, tzinfo=self.tz)

    def as_of(self, week: Week) -> datetime:
        """The report time the week's figures are taken at (never in the future)."""
        return min(self.report_at(week), self.clock.now())

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after the day of `start` up to and including the day of `end`."""
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        if last <= first:
            return 0
        return sum(
            1
            for offset in range(1, (last - first).days + 1)
            if self._is_workday(first + timedelta(days=offset))
        )

    def _is_workday(self, day: date) -> bool:
        known = self._workday_index.get(day)
        if known is None:
            known = int(self.calendar.is_workday(day))
            self._workday_index[day] = known
        return bool(known)

    async def week(self, week: Week) -> WeekMetrics:
        """Compute every metric of `week` for the park and per cadre.

        Args:
            week: the ISO week (park time).

        Returns:
            The park's figures, the cadres' figures (every cadre on the roster, by name; a
            sample of 0 when they had nothing), and the overdue or supervised open tickets now.
        """
        park, cadres, issues, as_of = await self.period(week.start, week.end, self.as_of(week))
        return WeekMetrics(week, as_of, park, cadres, issues)

    async def period(
        self, start: datetime, end: datetime, as_of: datetime
    ) -> tuple[Metrics, list[CadreMetrics], list[OpenIssue], datetime]:
        """Compute every metric for any period [start, end) as of `as_of` (the ledger uses it).

        Returns:
            (park figures, per-cadre figures by name, open overdue/supervised tickets, as_of).
        """
        now = self.clock.now()
        jan1 = datetime.combine(date(start.astimezone(self.tz).year, 1, 1), time(0), tzinfo=self.tz)
        async with self.db.reading():
            histories = await self.repo.histories(start, end, as_of)
            ytd = await self.repo.received_counts(min(jan1, start), end, as_of)
            issues = await self.repo.open_issues(now)
            roster = await self.repo.roster()
        buckets: dict[int | None, _Bucket] = defaultdict(_Bucket)
        for owner, (count, done) in ytd.items():
            buckets[owner].ytd = (count, done)
        for ticket in histories:
            found = facts(ticket, start, end, as_of)
            days = (
                self.working_days_between(ticket.created_at, found.resolved_at)
                if found.resolved_at is not None
                else None
            )
            buckets[ticket.assignee_id].add(ticket, found, days)
        for issue in issues:
            if issue.deadline_at < now:
                buckets[issue.assignee_id].overdue += 1
        park = _merge(buckets.values())
        # Every cadre on the roster, even with nothing this week (listed under 样本不足); leaders
        # and admins only when they own tickets.
        names = {c.id: c.name for c in roster}
        owners = {c.id for c in roster if c.role == Role.CADRE.value}
        owners |= {o for o, b in buckets.items() if o is not None and (b.tickets or b.overdue)}
        cadres = [
            CadreMetrics(owner, names.get(owner, f"#{owner}"), buckets[owner].metrics(self.weights))
            for owner in owners
        ]
        cadres.sort(key=lambda c: (c.name, c.cadre_id))
        return park.metrics(self.weights), cadres, issues, as_of

    async def closure_trend(self, week: Week, weeks: int) -> list[tuple[Week, Rate]]:
        """The park's 办结率 for `weeks` weeks ending with `week`, each as of its own airing."""
        trend: list[tuple[Week, Rate]] = []
        async with self.db.reading():
            for back in range(weeks - 1, -1, -1):
                past = week.shifted(-back)
                rows = await self.repo.received(past.start, past.end, self.as_of(past))
                trend.append((past, Rate(sum(r.resolved for r in rows), len(rows))))
        return trend


def _merge(buckets: Iterable[_Bucket]) -> _Bucket:
    park = _Bucket()
    ytd_received = ytd_done = 0
    for b in buckets:
        park.received += b.received
        park.closed += b.closed
        ytd_received += b.ytd[0]
        ytd_done += b.ytd[1]
        park.due += b.due
        park.responded += b.responded
        park.resolved += b.resolved
        park.in_time += b.in_time
        park.resolved_once += b.resolved_once
        park.reopened += b.reopened
        park.days += b.days
        park.verdict += b.verdict
        park.overdue += b.overdue
        park.tickets |= b.tickets
    park.ytd = (ytd_received, ytd_done)
    return park
