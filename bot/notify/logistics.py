"""Who is told what in the logistics exchange; queues the messages in the outbox.

Called inside the transaction of the change. Group posts and proposals never carry a contact
(privacy), not even one typed into a cargo name or a price note (the render masks those): the two
parties get each other's company, name, phone and Telegram account, and each other's post as
typed, only once both accepted a match. Private messages go in the recipient's language, group
posts in the park's.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.outbox import Keyboard
from bot.domain.logistics import MatchView
from bot.i18n import Translator
from bot.notify.admins import AdminNotifier
from bot.render import logistics as render
from bot.services.logistics.matching import Answered, Completed
from bot.services.logistics.service import Expired, PostedCargo, PostedTruck


class LogisticsNotifier:
    """Compose and queue the logistics posts, offers and confirmations."""

    def __init__(self, admins: AdminNotifier) -> None:
        self.admins = admins
        self.outbox = admins.outbox
        self.recipients = admins.recipients
        self.group_tr = admins.group_tr

    async def _tell(
        self,
        telegram_id: int,
        key: str,
        *,
        keyboard: Callable[[Translator], Keyboard] | None = None,
        **params: str | int | Callable[[Translator], str],
    ) -> None:
        """Queue a private message in the recipient's language; callables render per language."""
        tr = await self.admins.tr_for(telegram_id)
        rendered = {k: (v(tr) if callable(v) else v) for k, v in params.items()}
        await self.outbox.send_message(
            telegram_id,
            tr(key, **rendered),
            keyboard=keyboard(tr) if keyboard is not None else None,
            purpose="logistics",
        )

    # -- posts --------------------------------------------------------------------------------
    async def posted_truck(self, posted: PostedTruck) -> None:
        """Post a new truck offer in every logistics group, without its contact; propose it."""
        line = render.truck_line(posted.offer, self.group_tr)
        await self._to_groups(self.group_tr("logistics.group_truck", line=line))
        await self.proposals(posted.proposals)

    async def posted_cargo(self, posted: PostedCargo) -> None:
        """Post a new cargo request in every logistics group, without its contact; propose it."""
        line = render.cargo_line(posted.request, self.group_tr)
        await self._to_groups(self.group_tr("logistics.group_cargo", line=line))
        await self.proposals(posted.proposals)

    async def _to_groups(self, text: str) -> None:
        for chat_id in await self.recipients.logistics_chats():
            await self.outbox.send_message(chat_id, text, purpose="logistics_post")

    # -- matches ------------------------------------------------------------------------------
    async def proposals(self, views: list[MatchView]) -> None:
        """Offer each new match privately to both sides, with 接受 / 不合适 buttons."""
        for view in views:
            for side, owner in (("truck", view.offer.owner_id), ("cargo", view.request.owner_id)):
                tr = await self.admins.tr_for(owner)
                await self.outbox.send_message(
                    owner,
                    render.proposal(view, side, tr),
                    keyboard=render.answer_buttons(view, tr),
                    purpose="logistics_offer",
                )

    async def answered(self, answered: Answered) -> None:
        """Tell the parties what an answer led to; share contacts once both accepted."""
        view = answered.view
        offer, request = view.offer, view.request
        other = request.owner_id if answered.side == "truck" else offer.owner_id
        match_id = view.match.id
        if answered.outcome == "waiting":
            await self._tell(
                other,
                "logistics.other_accepted",
                keyboard=lambda tr: render.answer_buttons(view, tr),
                match=match_id,
            )
        elif answered.outcome == "declined":
            await self._tell(other, "logistics.other_declined", match=match_id)
        elif answered.outcome == "accepted":
            # The exchange: from here on each side sees the other's post as typed.
            carrier = await self.recipients.party(
                offer.owner_id, offer.enterprise_id, offer.contact, offer.free_text
            )
            shipper = await self.recipients.party(
                request.owner_id, request.enterprise_id, request.contact, request.free_text
            )
            await self._tell(
                offer.owner_id,
                "logistics.accepted",
                match=match_id,
                line=lambda tr: render.cargo_line(request, tr, reveal=True),
                party=lambda tr: render.party(shipper, tr),
            )
            await self._tell(
                request.owner_id,
                "logistics.accepted",
                match=match_id,
                line=lambda tr: render.truck_line(offer, tr, reveal=True),
                party=lambda tr: render.party(carrier, tr),
            )
            await self.proposals(answered.proposals)

    async def completed(self, completed: Completed) -> None:
        """Tell the other party that the shipment was recorded as completed."""
        view = completed.view
        other = view.request.owner_id if completed.side == "truck" else view.offer.owner_id
        await self._tell(other, "logistics.completed_other", match=view.match.id)

    async def expired(self, expired: Expired) -> None:
        """Tell owners that their post expired unmatched."""
        for offer in expired.offers:
            await self._tell(offer.owner_id, "logistics.truck_expired", id=offer.id)
        for request in expired.requests:
            await self._tell(request.owner_id, "logistics.cargo_expired", id=request.id)
