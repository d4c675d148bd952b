"""Who is told what about job posts: cards to the jobs channels and groups, notices to owners.

Called by the dispatcher inside the transaction of the change (the update's or the scheduled
job's), so the change and the messages it owes commit together. Cards go in the park's
language; notices to an owner in theirs. Later changes edit the delivered cards in place.
"""

from __future__ import annotations

from bot.domain.recruiting import JobView
from bot.i18n import Translator
from bot.notify.admins import AdminNotifier
from bot.render import recruiting as render
from bot.services.recruiting.drafts import Confirmed
from bot.services.recruiting.posts import JobChanged, JobExpired, JobExpiring, RecruitingService


class RecruitingNotifier:
    """Compose and queue the messages job posts owe."""

    def __init__(self, admins: AdminNotifier, jobs: RecruitingService) -> None:
        self.admins = admins
        self.outbox = admins.outbox
        self.recipients = admins.recipients
        self.jobs = jobs
        self.tz = admins.tz

    async def confirmed(self, confirmed: Confirmed) -> None:
        """A new post's card goes to every target; an edited post's cards are edited."""
        if confirmed.edited:
            await self._edit_cards(confirmed.view)
            return
        text = render.card(confirmed.view, self.admins.group_tr, self.tz)
        for chat_id in confirmed.chats:
            ids = await self.outbox.send_message(chat_id, text, purpose="job_card")
            await self.jobs.record_card(confirmed.view.post.id, chat_id, ids[-1])

    async def changed(self, changed: JobChanged) -> None:
        """Edit the delivered cards to the post's current text (and status)."""
        await self._edit_cards(changed.view)

    async def expiring(self, expiring: JobExpiring) -> None:
        """Tell the owners, once, that the post expires soon."""
        await self._tell_owners(expiring.view, "jobs.expiring")

    async def expired(self, expired: JobExpired) -> None:
        """Tell the owners the post expired, and mark its cards."""
        await self._tell_owners(expired.view, "jobs.expired_notice")
        await self._edit_cards(expired.view)

    async def _edit_cards(self, view: JobView) -> None:
        text = render.card(view, self.admins.group_tr, self.tz)
        for chat_id, message_id in await self.recipients.job_cards(view.post.id):
            await self.outbox.edit_text(chat_id, message_id, text, purpose="job_card_edit")

    async def _tell_owners(self, view: JobView, key: str) -> None:
        assert view.post.expires_at is not None
        for telegram_id in await self.recipients.job_owners(view.post):
            if not await self.recipients.private_chat_ok(telegram_id):
                continue
            tr: Translator = await self.admins.tr_for(telegram_id)
            text = tr(
                key,
                id=view.post.id,
                position=view.post.fields.position,
                date=render.last_valid_day(view.post.expires_at, self.tz, tr),
            )
            await self.outbox.send_message(telegram_id, text, purpose="job_notice")
