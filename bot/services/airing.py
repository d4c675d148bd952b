"""The weekly airing (周晾晒 / 龙虎榜): ranking, rank changes, named items, posting each week once.

The ranking follows domain.md "Clarifications": equal scores (at one decimal) share a rank
(1, 2, 2, 4); the red list is the top 3 ranks best first, the yellow list the bottom 3 ranks worst
first; each list extends to everyone tied at its last place, and nobody is on both. Cadres with
fewer than `min_tickets` tickets behind the week's figures are 样本不足 and not ranked. Each aired
week's ranks are stored, so next week's rank change compares with what was actually posted; a
week that was never aired is recomputed instead. Overdue and supervised tickets are named worst
first: 督办 level 2, level 1, then most working days overdue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.services.metrics import CadreMetrics, MetricsService, Rate, Week, WeekMetrics, week_of
from storage.db import Database
from storage.repos import exchange_stats
from storage.repos.airing import AiringRepo
from storage.repos.metrics import OpenIssue

LIST_SIZE = 3


@dataclass(frozen=True)
class Standing:
    """A ranked cadre: competition rank (ties share it) and places gained since last week."""

    cadre: CadreMetrics
    rank: int
    change: int | None  # places gained since last week (negative: lost); None: newly ranked
    tied: bool = False  # another cadre has the same rank (并列)

    @property
    def score(self) -> float:
        assert self.cadre.metrics.score is not None  # only scored cadres are ranked
        return self.cadre.metrics.score


@dataclass(frozen=True)
class NamedIssue:
    """An open ticket the post names: overdue, supervised, or both."""

    issue: OpenIssue
    overdue_days: int | None  # working days past the deadline; None when not overdue

    @property
    def overdue(self) -> bool:
        return self.overdue_days is not None


@dataclass(frozen=True)
class Board:
    """Everything one week's airing shows."""

    week: Week
    metrics: WeekMetrics
    ranked: list[Standing]
    insufficient: list[CadreMetrics]  # 样本不足: fewer than min_tickets tickets
    unscored: list[CadreMetrics] = field(default_factory=list)  # enough tickets, nothing to score
    issues: list[NamedIssue] = field(default_factory=list)  # worst first
    trend: list[tuple[Week, Rate]] = field(default_factory=list)
    side: dict[str, int] = field(default_factory=dict)

    @property
    def red(self) -> list[Standing]:
        """The top 3 ranks, best first, with everyone tied at the last place."""
        return top_ranks(self.ranked)

    @property
    def yellow(self) -> list[Standing]:
        """The bottom 3 ranks, worst first, with ties at the last place; never a red cadre."""
        red = {s.cadre.cadre_id for s in self.red}
        return [s for s in bottom_ranks(self.ranked) if s.cadre.cadre_id not in red]


def top_ranks(ranked: list[Standing], size: int = LIST_SIZE) -> list[Standing]:
    """The first `size` standings (best first) and everyone sharing the last one's rank."""
    if len(ranked) <= size:
        return list(ranked)
    last = ranked[size - 1].rank
    return [s for s in ranked if s.rank <= last]


def bottom_ranks(ranked: list[Standing], size: int = LIST_SIZE) -> list[Standing]:
    """The last `size` standings (worst first) and everyone sharing the last one's score."""
    worst_first = sorted(ranked, key=lambda s: (s.score, s.cadre.name, s.cadre.cadre_id))
    if len(worst_first) <= size:
        return worst_first
    last = worst_first[size - 1].rank
    return [s for s in worst_first if s.rank >= last]


def rank(
    cadres: list[CadreMetrics], min_tickets: int
) -> tuple[list[tuple[int, CadreMetrics]], list[CadreMetrics], list[CadreMetrics]]:
    """Rank cadres by score: ties share a rank (1, 2, 2, 4), listed by name within a tie.

    Returns:
        (ranked best first as (rank, cadre), 样本不足 by name, enough tickets but no score).
    """
    scored = [c for c in cadres if c.metrics.sample >= min_tickets and c.metrics.score is not None]
    scored.sort(key=lambda c: (-(c.metrics.score or 0.0), c.name, c.cadre_id))
    ranked: list[tuple[int, CadreMetrics]] = []
    for index, cadre in enumerate(scored):
        tie = index > 0 and cadre.metrics.score == scored[index - 1].metrics.score
        ranked.append((ranked[-1][0] if tie else index + 1, cadre))
    insufficient = [c for c in cadres if c.metrics.sample < min_tickets]
    unscored = [c for c in cadres if c.metrics.sample >= min_tickets and c.metrics.score is None]
    return ranked, insufficient, unscored


