"""Who is told what in the ticket loop: outcomes turned into outbox calls.

Called by the dispatcher inside the transaction of the change (the update's or the job's), so
the change and the messages it owes commit together. Each outcome carries its recipients, as
the service that published it resolved them; this reads nothing. Private messages go in the
recipient's language, group messages in the park's. The reporter's acknowledgement is the
report handler's reply, not a notice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.delivery.outbox import Keyboard
from bot.domain.models import TicketView
from bot.domain.outcomes import Desk, Recipient
from bot.domain.outcomes.tickets import (
    BURST_CARDS,
    BURST_WINDOW,
    AutoClosed,
    Claimed,
    Created,
    EnterpriseChat,
    Progressed,
    Rated,
    ReportsLimited,
    Resolved,
    Transferred,
)
from bot.i18n import Translator
from bot.notify.voice import Voice
from bot.render import tickets as render


async def cadre_unreachable(voice: Voice, desk: Desk, view: TicketView) -> None:
    """Tell the desk a ticket's cadre cannot be reached (the desk is given once an episode)."""
    cadre = view.assignee
    if cadre is None:
        return
    await voice.tell(
        desk,
        lambda tr: tr(
            "notice.cadre_unreachable",
            id=view.ticket.id,
            cadre=cadre.name,
            enterprise=view.enterprise.name,
        ),
        purpose="admin",
    )


class TicketNotifier:
    """Compose and queue the notifications the ticket loop owes."""

    def __init__(self, voice: Voice, *, show_cadre_phone: bool) -> None:
        self.voice = voice
        self.outbox = voice.outbox
        self.tz = voice.tz
        self.show_cadre_phone = show_cadre_phone

    async def _to_cadre(self, cadre: Recipient, view: TicketView, key: str, **params: Any) -> None:
        """Privately tell a cadre about a ticket, with its card and work buttons."""
        await self.voice.tell(
            (cadre,),
            lambda tr: (
                tr(key, id=view.ticket.id, **params) + "\n\n" + render.card(view, tr, self.tz)
            ),
            keyboard_for=lambda tr: render.work_buttons(view.ticket, tr),
            purpose="cadre_notice",
            ticket_id=view.ticket.id,
        )

    async def _to_cadre_grouped(self, cadre: Recipient, view: TicketView) -> None:
        """Add a new ticket to the one list a cadre gets for a burst.

        The list is an outbox row held for `BURST_WINDOW` (`Outbox.collect`): as durable as a
        card, and each ticket in it keeps a button to claim it (the claim's answer carries
        the ticket's other buttons).
        """
        tr = self.voice.tr(cadre)
        await self.outbox.collect(
            cadre.chat_id,
            render.summary(view, tr, self.tz),
            title=tr("intake.grouped_title", cards=BURST_CARDS),
            buttons=render.grouped_buttons(view.ticket, tr),
            purpose="cadre_grouped",
            hold=BURST_WINDOW,
        )

    async def _to_enterprise(
        self,
        chat: EnterpriseChat,
        view: TicketView,
        text_for: Callable[[Translator], str],
        *,
        keyboard_for: Callable[[Translator], Keyboard] | None = None,
        purpose: str,
    ) -> None:
        """Tell the enterprise where the service said it is answered."""
        tr = self.voice.tr(chat.recipient)
        await self.outbox.send_message(
            chat.recipient.chat_id,
            text_for(tr),
            reply_to=chat.reply_to,
            keyboard=keyboard_for(tr) if keyboard_for else None,
            purpose=purpose,
            ticket_id=view.ticket.id,
        )

    # -- the loop ---------------------------------------------------------------------------
    async def created(self, created: Created) -> None:
        """Tell a new ticket's cadre, or the duty desk."""
        view = created.view
        ticket = view.ticket
        if created.cadre is not None and created.grouped:
            await self._to_cadre_grouped(created.cadre, view)
        elif created.cadre is not None:
            await self._to_cadre(created.cadre, view, "notice.new_ticket")
        if created.route == "duty":
            await self.voice.tell(
                created.desk,
                lambda tr: tr(
                    "notice.duty_ticket",
                    id=ticket.id,
                    enterprise=view.enterprise.name,
                    content=render.preview(ticket.content),
                ),
                purpose="admin",
            )
        elif created.cadre is None:
            await cadre_unreachable(self.voice, created.desk, view)

    async def reports_limited(self, limited: ReportsLimited) -> None:
        """Tell the desk (once per person per window) that someone reached the report limit."""
        await self.voice.tell(
            limited.desk,
            lambda tr: tr(
                "intake.limit_admin",
                who=tr(
                    f"notice.target_{limited.reporter_kind}",
                    name=limited.reporter_name,
                    id=limited.reporter_id,
                ),
                limit=limited.limit,
                enterprise=limited.enterprise,
                cadre=limited.cadre or tr("ticket.duty_desk"),
            ),
            purpose="admin_report_limit",
        )

    async def claimed(self, claimed: Claimed) -> None:
        """Tell the enterprise who signed for its ticket."""
        view = claimed.view
        await self._to_enterprise(
            claimed.enterprise,
            view,
            lambda tr: tr(
                "notice.claimed",
                id=view.ticket.id,
                cadre=render.cadre_label(view.assignee, tr, phone=self.show_cadre_phone),
            ),
            purpose="claimed",
        )

    async def progressed(self, progressed: Progressed) -> None:
        """Pass a progress note on to the enterprise."""
        view, note = progressed.view, progressed.note
        await self._to_enterprise(
            progressed.enterprise,
            view,
            lambda tr: tr("notice.progress", id=view.ticket.id, note=note),
            purpose="progress",
        )

    async def resolved(self, resolved: Resolved) -> None:
        """Tell the enterprise the ticket is resolved and ask it to rate."""
        view, note = resolved.view, resolved.note
        await self._to_enterprise(
            resolved.enterprise,
            view,
            lambda tr: tr("notice.resolved", id=view.ticket.id, note=note),
            keyboard_for=lambda tr: render.solved_buttons(view.ticket, tr),
            purpose="rating_prompt",
        )

    async def transferred(self, moved: Transferred) -> None:
        """Tell the receiving cadre (or, unreachable, the desk once)."""
        view = moved.view
        if moved.cadre is not None:
            by = moved.previous.name if moved.previous else "-"
            await self._to_cadre(moved.cadre, view, "notice.transferred_to_you", by=by)
        else:
            await cadre_unreachable(self.voice, moved.desk, view)

    async def rated(self, rated: Rated) -> None:
        """A reopened ticket goes back to its cadre (the desk when it has none)."""
        view = rated.view
        if not rated.reopened:
            return
        if view.assignee is None:
            params = self._reopen_params(view, self.voice.group_tr)
            await self.voice.tell(
                rated.desk,
                lambda tr: tr(
                    "notice.reopened_admin",
                    id=view.ticket.id,
                    enterprise=view.enterprise.name,
                    **params,
                ),
                purpose="admin",
            )
        elif rated.cadre is not None:
            params = self._reopen_params(view, self.voice.tr(rated.cadre))
            await self._to_cadre(rated.cadre, view, "notice.reopened", **params)
        else:
            await cadre_unreachable(self.voice, rated.desk, view)

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
            closed.enterprise,
            view,
            lambda tr: tr("notice.auto_closed", id=view.ticket.id, days=closed.days),
            purpose="closed",
        )
