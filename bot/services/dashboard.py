"""What the 服务驾驶舱 shows, to whom: the airing's figures and the tickets, within a scope.

Nothing here computes a figure. The numbers are the airing's own: `AiringService.board` for the
week (the same object the weekly post renders) and `MetricsService.week` for the trend, so the
dashboard and the post stay equal as those services change. This module decides who sees which
part of them (the scope, from `EscalationService.scope`, the rule `/overdue` already uses) and
keeps recent results for a minute, because one week's figures take most of a second on a large
park while a leader's phone asks for them on every tap.

Scopes: an admin sees the park; a leader their cadres (and themself); a cadre their own tickets
and figures; an enterprise contact their enterprise's tickets; anyone else nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import taxonomy
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Actor, Ticket, TicketView
from bot.errors import InvalidInput, NotAllowed
from bot.services.airing import AiringService, Board
from bot.services.cache import Cache
from bot.services.metrics import CadreMetrics, Metrics, MetricsService, Rate, Week, WeekMetrics
from bot.services.tickets.access import leads
from bot.services.tickets.escalation import EscalationService
from bot.services.tickets.service import TicketService
from storage.repos.search import TicketQuery
from storage.unit import Repositories

FRESH_SECONDS = 60.0  # figures older than this are recomputed (in the background)
CACHED_WEEKS = 64
PAGE = 50
OLDEST_WEEKS = 160  # how far back a week may be asked for (about three years)


@dataclass(frozen=True)
class Scope:
    """Whose tickets and figures an actor sees; `cadre_ids` None means the whole park."""

    role: str  # admin | leader | cadre | enterprise
    cadre_ids: frozenset[int] | None = None
    # An enterprise contact's: every enterprise they are a contact of (one may serve several).
    enterprise_ids: frozenset[int] = frozenset()

    def covers(self, cadre_id: int | None) -> bool:
        if self.role == "enterprise":
            return False
        return self.cadre_ids is None or cadre_id in self.cadre_ids


@dataclass(frozen=True)
class TrendPoint:
    week: Week
    closure: Rate
    satisfaction: Rate


@dataclass(frozen=True)
class Overview:
    week: Week
    as_of: datetime
    scope: Scope
    figures: Metrics | None  # the park's (admins, leaders) or the cadre's own; None: no tickets
    trend: list[TrendPoint]
    overdue: int
    supervised: int
    reopened: int


@dataclass(frozen=True)
class CadreLine:
    cadre: CadreMetrics
    rank: int
    change: int | None
    tied: bool  # 并列: another cadre has the same rank
    board: str  # red | yellow | "" (neither list)


@dataclass(frozen=True)
class Standings:
    week: Week
    as_of: datetime
    ranked: list[CadreLine]
    insufficient: list[CadreMetrics]
    min_tickets: int


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    overdue: bool = False
    supervised: bool = False
    enterprise_id: int | None = None
    category: str | None = None
    week: Week | None = None
    cadre_id: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class TicketLine:
    ticket: Ticket
    enterprise: str
    assignee: str | None
    overdue: bool


@dataclass(frozen=True)
class TicketPage:
    lines: list[TicketLine]
    more: bool
    enterprises: list[tuple[int, str]]


@dataclass(frozen=True)
class PendingExtension:
    request_id: int
    days: int
    reason: str
    asked_at: datetime


@dataclass(frozen=True)
class TicketDetail:
    view: TicketView
    scope: Scope
    pending: PendingExtension | None
    overdue: bool


class DashboardService:
    """Scoped, cached views of the airing's figures and of the tickets."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        metrics: MetricsService,
        airing: AiringService,
        escalation: EscalationService,
        tickets: TicketService,
        *,
        fresh_seconds: float = FRESH_SECONDS,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.metrics = metrics
        self.airing = airing
        self.escalation = escalation
        self.tickets = tickets
        self.search = repos.search
        self.deadlines = repos.deadlines
        self._boards: Cache[Board] = Cache(fresh_seconds, CACHED_WEEKS)
        self._weeks: Cache[WeekMetrics] = Cache(fresh_seconds, CACHED_WEEKS)

    # -- who and when ---------------------------------------------------------------------------
    async def scope(self, actor: Actor) -> Scope:
        """The actor's scope.

        Raises:
            NotAllowed: neither staff nor an enterprise contact (key dashboard.nothing).
        """
        if actor.is_staff:
            async with self.db.reading():
                ids = await self.escalation.scope(actor)
            if ids is None:
                return Scope("admin")
            role = "leader" if leads(actor) else "cadre"
            return Scope(role, frozenset(ids))
        if actor.enterprise_id is not None or actor.enterprise_ids:
            mine = set(actor.enterprise_ids)
            if actor.enterprise_id is not None:
                mine.add(actor.enterprise_id)
            return Scope("enterprise", enterprise_ids=frozenset(mine))
        raise NotAllowed("dashboard.nothing")

    async def _staff_scope(self, actor: Actor) -> Scope:
        scope = await self.scope(actor)
        if scope.role == "enterprise":
            raise NotAllowed("dashboard.staff_only")
        return scope

    def default_week(self) -> Week:
        """The week the airing shows now (the latest whose airing time has come)."""
        return self.airing.due_week()

    def check_week(self, week: Week) -> Week:
        """Refuse weeks that have not begun or are older than the dashboard keeps.

        Raises:
            InvalidInput: the week is in the future or too old (key dashboard.bad_week).
        """
        now = self.clock.now()
        if week.start > now or week.end < now - timedelta(weeks=OLDEST_WEEKS):
            raise InvalidInput("dashboard.bad_week", week=week.label)
        return week

    # -- figures (the airing's, cached) -----------------------------------------------------------
    async def board(self, week: Week) -> Board:
        """The airing's board for `week` (recomputed at most once a minute)."""
        return await self._boards.get(week.label, lambda: self.airing.board(week))

    async def _week(self, week: Week) -> WeekMetrics:
        return await self._weeks.get(week.label, lambda: self.metrics.week(week))

    def forget(self) -> None:
        """Drop cached figures (after an action changed the tickets)."""
        self._boards.clear()
        self._weeks.clear()

    async def aclose(self) -> None:
        await self._boards.aclose()
        await self._weeks.aclose()

    async def warm(self) -> None:
        """Compute the default week's overview ahead of the first visitor."""
        await self._overview_parts(self.default_week())

    async def _overview_parts(self, week: Week) -> tuple[Board, list[WeekMetrics]]:
        board = await self.board(week)
        past = [week.shifted(-back) for back in range(len(board.trend) - 1, 0, -1)]
        weeks = [await self._week(w) for w in past]
        return board, [*weeks, board.metrics]

    async def overview(self, actor: Actor, week: Week) -> Overview:
        """The week's figures and trend for the actor's scope, with overdue/督办/重办 counts.

        Admins and leaders get the park's figures as aired (the airing posts them to the park
        groups) and the counts of their own scope; a cadre gets their own figures.

        Raises:
            NotAllowed: the actor is not staff.
            InvalidInput: a week in the future or too old.
        """
        scope = await self._staff_scope(actor)
        board, weeks = await self._overview_parts(self.check_week(week))
        figures = board.metrics
        own = [c for c in figures.cadres if scope.covers(c.cadre_id)]
        if scope.role == "cadre":
            mine = own[0].metrics if own else None
            trend = [TrendPoint(w.week, *_own_rates(w, scope)) for w in weeks]
        else:
            mine = figures.park
            closure = dict((w.label, rate) for w, rate in board.trend)
            trend = [
                TrendPoint(w.week, closure.get(w.week.label, w.park.closure), w.park.satisfaction)
                for w in weeks
            ]
        if scope.role == "admin":
            overdue, reopened = figures.park.overdue, figures.park.reopen.num
        else:
            overdue = sum(c.metrics.overdue for c in own)
            reopened = sum(c.metrics.reopen.num for c in own)
        supervised = sum(
            1 for i in figures.issues if i.supervision_level > 0 and scope.covers(i.assignee_id)
        )
        return Overview(week, figures.as_of, scope, mine, trend, overdue, supervised, reopened)

    async def standings(self, actor: Actor, week: Week) -> Standings:
        """The airing's ranking (红榜/黄榜, 样本不足 apart), limited to the actor's cadres.

        Raises:
            NotAllowed: the actor is not staff.
            InvalidInput: a week in the future or too old.
        """
        scope = await self._staff_scope(actor)
        board = await self.board(self.check_week(week))
        red = {s.cadre.cadre_id for s in board.red}
        yellow = {s.cadre.cadre_id for s in board.yellow}
        ranks = [s.rank for s in board.ranked]
        lines = [
            CadreLine(
                s.cadre,
                s.rank,
                s.change,
                ranks.count(s.rank) > 1,
                "red"
                if s.cadre.cadre_id in red
                else "yellow"
                if s.cadre.cadre_id in yellow
                else "",
            )
            for s in board.ranked
            if scope.covers(s.cadre.cadre_id)
        ]
        apart = [c for c in board.insufficient if scope.covers(c.cadre_id)]
        return Standings(week, board.metrics.as_of, lines, apart, self.airing.min_tickets)

    # -- tickets --------------------------------------------------------------------------------
    async def ticket_page(self, actor: Actor, wanted: TicketFilter) -> TicketPage:
        """One page of tickets in the actor's scope matching `wanted`, newest first.

        Raises:
            NotAllowed: nothing to see, or a cadre or enterprise outside the actor's scope.
            InvalidInput: an unknown status or category, or a bad week.
        """
        scope = await self.scope(actor)
        if wanted.status is not None and wanted.status not in {s.value for s in Status}:
            raise InvalidInput("dashboard.bad_filter")
        if wanted.category is not None and wanted.category not in taxonomy.CATEGORIES:
            raise InvalidInput("dashboard.bad_filter")
        cadre_ids = None if scope.cadre_ids is None else sorted(scope.cadre_ids)
        wanted_ids = None if wanted.enterprise_id is None else [wanted.enterprise_id]
        if scope.role == "enterprise":
            if wanted.cadre_id is not None or not set(wanted_ids or ()) <= scope.enterprise_ids:
                raise NotAllowed("dashboard.not_in_scope")
            wanted_ids = wanted_ids or sorted(scope.enterprise_ids)
        elif wanted.cadre_id is not None:
            if not scope.covers(wanted.cadre_id):
                raise NotAllowed("dashboard.not_in_scope")
            cadre_ids = [wanted.cadre_id]
        week = self.check_week(wanted.week) if wanted.week is not None else None
        now = self.clock.now()
        query = TicketQuery(
            cadre_ids=cadre_ids,
            enterprise_ids=wanted_ids,
            status=wanted.status,
            overdue_at=now if wanted.overdue else None,
            supervised=wanted.supervised,
            category=wanted.category,
            created_from=week.start if week else None,
            created_until=week.end if week else None,
            limit=PAGE + 1,
            offset=max(wanted.offset, 0),
        )
        async with self.db.reading():
            rows = await self.search.tickets(query)
            enterprises = await self.search.enterprises(
                None if scope.cadre_ids is None else sorted(scope.cadre_ids),
                sorted(scope.enterprise_ids) if scope.role == "enterprise" else None,
            )
        lines = [
            TicketLine(r.ticket, r.enterprise, r.assignee, _overdue(r.ticket, now))
            for r in rows[:PAGE]
        ]
        return TicketPage(lines, len(rows) > PAGE, enterprises)

    async def ticket(self, actor: Actor, ticket_id: int) -> TicketDetail:
        """One ticket with its history, if the actor may see it (`TicketService.view` decides).

        Raises:
            NotAllowed: the actor has no scope at all.
            TicketNotFound: no such ticket, or not the actor's to see.
        """
        scope = await self.scope(actor)
        view = await self.tickets.lookup.view(actor, ticket_id)
        async with self.db.reading():
            waiting = [
                r for r in await self.deadlines.requests_for(ticket_id) if r.status == "pending"
            ]
        pending = None
        if waiting and scope.role != "enterprise":
            r = waiting[-1]
            pending = PendingExtension(r.id, r.days, r.reason, r.requested_at)
        return TicketDetail(view, scope, pending, _overdue(view.ticket, self.clock.now()))


def _overdue(ticket: Ticket, now: datetime) -> bool:
    return ticket.status in OPEN_STATUSES and ticket.deadline_at < now


def _own_rates(week: WeekMetrics, scope: Scope) -> tuple[Rate, Rate]:
    for cadre in week.cadres:
        if scope.covers(cadre.cadre_id):
            return cadre.metrics.closure, cadre.metrics.satisfaction
    return Rate(0, 0), Rate(0, 0)