def worst_first(issue: NamedIssue) -> tuple[int, bool, int, datetime, int]:
    """Sort key: 督办 level 2, level 1, then most working days overdue, then oldest."""
    return (
        -issue.issue.supervision_level,
        not issue.overdue,
        -(issue.overdue_days or 0),
        issue.issue.created_at,
        issue.issue.ticket_id,
    )


class AiringService:
    """Build a week's board; find the week that is due; record a week as posted, once."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        metrics: MetricsService,
        *,
        min_tickets: int = 2,
        trend_weeks: int = 8,
    ) -> None:
        self.db = db
        self.clock = clock
        self.metrics = metrics
        self.min_tickets = min_tickets
        self.trend_weeks = trend_weeks
        self.repo = AiringRepo(db)

    def due_week(self, now: datetime | None = None) -> Week:
        """The latest week whose airing time has come (the one to post or preview)."""
        moment = now or self.clock.now()
        last = week_of(moment, self.metrics.tz).shifted(-1)
        return last if moment >= self.metrics.report_at(last) else last.shifted(-1)

    async def pending_week(self) -> Week | None:
        """The week to post now, if it is not posted yet. Only the latest due week is caught
        up: after a long outage the older weeks are not posted late."""
        week = self.due_week()
        async with self.db.transaction():
            return None if await self.repo.is_posted(week.label) else week

    async def _previous_ranks(self, week: Week) -> dict[int, int]:
        before = week.shifted(-1)
        async with self.db.transaction():
            stored = await self.repo.ranks(before.label)
        if stored is not None:
            return stored
        ranked, _, _ = rank((await self.metrics.week(before)).cadres, self.min_tickets)
        return {c.cadre_id: place for place, c in ranked}

    def named_issues(self, issues: list[OpenIssue], now: datetime) -> list[NamedIssue]:
        """The overdue and supervised tickets with their working days overdue, worst first."""
        named = [
            NamedIssue(
                issue,
                self.metrics.calendar.working_days_between(issue.deadline_at, now)
                if issue.deadline_at < now
                else None,
            )
            for issue in issues
        ]
        named.sort(key=worst_first)
        return named

    async def board(self, week: Week) -> Board:
        """Compute the week's figures, ranking with rank changes, named items, trend and side
        counts.

        Args:
            week: the ISO week to air.

        Returns:
            The board; nothing is recorded (see `record_posted`).
        """
        figures = await self.metrics.week(week)
        ranked, insufficient, unscored = rank(figures.cadres, self.min_tickets)
        previous = await self._previous_ranks(week)
        places = Counter(place for place, _ in ranked)
        standings = []
        for place, cadre in ranked:
            before = previous.get(cadre.cadre_id)
            change = None if before is None else before - place
            standings.append(Standing(cadre, place, change, tied=places[place] > 1))
        trend = await self.metrics.closure_trend(week, self.trend_weeks)
        async with self.db.transaction():
            side = await exchange_stats.week_counts(self.db, week.start, week.end)
        issues = self.named_issues(figures.issues, self.clock.now())
        return Board(week, figures, standings, insufficient, unscored, issues, trend, side)

    async def record_posted(self, board: Board, chats: int) -> bool:
        """Record the week as posted with its ranks, inside the caller's transaction (the one
        that queues the posts). Returns False if the week was already posted.
        """
        ranks = {s.cadre.cadre_id: (s.rank, s.score) for s in board.ranked}
        async with self.db.transaction():
            return await self.repo.record(
                board.week.label,
                as_of=board.metrics.as_of,
                now=self.clock.now(),
                chats=chats,
                ranks=ranks,
            )

    async def chats(self, configured: list[int], *, park_groups: bool) -> list[int]:
        """The configured chats plus (if enabled) every park-wide group, without repeats."""
        found = list(dict.fromkeys(configured))
        if park_groups:
            async with self.db.transaction():
                found += [c for c in await self.repo.park_groups() if c not in found]
        return found
