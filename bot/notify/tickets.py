"""Who is told what in the ticket loop: composes the messages and queues them in the outbox.

Called by the dispatcher inside the transaction of the change (the update's or the job's), so
the change and the messages it owes commit together. Private messages go in the recipient's
language; group messages in the park's. The reporter's acknowledgement is the report handler's
reply, not a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.delivery.outbox import Keyboard
from bot.domain.models import Cadre, TicketView
from bot.i18n import Translator
from bot.notify.admins import AdminNotifier
from bot.render import tickets as render
from bot.services.reachability import ReachabilityService
from bot.services.ticket_intake import BURST_CARDS, BURST_WINDOW, Created
from bot.services.ticket_ratings import AutoClosed, Rated
from bot.services.tickets import Claimed, Progressed, Resolved, Transferred

log = logging.getLogger(__name__)


class TicketNotifier:
    """Compose and queue the notifications the ticket loop owes."""

    def __init__(self, admins: AdminNotifier, reach: ReachabilityService) -> None:
        self.admins = admins
        self.outbox = admins.outbox
        self.recipients = admins.recipients
        self.settings = admins.settings
        self.reach = reach
        self.tz = admins.tz
        self.group_tr = admins.group_tr

    async def _to_cadre(
        self, cadre: Cadre | None, view: TicketView, key: str, **params: Any
    ) -> bool:
        """Privately tell a cadre about a ticket, with work buttons; False if unreachable."""
        chat = await self.recipients.private_chat(cadre)
        if cadre is None or chat is None:
            return False
        await self.reach.reached(cadre)
        chat_id, tr = chat.chat_id, self.admins.tr_in(chat.locale)
        text = tr(key, id=view.ticket.id, **params) + "\n\n" + render.card(view, tr, self.tz)
        await self.outbox.send_message(
            chat_id,
            text,
            keyboard=render.work_buttons(view.ticket, tr),
            purpose="cadre_notice",
            ticket_id=view.ticket.id,
        )
        return True

    async def _to_cadre_grouped(self, cadre: Cadre | None, view: TicketView) -> bool:
        """Add a new ticket to the one list a cadre gets for a burst; False if unreachable.

        The list is an outbox row held for `BURST_WINDOW` (`Outbox.collect`): as durable as a
        card, and each ticket in it keeps a button to claim it (the claim's answer carries
        the ticket's other buttons).
        """
        chat = await self.recipients.private_chat(cadre)
        if cadre is None or chat is None:
            return False
        await self.reach.reached(cadre)
        tr = self.admins.tr_in(chat.locale)
        await self.outbox.collect(
            chat.chat_id,
            render.summary(view, tr, self.tz),
            title=tr("intake.grouped_title", cards=BURST_CARDS),
            buttons=render.grouped_buttons(view.ticket, tr),
            purpose="cadre_grouped",
            hold=BURST_WINDOW,
        )
        return True

    async def cadre_unreachable(self, view: TicketView) -> None:
        """Tell the admins a cadre cannot be reached: once, not per ticket (then daily)."""
        cadre = view.assignee
        assert cadre is not None
        if await self.reach.unreachable(cadre):
            await self.admins.tell_admins(
                "notice.cadre_unreachable",
                id=view.ticket.id,
                cadre=cadre.name,
                enterprise=view.enterprise.name,
            )

    async def _to_enterprise(
        self,
        view: TicketView,
        text_for: Callable[[Translator], str],
        *,
        keyboard_for: Callable[[Translator], Keyboard] | None = None,
        purpose: str,
    ) -> None:
        """Tell the enterprise: in its own group; in a park-wide group, privately if possible;
        a private report (私信) always privately."""
        ticket = view.ticket
        # A group upgraded to a supergroup lives on under a new id; the source message stays
        # behind in the old chat, so there is nothing there to reply to.
        group_id = await self.recipients.current_chat(ticket.chat_id)
        source = ticket.source_message_id if group_id == ticket.chat_id else None
        binding = await self.recipients.binding(group_id)
        private = ticket.channel == "private" or (
            binding is not None
            and binding.kind == "park"
            and await self.recipients.private_chat_ok(ticket.reporter_id)
        )
        if private:
            tr = await self.admins.tr_for(ticket.reporter_id)
            chat_id, reply_to = ticket.reporter_id, None
        else:
            tr, chat_id, reply_to = self.group_tr, group_id, source
        keyboard = keyboard_for(tr) if keyboard_for else None
        await self.outbox.send_message(
            chat_id,
            text_for(tr),
            reply_to=reply_to,
            keyboard=keyboard,
            purpose=purpose,
            ticket_id=ticket.id,
        )

    # -- the loop ---------------------------------------------------------------------------
    async def created(self, created: Created) -> None:
        """Tell a new ticket's cadre or the duty desk (the reporter's acknowledgement is the
        report handler's reply)."""
        view = created.view
        ticket = view.ticket
        if created.grouped:
            reached = await self._to_cadre_grouped(view.assignee, view)
        else:
            reached = await self._to_cadre(view.assignee, view, "notice.new_ticket")
        if created.route == "duty":
            await self.admins.tell_admins(
                "notice.duty_ticket",
                id=ticket.id,
                enterprise=view.enterprise.name,
                content=render.preview(ticket.content),
            )
        elif not reached:
            await self.cadre_unreachable(view)

    async def claimed(self, claimed: Claimed) -> None:
        """Tell the enterprise who signed for its ticket."""
        view = claimed.view
        await self._to_enterprise(
            view,
            lambda tr: tr(
                "notice.claimed",
                id=view.ticket.id,
                cadre=render.cadre_label(
                    view.assignee, tr, phone=self.settings.tickets.show_cadre_phone
                ),
            ),
            purpose="claimed",
        )

    async def progressed(self, progressed: Progressed) -> None:
        """Pass a progress note on to the enterprise."""
        view, note = progressed.view, progressed.note
        await self._to_enterprise(
            view,
            lambda tr: tr("notice.progress", id=view.ticket.id, note=note),
            purpose="progress",
        )

    async def resolved(self, resolved: Resolved) -> None:
        """Tell the enterprise the ticket is resolved and ask it to rate."""
        view, note = resolved.view, resolved.note
        await self._to_enterprise(
            view,
            lambda tr: tr("notice.resolved", id=view.ticket.id, note=note),
            keyboard_for=lambda tr: render.solved_buttons(view.ticket, tr),
            purpose="rating_prompt",
        )

    async def transferred(self, moved: Transferred) -> None:
        """Tell the receiving cadre (or, unreachable, the admins once)."""
        view = moved.view
        reached = await self._to_cadre(
            view.assignee,
            view,
            "notice.transferred_to_you",
            by=moved.previous.name if moved.previous else "-",
        )
        if not reached and view.assignee is not None:
            await self.cadre_unreachable(view)

    async def rated(self, rated: Rated) -> None:
        """A reopened ticket goes back to its cadre (the admins when it has none)."""
        view = rated.view
        if not rated.reopened:
            return
        ticket = view.ticket
        cadre = view.assignee
        if cadre is None:
            await self.admins.tell_admins(
                "notice.reopened_admin",
                id=ticket.id,
                enterprise=view.enterprise.name,
                **self._reopen_params(view, self.group_tr),
            )
            return
        tr = await self.admins.tr_for(cadre.telegram_id) if cadre.telegram_id else self.group_tr
        params = self._reopen_params(view, tr)
        if not await self._to_cadre(cadre, view, "notice.reopened", **params):
            await self.cadre_unreachable(view)

    def _reopen_params(self, view: TicketView, tr: Translator) -> dict[str, Any]:
        """Which rating sent the ticket back, and its new deadline, in the reader's words."""
        ticket = view.ticket
        return {
            "solved": tr(f"rating.{ticket.solved_rating}"),
            "satisfaction": tr(f"rating.{ticket.satisfaction}"),
            "deadline": render.when(ticket.deadline_at, self.tz, tr),
        }

    async def auto_closed(self, closed: AutoClosed) -> None:
        """Tell the enterprise its ticket was closed unrated."""
        view = closed.view
        await self._to_enterprise(
            view,
            lambda tr: tr(
                "notice.auto_closed",
                id=view.ticket.id,
                days=self.settings.tickets.rating_window_days,
            ),
            purpose="closed",
        )
