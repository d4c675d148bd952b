"""How every notifier speaks: the outbox, the languages, and sending one text to recipients.

A notifier gets its recipients in the outcome (`bot.domain.outcomes.Recipient`); this turns
each into a translator and an outbox call. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery.outbox import Keyboard, Outbox
from bot.domain.outcomes import Recipient
from bot.i18n import Translator


class Voice:
    """The outbox and the park's language, shared by the notifiers."""

    def __init__(self, outbox: Outbox, *, locale: str, tz: ZoneInfo) -> None:
        self.outbox = outbox
        self.locale = locale
        self.tz = tz
        self.group_tr = Translator(locale)

    def tr(self, recipient: Recipient | None) -> Translator:
        """The recipient's language; the park's for a group or someone who picked none."""
        locale = recipient.locale if recipient is not None else None
        return Translator(locale or self.locale)

    async def tell(
        self,
        recipients: Iterable[Recipient],
        text_for: Callable[[Translator], str],
        *,
        purpose: str,
        keyboard_for: Callable[[Translator], Keyboard] | None = None,
        not_before: datetime | None = None,
        ticket_id: int | None = None,
    ) -> None:
        """Queue one message to each recipient, written in their language."""
        for recipient in recipients:
            tr = self.tr(recipient)
            await self.outbox.send_message(
                recipient.chat_id,
                text_for(tr),
                keyboard=keyboard_for(tr) if keyboard_for else None,
                purpose=purpose,
                not_before=not_before,
                ticket_id=ticket_id,
            )
