"""The weekly airing (周晾晒 / 龙虎榜): ranking, rank changes, and posting each week once.

The red list is the top of the ranking by composite score, the yellow list its bottom; cadres
with fewer than `min_tickets` tickets behind the week's figures (or with no score at all) are
样本不足 and not ranked. Each aired week's ranks are stored, so next week's rank change compares
with what was actually posted; a week that was never aired is recomputed instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.services.metrics import CadreMetrics, MetricsService, Rate, Week, WeekMetrics, week_of
from storage.db import Database
from storage.repos import exchange_stats
from storage.repos.airing import AiringRepo

LIST_SIZE = 3


@dataclass(frozen=True)
class Standing:
    cadre: CadreMetrics
    rank: int
    change: int | None  # places gained since last week (negative: lost); None: newly ranked

    @property
    def score(self) -> float:
        assert self.cadre.metrics.score is not None  # only scored cadres are ranked
        return self.cadre.metrics.score


@dataclass(frozen=True)
class Board:
    """Everything one week's airing shows."""

    week: Week
    metrics: WeekMetrics
    ranked: list[Standing]
    insufficient: list[CadreMetrics]
    trend: list[tuple[Week, Rate]] = field(default_factory=list)
    side: dict[str, int] = field(default_factory=dict)

    @property
    def red(self) -> list[Standing]:
        return self.ranked[:LIST_SIZE]

    @property
    def yellow(self) -> list[Standing]:
        """The bottom three, worst last; never repeats a cadre already on the red list."""
        room = max(len(self.ranked) - LIST_SIZE, 0)
        return self.ranked[len(self.ranked) - min(LIST_SIZE, room) :]


def rank(
    cadres: list[CadreMetrics], min_tickets: int
) -> tuple[list[CadreMetrics], list[CadreMetrics]]:
    """Split cadres into (ranked best first, 样本不足); ties go to more tickets, then name."""
    ranked = [c for c in cadres if c.metrics.sample >= min_tickets and c.metrics.score is not None]
    ranked.sort(key=lambda c: (-(c.metrics.score or 0.0), -c.metrics.sample, c.name, c.cadre_id))
    chosen = {c.cadre_id for c in ranked}
    return ranked, [c for c in cadres if c.cadre_id not in chosen]


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
        ranked, _ = rank((await self.metrics.week(before)).cadres, self.min_tickets)
        return {c.cadre_id: index for index, c in enumerate(ranked, start=1)}

    async def board(self, week: Week) -> Board:
        """Compute the week's figures, ranking with rank changes, trend and side counts.

        Args:
            week: the ISO week to air.

        Returns:
            The board; nothing is recorded (see `record_posted`).
        """
        figures = await self.metrics.week(week)
        ranked, insufficient = rank(figures.cadres, self.min_tickets)
        previous = await self._previous_ranks(week)
        standings = []
        for index, cadre in enumerate(ranked, start=1):
            before = previous.get(cadre.cadre_id)
            standings.append(Standing(cadre, index, None if before is None else before - index))
        trend = await self.metrics.closure_trend(week, self.trend_weeks)
        async with self.db.transaction():
            side = await exchange_stats.week_counts(self.db, week.start, week.end)
        return Board(week, figures, standings, insufficient, trend, side)

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
