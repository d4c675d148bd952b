"""Cadres the bot cannot reach privately, so the admins hear about them once, not per ticket.

A cadre who never opened a private chat with the bot (or blocked it) cannot be sent their
tickets. The first ticket routed to them opens an episode (a row, so it holds across restarts)
and the admins are told once; while it lasts, further tickets add no notice, and the admins get
one reminder a working day listing what waits. Reaching the cadre again, or nothing left
waiting, ends it.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.models import Cadre
from bot.domain.outcomes import Desk, Publish, Recipient, discard
from bot.domain.outcomes.deadlines import Waiting
from bot.domain.work_calendar import WorkCalendar
from bot.services.recipients import Recipients
from storage.unit import Repositories

WAITING = sorted(OPEN_STATUSES)  # the statuses in which a ticket waits for its cadre


class ReachabilityService:
    """Open, remind and close the unreachable-cadre episodes."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        calendar: WorkCalendar,
        *,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        # Where a notice reaches a cadre, and the desk (`notice`, `due`).
        self.recipients = recipients
        self.publish = publish
        self.clock = clock
        self.calendar = calendar
        self.repo = repos.notices
        self.cadres = repos.cadres
        self.users = repos.users
        self.tickets = repos.tickets

    async def unreachable(self, cadre: Cadre) -> bool:
        """Note that a ticket waits for a cadre who cannot be reached.

        Call inside the transaction that routes the ticket.

        Returns:
            True the first time (the admins should be told now); False while an episode is
            already open for this cadre (the daily reminder covers the ticket).
        """
        async with self.db.transaction():
            return await self.repo.open_unreachable(cadre.id, self.clock.now())

    async def reached(self, cadre: Cadre) -> None:
        """The cadre was reached privately: end their episode, if any.

        Called for every notice a cadre is sent, and an episode is rare: it is looked for
        first, since a read needs no savepoint and writes nothing (one statement, not three).
        """
        async with self.db.transaction():
            if await self.repo.is_unreachable(cadre.id):
                await self.repo.close_unreachable(cadre.id)

    async def notice(
        self, cadre: Cadre | None, *, reached: bool = True
    ) -> tuple[Recipient | None, Desk]:
        """Where a notice about a ticket reaches its cadre, and whether the desk must hear.

        Call inside the transaction that publishes the notice.

        Args:
            cadre: the ticket's cadre; None: nobody is told.
            reached: a notice that reaches the cadre ends their episode (a reminder does not).

        Returns:
            The cadre's open private chat and no desk; or, when it is not open, no chat and the
            desk the first time (an episode opens: the desk is told once, not per ticket), no
            desk while the episode lasts.
        """
        if cadre is None:
            return None, ()
        chat = await self.recipients.private(cadre.telegram_id)
        if chat is not None:
            if reached:
                await self.reached(cadre)
            return chat, ()
        return None, await self.recipients.desk() if await self.unreachable(cadre) else ()

    async def due(self) -> list[Waiting]:
        """Claim and publish today's reminder for each open episode with tickets waiting.

        Each reminder is published in the transaction of its claim. Nothing is due on a
        non-working day, before working hours, or twice on one day. Episodes of cadres who are
        reachable again, or with nothing waiting, are closed instead.

        Returns:
            One entry per cadre to remind the admins about, in roster order.
        """
        now = self.clock.now()
        local = now.astimezone(self.calendar.tz)
        today = local.date()
        if not self.calendar.is_workday(today) or local.time() < self.calendar.work_start:
            return []
        due: list[Waiting] = []
        async with self.db.transaction():
            for cadre_id, last in await self.repo.unreachable():
                if self.calendar.local_date(last) >= today:
                    continue
                cadre = await self.cadres.cadre(cadre_id)
                waiting = (
                    await self.tickets.list_for_assignee(cadre_id, WAITING, limit=1000)
                    if cadre is not None
                    else []
                )
                reachable = (
                    cadre is not None
                    and cadre.telegram_id is not None
                    and await self.users.private_chat_ok(cadre.telegram_id)
                )
                if cadre is None or reachable or not waiting:
                    await self.repo.close_unreachable(cadre_id)
                    continue
                await self.repo.reminded(cadre_id, now)
                due.append(Waiting(cadre, waiting, await self.recipients.desk()))
                await self.publish(due[-1])
        return due
