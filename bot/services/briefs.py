"""The daily brief: each leader's morning summary of their cadres' tickets, on working days.

Once per leader per park-local day, durably: the brief is claimed in `daily_briefs` in the same
transaction as the message, so a restart after 08:30 sends the missing ones and never a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.clock import Clock
from bot.domain.events import EventType
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Actor, Cadre, Role, Ticket, TicketView
from bot.services.calendar import WorkCalendar
from bot.services.tickets import TicketService
from storage.db import Database
from storage.repos.deadlines import DeadlineRepo
from storage.repos.people import PeopleRepo


@dataclass(frozen=True)
class Brief:
    leader: Cadre
    day: date
    since: datetime
    new: list[TicketView]
    overdue: list[TicketView]
    escalated: list[TicketView]
    reopened: list[TicketView]


class BriefService:
    """Compose the daily briefs that are due now."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        calendar: WorkCalendar,
        tickets: TicketService,
        *,
        brief_time: time = time(8, 30),
    ) -> None:
        self.db = db
        self.clock = clock
        self.calendar = calendar
        self.tickets = tickets
        self.brief_time = brief_time
        self.repo = DeadlineRepo(db)
        self.people = PeopleRepo(db)

    async def due(self) -> list[Brief]:
        """Claim and return today's brief for every leader who has not had it yet.

        Call inside the transaction that also queues the messages: the claim and the message
        commit together. Nothing is due before `brief_time` or on a non-working day.

        Returns:
            One brief per leader with a Telegram account, in roster order.
        """
        now = self.clock.now()
        local = now.astimezone(self.calendar.tz)
        today = local.date()
        if not self.calendar.is_workday(today) or local.timetz().replace(tzinfo=None) < (
            self.brief_time
        ):
            return []
        briefs: list[Brief] = []
        async with self.db.transaction():
            cadres = await self.people.cadres()
            for leader in cadres:
                if leader.role is not Role.LEADER or leader.telegram_id is None:
                    continue
                since = await self.repo.last_brief_at(leader.id) or now - timedelta(days=1)
                if not await self.repo.claim_brief(leader.id, today, now):
                    continue
                # The same scope the leader's own /overdue and /blockers use.
                scope = await self.tickets.access.scope(
                    Actor(telegram_id=leader.telegram_id, cadre=leader)
                )
                team = scope.ids() or []
                briefs.append(await self._compose(leader, today, since, now, team))
        return briefs

    async def _compose(
        self, leader: Cadre, today: date, since: datetime, now: datetime, team: list[int]
    ) -> Brief:
        open_now = await self.repo.tickets_of_cadres(team, sorted(OPEN_STATUSES))
        return Brief(
            leader=leader,
            day=today,
            since=since,
            new=await self._views(await self.repo.created_between(team, since, now)),
            overdue=await self._views([t for t in open_now if t.deadline_at < now]),
            escalated=await self._views([t for t in open_now if t.supervision_level > 0]),
            reopened=await self._views(
                await self.repo.with_event_between(team, EventType.REOPEN, since, now)
            ),
        )

    async def _views(self, tickets: list[Ticket]) -> list[TicketView]:
        return [await self.tickets.view_of(t.id) for t in tickets]
