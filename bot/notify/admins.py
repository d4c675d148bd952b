"""What the duty desk hears: failures of delivery and of the intake, refused invitations,
upgraded groups (each outcome carries the desk it goes to), and the ticket loop's notices to it.

Called inside the transaction of the change, through the dispatcher. The desk's own notices read
nothing: everything is in the outcome. The section at the end is the ticket loop's (its shared
helpers and two notices); it still reads through `Recipients` until those outcomes carry their
recipients too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.domain.outcomes import Desk
from bot.domain.outcomes.desk import (
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    InviteTakeover,
    Migrated,
    UpdateQuarantined,
)
from bot.i18n import Translator
from bot.notify.voice import Voice
from bot.render.tickets import when
from bot.services.reachability import Waiting
from bot.services.recipients import Recipients
from bot.services.tickets.intake import ReportsLimited

# Ticket numbers a daily unreachable-cadre reminder lists; the count covers the rest.
MAX_LISTED = 20


class AdminNotifier:
    """Compose and queue the duty desk's notices."""

    def __init__(
        self,
        voice: Voice,
        recipients: Recipients | None = None,
        settings: Settings | None = None,
    ) -> None:
        """`recipients` and `settings` serve the ticket loop's section only (see the module)."""
        self.voice = voice
        self.outbox = voice.outbox
        self.tz = voice.tz
        self.group_tr = voice.group_tr
        self._recipients = recipients
        self._settings = settings

    async def _tell(self, desk: Desk, key: str, *, purpose: str, **params: Any) -> None:
        await self.voice.tell(desk, lambda tr: tr(key, **params), purpose=purpose)

    # -- outcomes -------------------------------------------------------------------------------
    async def delivery_failed(self, failed: DeliveryFailed) -> None:
        """A chat refused a message for good: tell the admins which chat, and why."""
        kind, name = failed.target
        ticket = failed.ticket_id
        await self.voice.tell(
            failed.desk,
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
        if failed.chat is not None:
            await self.voice.tell(
                (failed.chat,), lambda tr: tr("error.internal"), purpose="admin_apology"
            )
        if failed.alert:
            await self._tell(
                failed.desk,
                "notice.handler_failed",
                purpose="admin_error",
                update_id=failed.update_id,
                error=failed.error,
                where=failed.where,
                minutes=int(failed.window.total_seconds() // 60),
            )

    async def update_quarantined(self, quarantined: UpdateQuarantined) -> None:
        """An update was set aside after its attempts: alert the admins (its chat may be
        unreachable: it is not told)."""
        if quarantined.alert:
            await self._tell(
                quarantined.desk,
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
        await self.voice.tell(
            repeated.desk,
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
        await self._tell(
            takeover.desk,
            f"notice.invite_refused_{takeover.reason}",
            purpose="admin_invite",
            user=takeover.telegram_id,
            name=takeover.name,
            target=takeover.target,
            bound=takeover.bound,
        )

    async def chat_migrated(self, migrated: Migrated) -> None:
        """A bound group became a supergroup: tell the admins (once) that it followed."""
        binding = migrated.binding
        await self._tell(
            migrated.desk,
            "notice.chat_migrated",
            purpose="admin_migrated",
            title=binding.title if binding is not None else "",
            old=migrated.old_chat_id,
            new=migrated.new_chat_id,
            serves=migrated.serves,
            moved=migrated.moved,
        )

    # -- the ticket loop's, until its outcomes carry their recipients -------------------------
    @property
    def recipients(self) -> Recipients:
        if self._recipients is None:
            raise RuntimeError("built without the ticket loop's Recipients")
        return self._recipients

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("built without the ticket loop's settings")
        return self._settings

    async def tr_for(self, telegram_id: int) -> Translator:
        """The language of a private message to this user (the park's if unknown)."""
        return self.tr_in(await self.recipients.locale_of(telegram_id))

    def tr_in(self, locale: str | None) -> Translator:
        """The language `locale` (a user's, as read), the park's when they picked none."""
        return Translator(locale or self.voice.locale)

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
        desk = await self.recipients.desk()
        await self.voice.tell(desk, text_for, purpose=purpose, not_before=not_before)

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
