"""The daily brief: each leader's morning summary of their cadres' tickets, on working days.

Once per leader per park-local day, durably: the brief is claimed in `daily_briefs` in the same
transaction as the message, so a restart after 08:30 sends the missing ones and never a second.
Each ticket appears once, under its most urgent heading (督办, then overdue, reopened, new), with
its days counted in working days as its deadlines are. A leader with nothing to report gets no
message (the day is still claimed, so nothing arrives later in the day either).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.clock import Clock
from bot.domain.briefs import BriefItem
from bot.domain.events import EventType
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Actor, Cadre, Role, Ticket
from bot.domain.outcomes import Publish, discard
from bot.domain.outcomes.deadlines import Brief
from bot.domain.work_calendar import WorkCalendar
from bot.services.recipients import Recipients
from bot.services.tickets.core import TicketCore
from storage.unit import Repositories


class BriefService:
    """Compose the daily briefs that are due now."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        core: TicketCore,
        *,
        brief_time: time = time(8, 30),
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.publish = publish
        # Who hears of those outcomes, resolved here (the notifiers read nothing).
        self.recipients = recipients
        self.clock = clock
        self.calendar = calendar
        self.core = core
        self.brief_time = brief_time
        self.repo = repos.deadlines
        self.cadres = repos.cadres

    async def due(self) -> list[Brief]:
        """Claim, publish and return today's brief for every leader who has not had it yet.

        Each brief is published in the transaction of its claim, so the claim and the message
        commit together. Nothing is due before `brief_time` or on a non-working day.

        Returns:
            One brief per leader with a Telegram account and something to report, in roster
            order.
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
            cadres = await self.cadres.cadres()
            for leader in cadres:
                if leader.role is not Role.LEADER or leader.telegram_id is None:
                    continue
                since = await self.repo.last_brief_at(leader.id) or now - timedelta(days=1)
                if not await self.repo.claim_brief(leader.id, today, now):
                    continue
                # The same scope the leader's own /overdue and /blockers use.
                scope = await self.core.access.scope(
                    Actor(telegram_id=leader.telegram_id, cadre=leader)
                )
                team = scope.ids() or []
                brief = await self._compose(leader, today, since, now, team)
                if not brief.empty:
                    brief = replace(brief, to=await self.recipients.private(leader.telegram_id))
                    await self.publish(brief)
                    briefs.append(brief)
        return briefs

    async def _compose(
        self, leader: Cadre, today: date, since: datetime, now: datetime, team: list[int]
    ) -> Brief:
        open_now = await self.repo.tickets_of_cadres(team, sorted(OPEN_STATUSES))
        new = await self.repo.created_between(team, since, now)
        reopened = await self.repo.with_event_between(team, EventType.REOPEN, since, now)
        # The most urgent heading wins; later headings skip what an earlier one took.
        headings: list[list[Ticket]] = [
            [t for t in open_now if t.supervision_level > 0],
            [t for t in open_now if t.deadline_at < now],
            reopened,
            new,
        ]
        taken: set[int] = set()
        sections: list[list[BriefItem]] = []
        for tickets in headings:
            chosen = [t for t in tickets if t.id not in taken]
            taken |= {t.id for t in chosen}
            sections.append([await self._item(t, now) for t in chosen])
        escalated, overdue, reopened_items, new_items = sections
        return Brief(leader, today, since, escalated, overdue, reopened_items, new_items)

    async def _item(self, ticket: Ticket, now: datetime) -> BriefItem:
        late = ticket.deadline_at < now and ticket.status in OPEN_STATUSES
        return BriefItem(
            view=await self.core.view_of(ticket.id),
            days_open=self.calendar.working_days_between(ticket.created_at, now),
            overdue_days=self.calendar.working_days_between(ticket.deadline_at, now)
            if late
            else None,
        )
