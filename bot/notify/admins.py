"""What the duty desk hears: failures of delivery and of the intake, refused invitations and
upgraded groups (each outcome carries the desk it goes to). The ticket loop's notices to the desk
are in `bot.notify.tickets` and `bot.notify.deadlines`.

Called inside the transaction of the change, through the dispatcher; reads nothing: everything is
in the outcome.
"""

from __future__ import annotations

from typing import Any

from bot.domain.outcomes import Desk
from bot.domain.outcomes.desk import (
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    InviteTakeover,
    Migrated,
    UpdateQuarantined,
)
from bot.notify.voice import Voice
from bot.render.tickets import when


class AdminNotifier:
    """Compose and queue the duty desk's notices."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.outbox = voice.outbox
        self.tz = voice.tz
        self.group_tr = voice.group_tr

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
