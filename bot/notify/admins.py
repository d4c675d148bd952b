"""What the duty desk hears: notices to the admin chat (or each admin privately), failures,
refused invitations and upgraded groups (the ticket loop's notices to the desk are in
`bot.notify.tickets` and `bot.notify.deadlines`).

Also the shared voice of the notifiers: the recipient's language (`tr_for`) and the park's
(`group_tr`). Called inside the transaction of the change, through the dispatcher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.i18n import Translator
from bot.render.tickets import when
from bot.services.failures import (
    REPEAT_WINDOW,
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    UpdateQuarantined,
)
from bot.services.onboarding import InviteTakeover, Migrated
from bot.services.recipients import Recipients


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
        self,
        text_for: Callable[[Translator], str],
        *,
        purpose: str = "admin",
        not_before: datetime | None = None,
    ) -> None:
        """Like `tell_admins`, for a text composed in each reader's language (held back until
        `not_before`, if given)."""
        if self.settings.park.admin_chat_id:
            text = text_for(self.group_tr)
            await self.outbox.send_message(
                self.settings.park.admin_chat_id, text, purpose=purpose, not_before=not_before
            )
            return
        for admin in await self.admin_ids():
            tr = await self.tr_for(admin)
            await self.outbox.send_message(
                admin, text_for(tr), purpose=purpose, not_before=not_before
            )

    # -- outcomes -------------------------------------------------------------------------------
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
        """An update could not be handled: apologise to the user and alert the admins (not
        for a repeat of a failure alerted within the window: `failures_repeated` counts it)."""
        if failed.chat_id is not None:
            await self.outbox.send_message(
                failed.chat_id, self.group_tr("error.internal"), purpose="admin_apology"
            )
        if failed.alert:
            await self.tell_admins(
                "notice.handler_failed",
                purpose="admin_error",
                update_id=failed.update_id,
                error=failed.error,
                where=failed.where,
                minutes=int(REPEAT_WINDOW.total_seconds() // 60),
            )

    async def update_quarantined(self, quarantined: UpdateQuarantined) -> None:
        """An update was set aside after its attempts: alert the admins (its chat may be
        unreachable: it is not told)."""
        if quarantined.alert:
            await self.tell_admins(
                "failures.quarantined",
                purpose="admin_error",
                update_id=quarantined.update_id,
                error=quarantined.error,
                where=quarantined.where,
            )

    async def failures_repeated(self, repeated: FailuresRepeated) -> None:
        """Identical failures since an alert: one follow-up with their count, sent when the
        window closes; a newer count replaces the follow-up not sent yet."""
        purpose = f"admin_repeat:{repeated.key}"
        await self.outbox.withdraw(purpose)
        key = "failures.repeated_quarantined" if repeated.quarantined else "failures.repeated"
        await self.tell_admins_text(
            lambda tr: tr(
                key,
                count=repeated.count,
                error=repeated.error,
                where=repeated.where,
                since=when(repeated.since, self.tz, tr),
                until=when(repeated.until, self.tz, tr),
            ),
            purpose=purpose,
            not_before=repeated.until,
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
