"""What the duty desk hears: notices to the admin chat (or each admin privately), failures,
refused invitations, upgraded groups and cadres nobody can reach.

Also the shared voice of the notifiers: the recipient's language (`tr_for`) and the park's
(`group_tr`). Called inside the transaction of the change, through the dispatcher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.i18n import Translator
from bot.services.failures import DeliveryFailed, HandlerFailed
from bot.services.onboarding import InviteTakeover, Migrated
from bot.services.reachability import Waiting
from bot.services.recipients import Recipients
from bot.services.ticket_intake import ReportsLimited

# Ticket numbers a daily unreachable-cadre reminder lists; the count covers the rest.
MAX_LISTED = 20


class AdminNotifier:
    """Compose and queue the duty desk's notices; the languages every notifier speaks."""

    def __init__(self, outbox: Outbox, recipients: Recipients, settings: Settings) -> None:
        self.outbox = outbox
        self.recipients = recipients
        self.settings = settings
        self.tz: ZoneInfo = settings.park.tz
        self.group_tr = Translator(settings.park.locale)

    async def tr_for(self, telegram_id: int) -> Translator:
        """The language of a private message to this user (the park's if unknown)."""
        return self.tr_in(await self.recipients.locale_of(telegram_id))

    def tr_in(self, locale: str | None) -> Translator:
        """The language `locale` (a user's, as read), the park's when they picked none."""
        return Translator(locale or self.settings.park.locale)

    async def admin_ids(self) -> list[int]:
        return await self.recipients.admin_ids()

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

    # -- outcomes -------------------------------------------------------------------------------
    async def unreachable_reminder(self, waiting: Waiting) -> None:
        """The daily reminder about a cadre who still cannot be reached."""
        shown = waiting.tickets[:MAX_LISTED]
        await self.tell_admins(
            "notice.cadre_unreachable_daily",
            cadre=waiting.cadre.name,
            count=len(waiting.tickets),
            ids=" ".join(f"#{t.id}" for t in shown)
            + (" …" if len(waiting.tickets) > len(shown) else ""),
        )

    async def delivery_failed(self, failed: DeliveryFailed) -> None:
        """A chat refused a message for good: tell the admins which chat, and why."""
        kind, name = await self.recipients.chat_name(failed.chat_id)
        ticket = failed.ticket_id
        await self.tell_admins_text(
            lambda tr: tr(
                "notice.delivery_failed",
                target=tr(f"notice.target_{kind}", name=name, id=failed.chat_id),
                ticket=tr("notice.about_ticket", id=ticket) if ticket else "",
                error=failed.error,
            ),
            purpose="admin_delivery",
        )

    async def handler_failed(self, failed: HandlerFailed) -> None:
        """An update could not be handled: apologise to the user and alert the admins."""
        if failed.chat_id is not None:
            await self.outbox.send_message(
                failed.chat_id, self.group_tr("error.internal"), purpose="admin_apology"
            )
        await self.tell_admins(
            "notice.handler_failed",
            purpose="admin_error",
            update_id=failed.update_id,
            error=failed.error,
        )

    async def invite_takeover(self, takeover: InviteTakeover) -> None:
        """An invitation would have taken over a bound account: tell the admins who tried."""
        refused = takeover.refused
        await self.tell_admins(
            f"notice.invite_refused_{refused.reason}",
            purpose="admin_invite",
            user=takeover.telegram_id,
            name=takeover.name,
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

    async def reports_limited(self, limited: ReportsLimited) -> None:
        """Tell the admins (once per person per window) that someone reached the limit."""
        kind, name = await self.recipients.chat_name(limited.reporter_id)
        await self.tell_admins_text(
            lambda tr: tr(
                "intake.limit_admin",
                who=tr(f"notice.target_{kind}", name=name, id=limited.reporter_id),
                limit=limited.limit,
                enterprise=limited.enterprise,
                cadre=limited.cadre or tr("ticket.duty_desk"),
            ),
            purpose="admin_report_limit",
        )
