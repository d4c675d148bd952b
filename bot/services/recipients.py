"""Who must hear of an outcome, and in which language: the reads a publishing service makes.

A service resolves the recipients of each outcome it publishes (`bot.domain.outcomes.Recipient`)
with these reads: the duty desk, a person's private chat if it is open, where a group lives now,
who may read a logistics post and where job cards go. Each read runs in the caller's
transaction when there is one, so it sees the change itself. The notifiers read nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.contacts import contacts_in
from bot.domain.logistics import Party
from bot.domain.models import Cadre, ChatBinding, Ticket
from bot.domain.outcomes import Desk, Recipient
from bot.domain.outcomes.tickets import EnterpriseChat
from bot.domain.recruiting import JobPost
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.logistics import LogisticsRepo
from storage.repos.people import PeopleRepo
from storage.repos.recruiting import JobRepo


class Recipients:
    """Read-only lookups about the people and chats a message goes to."""

    def __init__(
        self, db: Database, *, config_admins: Iterable[int] = (), admin_chat_id: int = 0
    ) -> None:
        self.db = db
        self.config_admins = list(config_admins)
        self.admin_chat_id = admin_chat_id
        self.people = PeopleRepo(db)
        self.chats = ChatRepo(db)
        self.logistics = LogisticsRepo(db)
        self.jobs = JobRepo(db)

    # -- people ---------------------------------------------------------------------------------
    async def locale_of(self, telegram_id: int) -> str | None:
        """The language the user picked (or Telegram reported); None if never seen."""
        async with self.db.transaction():
            return await self.people.user_locale(telegram_id)

    async def admin_ids(self) -> list[int]:
        """The configured admins first, then the roster's admins with a Telegram account."""
        async with self.db.transaction():
            roster = await self.people.admin_telegram_ids()
        return self.config_admins + [i for i in roster if i not in self.config_admins]

    async def private_chat_ok(self, telegram_id: int) -> bool:
        """Whether the user started the bot privately and did not block it since."""
        async with self.db.transaction():
            return await self.people.private_chat_ok(telegram_id)

    # -- as recipients of an outcome -----------------------------------------------------------
    async def desk(self) -> Desk:
        """The duty desk: the admin chat if configured, else each admin in their language."""
        if self.admin_chat_id:
            return (Recipient(self.admin_chat_id),)
        admins = await self.admin_ids()
        async with self.db.transaction():
            return tuple([Recipient(a, await self.people.user_locale(a)) for a in admins])

    async def person(self, telegram_id: int) -> Recipient:
        """A person's private chat in their language, whether or not it is open."""
        return Recipient(telegram_id, await self.locale_of(telegram_id))

    async def private(self, telegram_id: int | None) -> Recipient | None:
        """A person's private chat in their language, or None when it is not open."""
        if telegram_id is None:
            return None
        async with self.db.transaction():
            ok, locale = await self.people.private_contact(telegram_id)
        return Recipient(telegram_id, locale) if ok else None

    async def group(self, chat_id: int) -> Recipient:
        """A group where it lives now, in the park's language."""
        return Recipient(await self.current_chat(chat_id))

    # -- chats ----------------------------------------------------------------------------------
    async def current_chat(self, chat_id: int) -> int:
        """Where a chat lives now: its new id if the group was upgraded, else itself."""
        async with self.db.transaction():
            return await self.chats.current_chat(chat_id)

    async def binding(self, chat_id: int) -> ChatBinding | None:
        async with self.db.transaction():
            return await self.chats.binding(chat_id)

    async def chat_name(self, chat_id: int) -> tuple[str, str]:
        """How an admin recognises a chat: ("user", name), ("group", title) or ("chat", "")."""
        async with self.db.transaction():
            if chat_id > 0:
                cadre = await self.people.cadre_by_telegram(chat_id)
                name = cadre.name if cadre else await self.people.user_name(chat_id)
                return "user", name or str(chat_id)
            binding = await self.chats.binding(chat_id)
        if binding is not None and binding.title:
            return "group", binding.title
        return "chat", ""

    # -- logistics ------------------------------------------------------------------------------
    async def logistics_chats(self) -> list[int]:
        """The groups bound with /bind logistics, where new posts are announced."""
        async with self.db.transaction():
            return await self.logistics.logistics_chats()

    async def party(
        self, owner_id: int, enterprise_id: int | None, given: str | None, typed: Iterable[str] = ()
    ) -> Party:
        """Who posted: their enterprise, name and phone (typed, else from the roster).

        The phone is the contact they gave plus any contact details typed into the post's text
        (masked in public until the match), else the roster's.
        """
        async with self.db.transaction():
            cadre = await self.people.cadre_by_telegram(owner_id)
            enterprise = await self.people.enterprise(enterprise_id) if enterprise_id else None
            known = await self.logistics.user_name(owner_id)
        found = [given] if given else []
        for text in typed:
            found += contacts_in(text)
        telegram_name = known[0] if known is not None and known[0] else str(owner_id)
        return Party(
            telegram_id=owner_id,
            company=enterprise.name if enterprise else None,
            name=cadre.name if cadre else telegram_name,
            phone="、".join(dict.fromkeys(found)) or (cadre.phone if cadre else None),
            username=known[1] if known is not None else None,
        )

    # -- job posts ------------------------------------------------------------------------------
    async def job_owners(self, post: JobPost) -> list[int]:
        """Whom to tell about a post: its author, then the enterprise's contacts."""
        async with self.db.transaction():
            contacts = await self.people.contacts_of(post.enterprise_id)
        return list(dict.fromkeys([post.author_id, *contacts]))

    async def job_cards(self, post_id: int) -> list[tuple[int, int]]:
        """(chat_id, message_id) of the post's delivered cards, to edit in place."""
        async with self.db.transaction():
            return await self.jobs.sent_cards(post_id)

    # -- the ticket loop ------------------------------------------------------------------------
    async def admins(self) -> tuple[Recipient, ...]:
        """Each admin privately, in their language, whether or not an admin chat is configured:
        the admins standing in for a cadre or leader on a card about a ticket."""
        admins = await self.admin_ids()
        async with self.db.transaction():
            return tuple([Recipient(a, await self.people.user_locale(a)) for a in admins])

    async def cadre_or_admins(self, cadre: Cadre | None) -> tuple[Recipient, ...]:
        """The cadre's open private chat; each admin privately when it is not open."""
        chat = await self.private(cadre.telegram_id if cadre is not None else None)
        return (chat,) if chat is not None else await self.admins()

    async def enterprise_chat(self, ticket: Ticket) -> EnterpriseChat:
        """Where the enterprise hears about its ticket: in its own group; in a park-wide group,
        privately if the reporter opened a private chat; a private report (私信) privately."""
        if ticket.channel == "private":
            return EnterpriseChat(await self.person(ticket.reporter_id))
        # A group upgraded to a supergroup lives on under a new id; the source message stays
        # behind in the old chat, so there is nothing there to reply to.
        group_id = await self.current_chat(ticket.chat_id)
        binding = await self.binding(group_id)
        if binding is not None and binding.kind == "park":
            private = await self.private(ticket.reporter_id)
            if private is not None:
                return EnterpriseChat(private)
        source = ticket.source_message_id if group_id == ticket.chat_id else None
        return EnterpriseChat(Recipient(group_id), reply_to=source)
