"""Who is told what about job posts: cards to the jobs channels and groups, notices to owners.

Called by the dispatcher inside the transaction of the change (the update's or the scheduled
job's), so the change and the messages it owes commit together. Cards go in the park's
language; notices to an owner in theirs. Later changes edit the delivered cards in place: the
outcome carries them, and the service records a new post's cards from the rows queued here
under `CARD_PURPOSE`.
"""

from __future__ import annotations

from bot.domain.outcomes import Recipient
from bot.domain.outcomes.recruiting import (
    CARD_PURPOSE,
    Card,
    Confirmed,
    JobChanged,
    JobExpired,
    JobExpiring,
)
from bot.domain.recruiting import JobView
from bot.notify.voice import Voice
from bot.render import recruiting as render


class RecruitingNotifier:
    """Compose and queue the messages job posts owe."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.tz = voice.tz

    async def confirmed(self, confirmed: Confirmed) -> None:
        """A new post's card goes to every target; an edited post's cards are edited."""
        if confirmed.edited:
            await self._edit_cards(confirmed.view, confirmed.cards)
            return
        await self.voice.tell(
            confirmed.chats,
            lambda tr: render.card(confirmed.view, tr, self.tz),
            purpose=CARD_PURPOSE,
        )

    async def changed(self, changed: JobChanged) -> None:
        """Edit the delivered cards to the post's current text (and status)."""
        await self._edit_cards(changed.view, changed.cards)

    async def expiring(self, expiring: JobExpiring) -> None:
        """Tell the owners, once, that the post expires soon."""
        await self._tell_owners(expiring.view, expiring.owners, "jobs.expiring")

    async def expired(self, expired: JobExpired) -> None:
        """Tell the owners the post expired, and mark its cards."""
        await self._tell_owners(expired.view, expired.owners, "jobs.expired_notice")
        await self._edit_cards(expired.view, expired.cards)

    async def _edit_cards(self, view: JobView, cards: tuple[Card, ...]) -> None:
        text = render.card(view, self.voice.group_tr, self.tz)
        for card in cards:
            await self.voice.outbox.edit_text(
                card.chat_id, card.message_id, text, purpose="job_card_edit"
            )

    async def _tell_owners(self, view: JobView, owners: tuple[Recipient, ...], key: str) -> None:
        expires_at = view.post.expires_at
        if expires_at is None:  # a published post always has one
            raise ValueError(f"job post {view.post.id} has no expiry")
        await self.voice.tell(
            owners,
            lambda tr: tr(
                key,
                id=view.post.id,
                position=view.post.fields.position,
                date=render.last_valid_day(expires_at, self.tz, tr),
            ),
            purpose="job_notice",
        )
