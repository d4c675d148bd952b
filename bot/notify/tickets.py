"""Who is told what, after each change: composes the messages and queues them in the outbox.

Called inside the transaction of the change (the update's or the job's), so the change and the
messages it owes commit together. Private messages go in the recipient's language; group
messages in the park's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.domain.models import Actor, Cadre, TicketView
from bot.errors import InviteRefused
from bot.i18n import Translator
from bot.render import tickets as render
from bot.services.onboarding import Migrated
from bot.services.reachability import ReachabilityService, Waiting
from bot.services.tickets import Created, Rated, Transferred
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.people import PeopleRepo
from storage.repos.queues import OutboxItem

log = logging.getLogger(__name__)

# Ticket numbers a daily unreachable-cadre reminder lists; the count covers the rest.
MAX_LISTED = 20


class Notifier:
    """Compose and queue the notifications the ticket loop owes."""

    def __init__(
        self, db: Database, outbox: Outbox, settings: Settings, reach: ReachabilityService
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.settings = settings
        self.reach = reach
        self.people = PeopleRepo(db)
        self.chats = ChatRepo(db)
        self.tz: ZoneInfo = settings.park.tz
        self.group_tr = Translator(settings.park.locale)

    async def tr_for(self, telegram_id: int) -> Translator:
        return Translator(await self.people.user_locale(telegram_id) or self.settings.park.locale)

    async def admin_ids(self) -> list[int]:
        roster = await self.people.admin_telegram_ids()
        configured = list(self.settings.park.admins)
        return configured + [i for i in roster if i not in configured]

    async def tell_admins(self, key: str, *, purpose: str = "admin", **params: Any) -> None:
        """Queue a notice for the duty desk: the admin chat, or each admin privately."""
        await self.tell_admins_text(lambda tr: tr(key, **params), purpose=purpose)

    async def tell_admins_text(
        self, text_for: Callable[[Translator], str], *, purpose: str = "admin"
    ) -> None:
        """Like `tell_admins`, for a text composed in each reader's language."""
        if self.settings.park.admin_chat_id:
            text = text_for(self.group_tr)
            await self.outbox.send_message(self.settings.park.admin_chat_id, text, purpose=purpose)
            return
        for admin in await self.admin_ids():
            tr = await self.tr_for(admin)
            await self.outbox.send_message(admin, text_for(tr), purpose=purpose)

    async def _to_cadre(
        self, cadre: Cadre | None, view: TicketView, key: str, **params: Any
    ) -> bool:
        """Privately tell a cadre about a ticket, with work buttons; False if unreachable."""
        if cadre is None or cadre.telegram_id is None:
            return False
        if not await self.people.private_chat_ok(cadre.telegram_id):
            return False
        await self.reach.reached(cadre)
        tr = await self.tr_for(cadre.telegram_id)
        text = tr(key, id=view.ticket.id, **params) + "\n\n" + render.card(view, tr, self.tz)
        await self.outbox.send_message(
            cadre.telegram_id,
            text,
            keyboard=render.work_buttons(view.ticket, tr),
            purpose="cadre_notice",
            ticket_id=view.ticket.id,
        )
        return True

    async def cadre_unreachable(self, view: TicketView) -> None:
        """Tell the admins a cadre cannot be reached: once, not per ticket (then daily)."""
        cadre = view.assignee
        assert cadre is not None
        if await self.reach.unreachable(cadre):
            await self.tell_admins(
                "notice.cadre_unreachable",
                id=view.ticket.id,
                cadre=cadre.name,
                enterprise=view.enterprise.name,
            )

    async def unreachable_reminders(self, due: list[Waiting]) -> None:
        """The daily reminder about each cadre who still cannot be reached."""
        for waiting in due:
            shown = waiting.tickets[:MAX_LISTED]
            await self.tell_admins(
                "notice.cadre_unreachable_daily",
                cadre=waiting.cadre.name,
                count=len(waiting.tickets),
                ids=" ".join(f"#{t.id}" for t in shown)
                + (" …" if len(waiting.tickets) > len(shown) else ""),
            )

    async def _to_enterprise(
        self, view: TicketView, text_for: Any, *, keyboard_for: Any = None, purpose: str
    ) -> None:
        """Tell the enterprise: in its own group; in a park-wide group, privately if possible;
        a private report (私信) always privately."""
        ticket = view.ticket
        # A group upgraded to a supergroup lives on under a new id; the source message stays
        # behind in the old chat, so there is nothing there to reply to.
        group_id = await self.chats.current_chat(ticket.chat_id)
        source = ticket.source_message_id if group_id == ticket.chat_id else None
        binding = await self.chats.binding(group_id)
        private = ticket.channel == "private" or (
            binding is not None
            and binding.kind == "park"
            and await self.people.private_chat_ok(ticket.reporter_id)
        )
        if private:
            tr = await self.tr_for(ticket.reporter_id)
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
        view = created.view
        ticket = view.ticket
        # A private report is acknowledged in the reporter's private chat, in their language.
        private = ticket.channel == "private"
        tr = await self.tr_for(ticket.reporter_id) if private else self.group_tr
        ack = render.ack(view, tr, self.tz, phone=self.settings.tickets.show_cadre_phone)
        if private:
            ack = Markup("\n").join([ack, tr("ticket.ack_private")])
        await self.outbox.send_message(
            ticket.chat_id,
            ack,
            reply_to=ticket.source_message_id,
            keyboard=render.reporter_buttons(ticket, tr),
            purpose="ack",
            ticket_id=ticket.id,
        )
        reached = await self._to_cadre(view.assignee, view, "notice.new_ticket")
        if created.route == "duty":
            await self.tell_admins(
                "notice.duty_ticket",
                id=ticket.id,
                enterprise=view.enterprise.name,
                content=render.preview(ticket.content),
            )
        elif not reached:
            await self.cadre_unreachable(view)

    async def claimed(self, view: TicketView) -> None:
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

    async def progressed(self, view: TicketView, note: str) -> None:
        await self._to_enterprise(
            view,
            lambda tr: tr("notice.progress", id=view.ticket.id, note=note),
            purpose="progress",
        )

    async def resolved(self, view: TicketView, note: str) -> None:
        await self._to_enterprise(
            view,
            lambda tr: tr("notice.resolved", id=view.ticket.id, note=note),
            keyboard_for=lambda tr: render.solved_buttons(view.ticket, tr),
            purpose="rating_prompt",
        )

    async def transferred(self, moved: Transferred, actor: Actor) -> None:
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
        view = rated.view
        if not rated.reopened:
            return
        ticket = view.ticket
        cadre = view.assignee
        if cadre is None:
            await self.tell_admins(
                "notice.reopened_admin",
                id=ticket.id,
                enterprise=view.enterprise.name,
                **self._reopen_params(view, self.group_tr),
            )
            return
        tr = await self.tr_for(cadre.telegram_id) if cadre.telegram_id else self.group_tr
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

    async def auto_closed(self, view: TicketView) -> None:
        await self._to_enterprise(
            view,
            lambda tr: tr(
                "notice.auto_closed",
                id=view.ticket.id,
                days=self.settings.tickets.rating_window_days,
            ),
            purpose="closed",
        )

    # -- failures -----------------------------------------------------------------------------
    async def delivery_failed(self, item: OutboxItem, error: str) -> None:
        """A message could not be delivered for good: tell the admins once per chat."""
        if item.chat_id > 0 and error.startswith("403"):
            await self.people.mark_private_unreachable(item.chat_id)
        if item.purpose.startswith("admin"):
            return  # never alert about a failed alert: that could loop
        first = await self.outbox.repo.record_failure(item.chat_id, error, item.next_attempt_at)
        if first:
            target_key, name = await self._chat_name(item.chat_id)
            ticket = item.ticket_id
            await self.tell_admins_text(
                lambda tr: tr(
                    "notice.delivery_failed",
                    target=tr(target_key, name=name, id=item.chat_id),
                    ticket=tr("notice.about_ticket", id=ticket) if ticket else "",
                    error=error,
                ),
                purpose="admin_delivery",
            )

    async def invite_refused(self, telegram_id: int, name: str, refused: InviteRefused) -> None:
        """An invitation would have taken over a bound account: tell the admins who tried."""
        await self.tell_admins(
            f"notice.invite_refused_{refused.reason}",
            purpose="admin_invite",
            user=telegram_id,
            name=name,
            target=refused.params["target"],
            bound=refused.params["bound"],
        )

    async def chat_migrated(self, migrated: Migrated) -> None:
        """A bound group became a supergroup: tell the admins (once) that it followed."""
        binding = migrated.binding
        await self.tell_admins(
            "notice.chat_migrated",
            purpose="admin_migrated",
            title=binding.title if binding is not None else "",
            old=migrated.old_chat_id,
            new=migrated.new_chat_id,
            serves=migrated.serves,
            moved=migrated.moved,
        )

    async def _chat_name(self, chat_id: int) -> tuple[str, str]:
        """How an admin recognises a chat: a person's name, or a bound group's title."""
        if chat_id > 0:
            cadre = await self.people.cadre_by_telegram(chat_id)
            name = cadre.name if cadre else await self.people.user_name(chat_id)
            return "notice.target_user", name or str(chat_id)
        binding = await self.chats.binding(chat_id)
        if binding is not None and binding.title:
            return "notice.target_group", binding.title
        return "notice.target_chat", ""

    async def handler_failed(self, payload: dict[str, Any], error: BaseException) -> None:
        """An update could not be handled: apologise to the user and alert the admins."""
        message = payload.get("message") or (payload.get("callback_query") or {}).get("message")
        chat_id = (message or {}).get("chat", {}).get("id")
        if chat_id is not None:
            await self.outbox.send_message(
                int(chat_id), self.group_tr("error.internal"), purpose="admin_apology"
            )
        await self.tell_admins(
            "notice.handler_failed",
            purpose="admin_error",
            update_id=payload.get("update_id"),
            error=type(error).__name__,
        )
