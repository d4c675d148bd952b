"""Who must hear of an outcome, and in which language: the reads a publishing service makes.

A service resolves the recipients of each outcome it publishes (`bot.domain.outcomes.Recipient`)
with these reads: the duty desk, a person's private chat if it is open, where a group lives now.
Each read runs in the caller's transaction when there is one, so it sees the change itself. The
notifiers read nothing; the reads of one feature (who posted a load, where job cards are) are its
service's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.models import Cadre, ChatBinding, Ticket
from bot.domain.outcomes import Desk, Recipient
from bot.domain.outcomes.tickets import EnterpriseChat
from storage.unit import Repositories


class Recipients:
    """Read-only lookups about the people and chats a message goes to."""

    def __init__(
        self, repos: Repositories, *, config_admins: Iterable[int] = (), admin_chat_id: int = 0
    ) -> None:
        self.db = repos.db
        self.config_admins = list(config_admins)
        self.admin_chat_id = admin_chat_id
        self.cadres = repos.cadres
        self.users = repos.users
        self.chats = repos.chats

    # -- people ---------------------------------------------------------------------------------
    async def locale_of(self, telegram_id: int) -> str | None:
        """The language the user picked (or Telegram reported); None if never seen."""
        async with self.db.transaction():
            return await self.users.user_locale(telegram_id)

    async def admin_ids(self) -> list[int]:
        """The configured admins first, then the roster's admins with a Telegram account."""
        async with self.db.transaction():
            roster = await self.cadres.admin_telegram_ids()
        return self.config_admins + [i for i in roster if i not in self.config_admins]

    async def private_chat_ok(self, telegram_id: int) -> bool:
        """Whether the user started the bot privately and did not block it since."""
        async with self.db.transaction():
            return await self.users.private_chat_ok(telegram_id)

    # -- as recipients of an outcome -----------------------------------------------------------
    async def desk(self) -> Desk:
        """The duty desk: the admin chat if configured, else each admin in their language."""
        if self.admin_chat_id:
            return (Recipient(self.admin_chat_id),)
        admins = await self.admin_ids()
        async with self.db.transaction():
            return tuple([Recipient(a, await self.users.user_locale(a)) for a in admins])

    async def person(self, telegram_id: int) -> Recipient:
        """A person's private chat in their language, whether or not it is open."""
        return Recipient(telegram_id, await self.locale_of(telegram_id))

    async def private(self, telegram_id: int | None) -> Recipient | None:
        """A person's private chat in their language, or None when it is not open."""
        if telegram_id is None:
            return None
        async with self.db.transaction():
            ok, locale = await self.users.private_contact(telegram_id)
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
                cadre = await self.cadres.cadre_by_telegram(chat_id)
                name = cadre.name if cadre else await self.users.user_name(chat_id)
                return "user", name or str(chat_id)
            binding = await self.chats.binding(chat_id)
        if binding is not None and binding.title:
            return "group", binding.title
        return "chat", ""

    # -- the outcomes outside the ticket loop ---------------------------------------------------
    async def persons(self, telegram_ids: Iterable[int]) -> dict[int, Recipient]:
        """`person` for each of `telegram_ids` (each once), by Telegram id, in one read."""
        async with self.db.transaction():
            return {
                i: Recipient(i, await self.users.user_locale(i))
                for i in dict.fromkeys(telegram_ids)
            }

    # -- the ticket loop ------------------------------------------------------------------------
    async def admins(self) -> tuple[Recipient, ...]:
        """Each admin privately, in their language, whether or not an admin chat is configured:
        the admins standing in for a cadre or leader on a card about a ticket."""
        admins = await self.admin_ids()
        async with self.db.transaction():
            return tuple([Recipient(a, await self.users.user_locale(a)) for a in admins])

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
