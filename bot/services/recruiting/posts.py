"""Job posts after the conversation: publish, list, edit, withdraw, fill, hires, expiry.

Every status change goes through `bot.domain.recruiting.next_job_status` and writes an event with
actor and time in the same transaction; the weekly counts come from those events. Owners (the
enterprise's contacts, its 包联 cadres, the author, admins) are checked here for every call.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.models import Actor
from bot.domain.outcomes import Publish, Recipient, discard
from bot.domain.outcomes.recruiting import (
    CARD_PURPOSE,
    Card,
    Confirmed,
    JobChanged,
    JobExpired,
    JobExpiring,
)
from bot.domain.recruiting import JobAction, JobFields, JobPost, JobRules, JobView, next_job_status
from bot.domain.recruiting_steps import JobPage as JobPage  # re-exported: a listing's answer
from bot.errors import InvalidInput, JobNotFound, NotAllowed
from bot.services.recipients import Recipients
from storage.unit import Repositories

MAX_HIRED_REPORT = 10000


def expiry_for(start: datetime, validity_days: int, tz: ZoneInfo) -> datetime:
    """The end of the last valid day (park time): a 7-day post from 25 Nov runs to 2 Dec 24:00."""
    last_day = start.astimezone(tz).date() + timedelta(days=validity_days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)


class RecruitingService:
    """Use cases of published job posts."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        rules: JobRules,
        *,
        tz: ZoneInfo,
        channels: tuple[int, ...] = (),
        page_size: int = 5,
        notice_days_before: int = 3,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        # Not `publish`: that is the use case of publishing a post.
        self.outcomes = publish
        self.clock = clock
        self.rules = rules
        self.tz = tz
        self.channels = channels
        self.page_size = page_size
        self.notice_before = timedelta(days=notice_days_before)
        self.jobs = repos.jobs
        self.enterprises = repos.enterprises
        self.recipients = recipients

    # -- permissions --------------------------------------------------------------------------
    async def may_post_for(self, actor: Actor, enterprise_id: int) -> bool:
        """Contacts of the enterprise, its primary or backup cadre, and admins."""
        if actor.is_admin or actor.contact_of(enterprise_id):
            return True
        if actor.cadre is None:
            return False
        assignment = await self.enterprises.assignment(enterprise_id)
        return assignment is not None and actor.cadre.id in (
            assignment.primary_cadre_id,
            assignment.backup_cadre_id,
        )

    async def _owned(self, actor: Actor, post_id: int) -> JobPost:
        post = await self._load(post_id)
        if post.author_id != actor.telegram_id and not await self.may_post_for(
            actor, post.enterprise_id
        ):
            raise NotAllowed("jobs.err_not_owner", id=post_id)
        return post

    async def _load(self, post_id: int) -> JobPost:
        post = await self.jobs.get(post_id)
        if post is None:
            raise JobNotFound(id=post_id)
        return post

    async def _view(self, post: JobPost) -> JobView:
        enterprise = await self.enterprises.enterprise(post.enterprise_id)
        return JobView(post=post, employer=enterprise.name if enterprise else "-")

    async def view(self, post_id: int) -> JobView:
        """Return a post with its employer's name.

        Raises:
            JobNotFound: no such post.
        """
        async with self.db.transaction():
            return await self._view(await self._load(post_id))

    # -- publishing ---------------------------------------------------------------------------
    async def publish(self, actor: Actor, enterprise_id: int, fields: JobFields) -> JobView:
        """Create the post and publish it (draft → published) with its expiry.

        Raises:
            NotAllowed: the actor may not post for this enterprise.
        """
        now = self.clock.now()
        async with self.db.transaction():
            if not await self.may_post_for(actor, enterprise_id):
                raise NotAllowed("jobs.err_not_your_enterprise")
            post_id = await self.jobs.insert(
                enterprise_id=enterprise_id, author_id=actor.telegram_id, fields=fields, now=now
            )
            await self.jobs.add_event(post_id, "create", actor_id=actor.telegram_id, at=now)
            post = await self._load(post_id)
            await self.jobs.update(
                post_id,
                now,
                status=next_job_status(post.status, JobAction.PUBLISH),
                published_at=now,
                expires_at=expiry_for(now, fields.validity_days, self.tz),
            )
            await self.jobs.add_event(post_id, "publish", actor_id=actor.telegram_id, at=now)
            return await self._view(await self._load(post_id))

    async def edit(self, actor: Actor, post_id: int, fields: JobFields) -> JobView:
        """Replace a published post's fields; its validity counts again from today.

        Raises:
            NotAllowed: not an owner. InvalidTransition: the post is no longer published.
        """
        now = self.clock.now()
        async with self.db.transaction():
            post = await self._owned(actor, post_id)
            next_job_status(post.status, JobAction.EDIT)
            await self.jobs.set_fields(post_id, fields, now)
            await self.jobs.update(
                post_id,
                now,
                expires_at=expiry_for(now, fields.validity_days, self.tz),
                expiry_notice_at=None,
            )
            await self.jobs.add_event(post_id, "edit", actor_id=actor.telegram_id, at=now)
            return await self._view(await self._load(post_id))

    async def targets(self) -> list[int]:
        """Where cards go: the configured channels, then groups bound with /bind jobs."""
        async with self.db.transaction():
            bound = await self.jobs.jobs_chats()
        return list(dict.fromkeys([*self.channels, *bound]))

    # -- owners' actions ----------------------------------------------------------------------
    async def _close(self, actor: Actor | None, post: JobPost, action: JobAction) -> JobView:
        target = next_job_status(post.status, action)
        now = self.clock.now()
        await self.jobs.update(post.id, now, status=target, closed_at=now)
        await self.jobs.add_event(
            post.id, action.value, actor_id=actor.telegram_id if actor else None, at=now
        )
        return await self._view(await self._load(post.id))

    async def withdraw(self, actor: Actor, post_id: int) -> JobView:
        """撤回 a published post (owners only)."""
        async with self.db.transaction():
            view = await self._close(actor, await self._owned(actor, post_id), JobAction.WITHDRAW)
            await self.outcomes(JobChanged(view, await self._cards(post_id)))
        return view

    async def fill(self, actor: Actor, post_id: int) -> JobView:
        """Mark a published post 已招满 (owners only)."""
        async with self.db.transaction():
            view = await self._close(actor, await self._owned(actor, post_id), JobAction.FILL)
            await self.outcomes(JobChanged(view, await self._cards(post_id)))
        return view

    async def report_hired(self, actor: Actor, post_id: int, count: int) -> JobView:
        """Add people hired through a post (owners only); the total is kept on the post.

        Raises:
            InvalidInput: count not in 1..10000. InvalidTransition: withdrawn post.
        """
        if not 0 < count <= MAX_HIRED_REPORT:
            raise InvalidInput("jobs.err_hired_count", limit=MAX_HIRED_REPORT)
        now = self.clock.now()
        async with self.db.transaction():
            post = await self._owned(actor, post_id)
            next_job_status(post.status, JobAction.HIRE)
            await self.jobs.update(post_id, now, hired=post.hired + count)
            await self.jobs.add_event(
                post_id, "hire", actor_id=actor.telegram_id, at=now, count=count
            )
            view = await self._view(await self._load(post_id))
            await self.outcomes(JobChanged(view, await self._cards(post_id)))
        return view

    # -- reading ------------------------------------------------------------------------------
    async def page(self, keyword: str, page: int) -> JobPage:
        """One page of open posts matching `keyword` (anyone may read them)."""
        keyword = keyword.strip()[:20]
        async with self.db.transaction():
            _, total = await self.jobs.published(keyword, offset=0, limit=0, now=self.clock.now())
            pages = max(1, -(-total // self.page_size))
            page = min(max(page, 0), pages - 1)
            posts, total = await self.jobs.published(
                keyword,
                offset=page * self.page_size,
                limit=self.page_size,
                now=self.clock.now(),
            )
            return JobPage([await self._view(p) for p in posts], page, pages, total)

    async def mine(self, actor: Actor) -> list[JobView]:
        """The posts the actor owns: their enterprise's, or their 包联 enterprises'."""
        async with self.db.transaction():
            ids: list[int] = []
            ids += sorted(actor.enterprise_ids)
            if actor.cadre is not None:
                ids += [e.id for e in await self.enterprises.enterprises_of_cadre(actor.cadre.id)]
                ids += await self.jobs.enterprises_backed_by(actor.cadre.id)
            if not ids and not actor.is_staff:
                raise NotAllowed("jobs.err_no_enterprise")
            posts = await self.jobs.of_enterprises(list(dict.fromkeys(ids)))
            posts += [p for p in await self.jobs.by_author(actor.telegram_id) if p not in posts]
            return [await self._view(p) for p in posts]

    # -- who is told -------------------------------------------------------------------------
    async def announce(self, view: JobView, *, edited: bool, publish: Publish) -> Confirmed:
        """Publish a post just confirmed through `publish`: a new post's card goes to every
        target, an edited post's delivered cards are edited (inside the caller's transaction).

        A new post's cards are recorded as its cards just before the transaction commits,
        after the notifier queued them: they are the rows of the card's purpose queued since
        the publication (the write lock is held throughout), the last one of each chat (a
        long card is split).
        """
        if edited:
            confirmed = Confirmed(view, edited=True, cards=await self._cards(view.post.id))
            await publish(confirmed)
            return confirmed
        chats = tuple(Recipient(chat_id) for chat_id in await self.targets())
        confirmed = Confirmed(view, edited=False, chats=chats)
        async with self.db.transaction():
            since = await self.jobs.outbox_mark()
            await publish(confirmed)

            async def record() -> None:
                await self.jobs.record_cards(view.post.id, CARD_PURPOSE, after=since)

            await self.db.before_commit(record)
        return confirmed

    async def _cards(self, post_id: int) -> tuple[Card, ...]:
        """The post's delivered cards, to edit in place."""
        async with self.db.transaction():
            return tuple(Card(c, m) for c, m in await self.jobs.sent_cards(post_id))

    async def _owners(self, post: JobPost) -> tuple[Recipient, ...]:
        """Whom to tell about a post, privately where their chat is open: its author, then
        the enterprise's contacts."""
        async with self.db.transaction():
            contacts = await self.enterprises.contacts_of(post.enterprise_id)
        found = [
            await self.recipients.private(i) for i in dict.fromkeys([post.author_id, *contacts])
        ]
        return tuple(r for r in found if r is not None)

    # -- expiry -------------------------------------------------------------------------------
    async def expire_due(self) -> list[JobView]:
        """Expire published posts past the end of their validity; return them."""
        expired: list[JobView] = []
        async with self.db.transaction():
            for post in await self.jobs.due_to_expire(self.clock.now()):
                view = await self._close(None, post, JobAction.EXPIRE)
                expired.append(view)
                owners, cards = await self._owners(view.post), await self._cards(post.id)
                await self.outcomes(JobExpired(view, owners, cards))
        return expired

    async def expiry_notices(self) -> list[JobView]:
        """Posts expiring within the notice window whose owners were not told; mark them told."""
        now = self.clock.now()
        async with self.db.transaction():
            due = await self.jobs.due_for_notice(now + self.notice_before)
            noticed: list[JobView] = []
            for post in due:
                await self.jobs.update(post.id, now, expiry_notice_at=now)
            for post in due:
                noticed.append(await self._view(await self._load(post.id)))
                await self.outcomes(JobExpiring(noticed[-1], await self._owners(post)))
        return noticed
