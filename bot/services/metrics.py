"""Metrics per park and per cadre for one week, computed from the event log (domain.md names).

A week runs Monday 00:00 to Sunday 24:00 park time. Figures are "as of" the report time: the
week's scheduled airing (Monday after, at the configured time), or now if that has not come yet,
so the post, a later preview and the CLI all show the same numbers for the same week. The list of
overdue and supervised tickets is a snapshot at the moment of asking.

Definitions (all rates rounded half up to one decimal):
- 响应率: tickets whose response was due in the week, claimed and contacted by that due time.
- 办结率: tickets received in the week that are resolved or closed (not reopened) by the report
  time; cumulative: the same since 1 January.
- 按期办结率: tickets resolved in the week (their last resolve) by their deadline (an approved
  extension moves the deadline, so it is included).
- 解决率 / 部分解决 / 满意率 / strict 满意率: over the tickets whose final verdict came in the
  week; the latest rating counts; 未评价 (auto-closed) is a verdict that is neither solved nor
  satisfied.
- 重办率: tickets resolved in the week that were also reopened in the week.
- Average working days to resolve: working days after the day of receipt up to the day of the
  week's resolve (same day = 0), on the Chinese calendar.
- Composite score: weighted 响应率, 解决率, 满意率; a component with no data is left out and the
  remaining weights are scaled up, so a cadre is not punished for an empty denominator.
Tickets count for the cadre they are assigned to now; duty-desk tickets count for the park only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import taxonomy
from bot.errors import InvalidInput
from bot.services.calendar import WorkCalendar
from storage.db import Database
from storage.repos.metrics import MetricsRepo, OpenIssue


def round_half_up(value: Decimal | float, places: int = 1) -> float:
    """Round like the field reports do (97.75 -> 97.8), not banker's rounding."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    """A count over a denominator; `pct` is None when nothing was due."""

    num: int
    den: int

    @property
    def exact(self) -> Decimal | None:
        return None if self.den == 0 else Decimal(self.num * 100) / Decimal(self.den)

    @property
    def pct(self) -> float | None:
        exact = self.exact
        return None if exact is None else round_half_up(exact)


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
    cleaned = text.strip().upper().replace("-", "")
    try:
        year_text, number_text = cleaned.split("W")
        year, number = int(year_text), int(number_text)
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InvalidInput("airing.bad_week", value=text[:20]) from None
    return Week(year, number, tz)


@dataclass(frozen=True)
class Metrics:
    received: int
    response: Rate
    closure: Rate
    closure_ytd: Rate
    on_time: Rate
    solved: Rate
    partly: Rate
    satisfaction: Rate
    strict_satisfaction: Rate
    unrated: int
    reopen: Rate
    overdue: int
    avg_days: float | None
    score: float | None
    sample: int  # distinct tickets behind the week's figures


@dataclass(frozen=True)
class CadreMetrics:
    cadre_id: int
    name: str
    metrics: Metrics


@dataclass(frozen=True)
class WeekMetrics:
    week: Week
    as_of: datetime
    park: Metrics
    cadres: list[CadreMetrics]
    issues: list[OpenIssue] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    response: float = 0.30
    solved: float = 0.35
    satisfaction: float = 0.35


def composite(weights: Weights, response: Rate, solved: Rate, satisfied: Rate) -> float | None:
    """Weighted score over the components that have data, rounded half up."""
    parts = [
        (Decimal(str(w)), r.exact)
        for w, r in (
            (weights.response, response),
            (weights.solved, solved),
            (weights.satisfaction, satisfied),
        )
    ]
    present = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum((w for w, _ in present), Decimal(0))
    if not present or total == 0:
        return None
    return round_half_up(sum((w * v for w, v in present), Decimal(0)) / total)


class _Bucket:
    """Per-ticket facts of one owner (or the park), folded into Metrics."""

    def __init__(self) -> None:
        self.received = 0
        self.closed = 0
        self.ytd = (0, 0)
        self.due = 0
        self.responded = 0
        self.resolved = 0
        self.in_time = 0
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
            reopen=Rate(self.reopened, self.resolved),
            overdue=self.overdue,
            avg_days=avg,
            score=composite(weights, response, solved, satisfied),
            sample=len(self.tickets),
        )


class MetricsService:
    """Compute a week's metrics for the park and every cadre with tickets in it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        calendar: WorkCalendar,
        *,
        weights: Weights | None = None,
        report_weekday: int = 1,
        report_time: time = time(9, 0),
    ) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.tz = calendar.tz
        self.weights = weights or Weights()
        self.report_weekday = report_weekday
        self.report_time = report_time
        self.repo = MetricsRepo(db)
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
            The park's figures, the cadres' figures (cadres with at least one ticket in the
            week, by name), and the overdue or supervised open tickets now.
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
        async with self.db.transaction():
            received = await self.repo.received(start, end, as_of)
            ytd = await self.repo.received_counts(min(jan1, start), end, as_of)
            due = await self.repo.response_due(start, end)
            resolved = await self.repo.resolved_in(start, end)
            verdicts = await self.repo.verdicts(start, end, as_of)
            issues = await self.repo.open_issues(now)
            names = await self.repo.cadre_names()
        buckets: dict[int | None, _Bucket] = defaultdict(_Bucket)
        for owner, (count, done) in ytd.items():
            buckets[owner].ytd = (count, done)
        for item in received:
            bucket = buckets[item.assignee_id]
            bucket.received += 1
            bucket.closed += item.resolved
            bucket.tickets.add(item.ticket_id)
        for d in due:
            bucket = buckets[d.assignee_id]
            bucket.due += 1
            bucket.responded += d.on_time
            bucket.tickets.add(d.ticket_id)
        for r in resolved:
            bucket = buckets[r.assignee_id]
            bucket.resolved += 1
            bucket.in_time += r.resolved_at <= r.deadline_at
            bucket.reopened += r.reopened
            bucket.days.append(self.working_days_between(r.created_at, r.resolved_at))
            bucket.tickets.add(r.ticket_id)
        for v in verdicts:
            buckets[v.assignee_id].verdict.append((v.solved, v.satisfaction))
            buckets[v.assignee_id].tickets.add(v.ticket_id)
        for issue in issues:
            if issue.deadline_at < now:
                buckets[issue.assignee_id].overdue += 1
        park = _merge(buckets.values())
        cadres = [
            CadreMetrics(owner, names.get(owner, f"#{owner}"), bucket.metrics(self.weights))
            for owner, bucket in buckets.items()
            if owner is not None and (bucket.tickets or bucket.overdue)
        ]
        cadres.sort(key=lambda c: (c.name, c.cadre_id))
        return park.metrics(self.weights), cadres, issues, as_of

    async def closure_trend(self, week: Week, weeks: int) -> list[tuple[Week, Rate]]:
        """The park's 办结率 for `weeks` weeks ending with `week`, each as of its own airing."""
        trend: list[tuple[Week, Rate]] = []
        async with self.db.transaction():
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
        park.reopened += b.reopened
        park.days += b.days
        park.verdict += b.verdict
        park.overdue += b.overdue
        park.tickets |= b.tickets
    park.ytd = (ytd_received, ytd_done)
    return park


def weights_from(mapping: Mapping[str, float]) -> Weights:
    """Build Weights from the config's table (keys response, solved, satisfaction)."""
    return Weights(
        response=float(mapping.get("response", 0.30)),
        solved=float(mapping.get("solved", 0.35)),
        satisfaction=float(mapping.get("satisfaction", 0.35)),
    )
