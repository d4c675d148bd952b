"""Who is told what in the logistics exchange; queues the messages in the outbox.

Called inside the transaction of the change. Group posts and proposals never carry a contact
(privacy), not even one typed into a cargo name or a price note (the render masks those): the two
parties get each other's company, name, phone and Telegram account, and each other's post as
typed, only once both accepted a match. Private messages go in the recipient's language, group
posts in the park's. Everything comes in the outcome: the groups, each person's private chat and
language, and the parties of an accepted match.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.outbox import Keyboard
from bot.domain.logistics import MatchView
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.logistics import (
    Answered,
    Completed,
    Expired,
    People,
    PostedCargo,
    PostedTruck,
)
from bot.i18n import Translator
from bot.notify.voice import Voice
from bot.render import logistics as render


class LogisticsNotifier:
    """Compose and queue the logistics posts, offers and confirmations."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice

    async def _tell(
        self,
        people: People,
        telegram_id: int,
        key: str,
        *,
        keyboard: Callable[[Translator], Keyboard] | None = None,
        **params: str | int | Callable[[Translator], str],
    ) -> None:
        """Queue a private message in the recipient's language; callables render per language."""

        def text(tr: Translator) -> str:
            return tr(key, **{k: (v(tr) if callable(v) else v) for k, v in params.items()})

        await self.voice.tell(
            [people[telegram_id]], text, keyboard_for=keyboard, purpose="logistics"
        )

    # -- posts --------------------------------------------------------------------------------
    async def posted_truck(self, posted: PostedTruck) -> None:
        """Post a new truck offer in every logistics group, without its contact; propose it."""
        await self.voice.tell(
            posted.groups,
            lambda tr: tr("logistics.group_truck", line=render.truck_line(posted.offer, tr)),
            purpose="logistics_post",
        )
        await self._propose(posted.proposals, posted.people)

    async def posted_cargo(self, posted: PostedCargo) -> None:
        """Post a new cargo request in every logistics group, without its contact; propose it."""
        await self.voice.tell(
            posted.groups,
            lambda tr: tr("logistics.group_cargo", line=render.cargo_line(posted.request, tr)),
            purpose="logistics_post",
        )
        await self._propose(posted.proposals, posted.people)

    # -- matches ------------------------------------------------------------------------------
    async def _propose(self, views: list[MatchView], people: People) -> None:
        """Offer each new match privately to both sides, with 接受 / 不合适 buttons."""
        for view in views:
            for side, owner in (("truck", view.offer.owner_id), ("cargo", view.request.owner_id)):
                await self._offer(view, side, people[owner])

    async def _offer(self, view: MatchView, side: str, to: Recipient) -> None:
        await self.voice.tell(
            [to],
            lambda tr: render.proposal(view, side, tr),
            keyboard_for=lambda tr: render.answer_buttons(view, tr),
            purpose="logistics_offer",
        )

    async def answered(self, answered: Answered) -> None:
        """Tell the parties what an answer led to; share contacts once both accepted."""
        view, people = answered.view, answered.people
        offer, request = view.offer, view.request
        other = request.owner_id if answered.side == "truck" else offer.owner_id
        match_id = view.match.id
        if answered.outcome == "waiting":
            await self._tell(
                people,
                other,
                "logistics.other_accepted",
                keyboard=lambda tr: render.answer_buttons(view, tr),
                match=match_id,
            )
        elif answered.outcome == "declined":
            await self._tell(people, other, "logistics.other_declined", match=match_id)
        elif answered.outcome == "accepted" and answered.exchange is not None:
            # The exchange: from here on each side sees the other's post as typed.
            carrier, shipper = answered.exchange.carrier, answered.exchange.shipper
            await self._tell(
                people,
                offer.owner_id,
                "logistics.accepted",
                match=match_id,
                line=lambda tr: render.cargo_line(request, tr, reveal=True),
                party=lambda tr: render.party(shipper, tr),
            )
            await self._tell(
                people,
                request.owner_id,
                "logistics.accepted",
                match=match_id,
                line=lambda tr: render.truck_line(offer, tr, reveal=True),
                party=lambda tr: render.party(carrier, tr),
            )
            await self._propose(answered.proposals, people)

    async def completed(self, completed: Completed) -> None:
        """Tell the other party that the shipment was recorded as completed."""
        view = completed.view
        other = view.request.owner_id if completed.side == "truck" else view.offer.owner_id
        await self._tell(completed.people, other, "logistics.completed_other", match=view.match.id)

    async def expired(self, expired: Expired) -> None:
        """Tell owners that their post expired unmatched."""
        for offer in expired.offers:
            await self._tell(expired.people, offer.owner_id, "logistics.truck_expired", id=offer.id)
        for request in expired.requests:
            await self._tell(
                expired.people, request.owner_id, "logistics.cargo_expired", id=request.id
            )
