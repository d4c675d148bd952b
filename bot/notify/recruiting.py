"""Who is told what about job posts: cards to the jobs channels and groups, notices to owners.

Called inside the transaction of the change (the update's or the scheduled job's), so the change
and the messages it owes commit together. Cards go in the park's language; notices to an owner in
theirs. Later changes edit the delivered cards in place.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.domain.recruiting import JobView
from bot.i18n import Translator
from bot.render import recruiting as render
from bot.services.recruiting.posts import JobService
from storage.db import Database
from storage.repos.people import PeopleRepo
from storage.repos.recruiting import JobRepo


class JobNotifier:
    """Compose and queue the messages job posts owe."""

    def __init__(self, db: Database, outbox: Outbox, settings: Settings, jobs: JobService) -> None:
        self.db = db
        self.outbox = outbox
        self.jobs = jobs
        self.repo = JobRepo(db)
        self.people = PeopleRepo(db)
        self.locale = settings.park.locale
        self.tz: ZoneInfo = settings.park.tz

    async def published(self, view: JobView) -> int:
        """Send the card to every target; return how many chats it goes to."""
        tr = Translator(self.locale)
        text = render.card(view, tr, self.tz)
        targets = await self.jobs.targets()
        async with self.db.transaction():
            for chat_id in targets:
                ids = await self.outbox.send_message(chat_id, text, purpose="job_card")
                await self.repo.add_card(view.post.id, chat_id, ids[-1])
        return len(targets)

    async def changed(self, view: JobView) -> None:
        """Edit the delivered cards to the post's current text (and status)."""
        text = render.card(view, Translator(self.locale), self.tz)
        async with self.db.transaction():
            for chat_id, message_id in await self.repo.sent_cards(view.post.id):
                await self.outbox.edit_text(chat_id, message_id, text, purpose="job_card_edit")

    async def _tell_owners(self, view: JobView, key: str) -> None:
        for telegram_id in await self.jobs.owners(view.post):
            async with self.db.transaction():
                if not await self.people.private_chat_ok(telegram_id):
                    continue
                tr = Translator(await self.people.user_locale(telegram_id) or self.locale)
            assert view.post.expires_at is not None
            text = tr(
                key,
                id=view.post.id,
                position=view.post.fields.position,
                date=render.last_valid_day(view.post.expires_at, self.tz, tr),
            )
            await self.outbox.send_message(telegram_id, text, purpose="job_notice")

    async def expiring(self, view: JobView) -> None:
        """Tell the owners, once, that the post expires soon."""
        await self._tell_owners(view, "jobs.expiring")

    async def expired(self, view: JobView) -> None:
        """Tell the owners the post expired, and mark its cards."""
        await self._tell_owners(view, "jobs.expired_notice")
        await self.changed(view)

    async def sweep(self) -> tuple[int, int]:
        """Expire what is due and send the expiry notices; return (expired, noticed).

        Must run inside one transaction, so each post is expired and announced exactly once.
        """
        expired = await self.jobs.expire_due()
        for view in expired:
            await self.expired(view)
        noticed = await self.jobs.expiry_notices()
        for view in noticed:
            await self.expiring(view)
        return len(expired), len(noticed)
