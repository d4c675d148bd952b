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

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock

# Re-exported: the board is this service's answer.
from bot.domain.airing import LIST_SIZE as LIST_SIZE
from bot.domain.airing import Board as Board
from bot.domain.airing import NamedIssue as NamedIssue
from bot.domain.airing import Standing as Standing
from bot.domain.airing import bottom_ranks as bottom_ranks
from bot.domain.airing import top_ranks as top_ranks
from bot.domain.figures import OpenIssue
from bot.domain.outcomes import Publish, Recipient, discard
from bot.domain.outcomes.airing import AiringPost, AiringPosted, AiringPreviewed
from bot.services.metrics import CadreMetrics, MetricsService, Week, week_of
from bot.services.recipients import Recipients
from storage.repos import exchange_stats
from storage.unit import Repositories

log = logging.getLogger(__name__)

FONT_WARNED = "airing.font_warned"  # kv key: the admins were told the chart has no CJK font


@dataclass(frozen=True)
class AiringPlan:
    """Where and in which language the weekly post goes ([airing] and [park] settings)."""

    enabled: bool = True
    chat_ids: tuple[int, ...] = ()
    park_groups: bool = False  # also every group bound as park-wide
    locale: str = "zh_CN"


# Renders a board as a post in a language (True: a preview); `bot.notify.airing` provides it.
Compose = Callable[[Board, str, bool], Awaitable[AiringPost]]


async def _no_composer(board: Board, locale: str, preview: bool) -> AiringPost:
    raise RuntimeError("the airing service was built without a composer")


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
        repos: Repositories,
        clock: Clock,
        metrics: MetricsService,
        *,
        min_tickets: int = 2,
        trend_weeks: int = 8,
        plan: AiringPlan | None = None,
        compose: Compose = _no_composer,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.plan = plan or AiringPlan()
        self.compose = compose
        self.publish = publish
        self.recipients = recipients
        self.kv = repos.kv
        self.clock = clock
        self.metrics = metrics
        self.min_tickets = min_tickets
        self.trend_weeks = trend_weeks
        self.repo = repos.airing

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
        async with self.db.reading():
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
        async with self.db.reading():
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

    async def post_due(self) -> Week | None:
        """Post the due week to the plan's chats if it was not posted; return it if posted.

        The post is composed first, outside any transaction; the record of the week and the
        published `AiringPosted` then commit together.
        """
        plan = self.plan
        if not plan.enabled:
            return None
        week = await self.pending_week()
        if week is None:
            return None
        chats = await self.chats(list(plan.chat_ids), park_groups=plan.park_groups)
        if not chats:
            log.info("airing %s is due but no chat is configured or bound as park", week.label)
            return None
        board = await self.board(week)
        post = await self.compose(board, plan.locale, False)
        async with self.db.transaction():
            if not await self.record_posted(board, len(chats)):
                return None  # posted meanwhile (another instance or an overlapping run)
            warn = await self._font_warning(post)
            to = tuple(Recipient(chat_id) for chat_id in chats)
            desk = await self.recipients.desk() if warn else ()
            await self.publish(AiringPosted(week, to, post, warn_font=warn, desk=desk))
        log.info("airing %s queued for %d chats", week.label, len(chats))
        return week

    async def preview(self, chat_id: int, week: Week | None, locale: str) -> Week:
        """Publish the week's post (default: the due week) to one chat, in `locale`, without
        recording the week as posted."""
        week = week or self.due_week()
        post = await self.compose(await self.board(week), locale, True)
        async with self.db.transaction():
            warn = await self._font_warning(post)
            desk = await self.recipients.desk() if warn else ()
            chat = Recipient(chat_id)  # in the park's language: the text is in `locale` already
            await self.publish(AiringPreviewed(chat, post, warn_font=warn, desk=desk))
        return week

    async def _font_warning(self, post: AiringPost) -> bool:
        """True the first time a chart lacks a CJK font (the admins are told once)."""
        if not post.font_missing or await self.kv.get(FONT_WARNED) is not None:
            return False
        await self.kv.set(FONT_WARNED, self.clock.now().isoformat())
        return True

    async def chats(self, configured: list[int], *, park_groups: bool) -> list[int]:
        """The configured chats plus (if enabled) every park-wide group, without repeats."""
        found = list(dict.fromkeys(configured))
        if park_groups:
            async with self.db.transaction():
                found += [c for c in await self.repo.park_groups() if c not in found]
        return found
