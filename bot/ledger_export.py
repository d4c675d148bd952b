"""Send the ledger (.xlsx) to a leader's or admin's private chat: /export and the dashboard."""

from __future__ import annotations

from datetime import date

from bot.context import Services
from bot.domain.models import Actor
from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx


async def send_ledger(services: Services, actor: Actor, start: date, end: date, locale: str) -> int:
    """Queue the ledger of tickets received from `start` to `end` to the actor, privately.

    Must run inside a transaction (the caller's update, or the dashboard's request).

    Returns:
        The number of tickets in it.

    Raises:
        NotAllowed: the actor is neither an admin nor a leader.
        InvalidInput: a reversed or too long range.
    """
    ledger = await services.ledger.ledger(actor, start, end)
    tr = Translator(locale)
    data = ledger_xlsx(ledger, tr, services.settings.park.tz)
    await services.outbox.send_document_bytes(
        actor.telegram_id,
        data,
        filename=f"ledger-{start.isoformat()}-{end.isoformat()}.xlsx",
        caption=tr(
            "export.caption", start=start.isoformat(), end=end.isoformat(), count=len(ledger.rows)
        ),
        purpose="export",
    )
    return len(ledger.rows)
