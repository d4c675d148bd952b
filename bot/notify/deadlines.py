"""Who is told what about deadlines: reminders, chases, 督办, extensions and the daily brief.

Like `bot.notify.tickets`, called by the dispatcher inside the transaction of the change (the
update's or the job's), so each step and the messages it owes commit together. Private messages
go in the recipient's language; whoever cannot be reached privately is replaced by the admins.
"""

from __future__ import annotations

from datetime import datetime

from bot.delivery.outbox import Keyboard
from bot.domain.models import Cadre, TicketView
from bot.i18n import Translator
from bot.notify.tickets import TicketNotifier
from bot.render import deadlines as render_dl
from bot.render import tickets as render
from bot.services.tickets.briefs import Brief
from bot.services.tickets.escalation import Raised, Supervised, SweepResult
from bot.services.tickets.extensions import ExtensionAsked, ExtensionDecided


class DeadlineNotifier:
    """Compose and queue the deadline half's messages, beside the ticket notifier."""

    def __init__(self, tickets: TicketNotifier) -> None:
        self.tickets = tickets
        self.base = tickets.admins
        self.outbox = tickets.outbox
        self.tz = tickets.tz

    async def _reachable(self, cadre: Cadre | None) -> int | None:
        return await self.tickets.recipients.reachable(cadre)

    async def _private(
        self,
        chat_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        purpose: str,
        ticket_id: int | None = None,
    ) -> None:
        await self.outbox.send_message(
            chat_id, text, keyboard=keyboard, purpose=purpose, ticket_id=ticket_id
        )

    async def _about_ticket(
        self,
        recipient: Cadre | None,
        view: TicketView,
        key: str,
        *,
        purpose: str,
        work_buttons: bool = True,
        admins_instead: bool = True,
        **params: object,
    ) -> bool:
        """Tell a cadre (or, unreachable, the admins) about a ticket, with its card."""
        chat_id = await self._reachable(recipient)
        if chat_id is None:
            if admins_instead:
                for admin in await self.base.admin_ids():
                    await self._send_card(admin, view, key, purpose, work_buttons, **params)
            return False
        await self._send_card(chat_id, view, key, purpose, work_buttons, **params)
        return True

    async def _send_card(
        self,
        chat_id: int,
        view: TicketView,
        key: str,
        purpose: str,
        work_buttons: bool,
        **params: object,
    ) -> None:
        tr = await self.base.tr_for(chat_id)
        # Times are formatted in the recipient's language.
        shown = {
            k: render.when(v, self.tz, tr) if isinstance(v, datetime) else v
            for k, v in params.items()
        }
        text = tr(key, id=view.ticket.id, **shown) + "\n\n" + render.card(view, tr, self.tz)
        keyboard = (
            render.work_buttons(view.ticket, tr)
            if work_buttons
            else render_dl.supervise_buttons(view.ticket, tr)
        )
        await self._private(
            chat_id, text, keyboard=keyboard, purpose=purpose, ticket_id=view.ticket.id
        )

    # -- the sweeper ----------------------------------------------------------------------------
    async def swept(self, result: SweepResult) -> None:
        """Queue everything one sweep owes."""
        for reminder in result.reminders:
            # A reminder is for the cadre alone: when they cannot be reached, the admins' one
            # daily unreachable-cadre reminder covers the ticket (not one card per ticket).
            reached = await self._about_ticket(
                reminder.view.assignee,
                reminder.view,
                f"clock.remind_{reminder.which}",
                purpose="remind",
                admins_instead=reminder.view.assignee is None,
                due=reminder.due,
            )
            if not reached and reminder.view.assignee is not None:
                await self.tickets.cadre_unreachable(reminder.view)
        for chase in result.chases:
            view = chase.view
            await self._about_ticket(
                view.assignee, view, "clock.chase_cadre", purpose="chase", number=chase.number
            )
            if chase.number == 1:
                await self._about_ticket(
                    chase.leader,
                    view,
                    "clock.chase_leader",
                    purpose="chase",
                    work_buttons=False,
                    cadre=render.cadre_label(view.assignee, self.base.group_tr),
                )
        for raised in result.raised:
            await self._level2(raised)
        for year in result.fallback_years:
            await self.base.tell_admins("clock.calendar_fallback", year=year)

    async def _level2(self, raised: Raised) -> None:
        view = raised.view
        reason = self.base.group_tr(f"clock.reason_{raised.reason}")
        await self.base.tell_admins(
            "clock.blocker_admin",
            id=view.ticket.id,
            enterprise=view.enterprise.name,
            cadre=render.cadre_label(view.assignee, self.base.group_tr),
            reason=reason,
        )
        await self._about_ticket(
            raised.leader,
            view,
            "clock.blocker_leader",
            purpose="escalate",
            work_buttons=False,
            admins_instead=False,
            reason=reason,
        )

    # -- people's actions -----------------------------------------------------------------------
    async def supervised(self, supervised: Supervised) -> None:
        """Tell the assignee (and their leader, unless the leader flagged it) about 督办."""
        raised = supervised.raised
        view = raised.view
        await self._about_ticket(view.assignee, view, "clock.supervised_you", purpose="escalate")
        leader = raised.leader
        if leader is not None and leader.telegram_id != supervised.by:
            await self._about_ticket(
                leader,
                view,
                "clock.supervised_leader",
                purpose="escalate",
                work_buttons=False,
                admins_instead=False,
                cadre=render.cadre_label(view.assignee, self.base.group_tr),
            )

    async def extension_asked(self, asked: ExtensionAsked) -> None:
        """Ask the leader (or, with no leader on the roster, the admins) to decide."""
        view, request = asked.view, asked.request
        chat_ids: list[int] = []
        leader_chat = await self._reachable(asked.leader)
        if leader_chat is not None:
            chat_ids = [leader_chat]
        elif asked.leader is None:
            chat_ids = await self.base.admin_ids()
        for chat_id in chat_ids:
            tr = await self.base.tr_for(chat_id)
            text = tr(
                "clock.extend_ask",
                id=view.ticket.id,
                cadre=render.cadre_label(view.assignee, tr),
                days=request.days,
                reason=request.reason,
                deadline=render.when(view.ticket.deadline_at, self.tz, tr),
            )
            await self._private(
                chat_id,
                text + "\n\n" + render.card(view, tr, self.tz),
                keyboard=render_dl.extension_buttons(view.ticket.id, request.id, tr),
                purpose="extend_ask",
                ticket_id=view.ticket.id,
            )

    async def extension_decided(self, decided: ExtensionDecided) -> None:
        """Tell the assignee the leader's answer."""
        chat_id = await self._reachable(decided.assignee)
        if chat_id is None:
            return
        tr: Translator = await self.base.tr_for(chat_id)
        ticket = decided.view.ticket
        key = "clock.extend_approved_you" if decided.approved else "clock.extend_refused_you"
        await self._private(
            chat_id,
            tr(key, id=ticket.id, deadline=render.when(ticket.deadline_at, self.tz, tr)),
            purpose="extend_answer",
            ticket_id=ticket.id,
        )

    async def brief(self, brief: Brief) -> None:
        """Send one leader's daily brief privately (skipped if they cannot be reached)."""
        chat_id = await self._reachable(brief.leader)
        if chat_id is None:
            return
        tr = await self.base.tr_for(chat_id)
        text = render_dl.brief(brief, tr)
        await self._private(chat_id, text, purpose="brief")
