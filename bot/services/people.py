"""Who is acting: resolve a Telegram user into an Actor, and find the people to tell."""

from __future__ import annotations

from collections.abc import Iterable

from bot.clock import Clock, to_iso
from bot.domain.models import Actor, Cadre, ChatBinding
from storage.unit import Repositories


class PeopleService:
    """Roles are looked up on the server for every action; nothing from the client is trusted."""

    def __init__(self, repos: Repositories, clock: Clock, *, config_admins: Iterable[int]) -> None:
        self.db = repos.db
        self.clock = clock
        self.cadres = repos.cadres
        self.enterprises = repos.enterprises
        self.users = repos.users
        self.chats = repos.chats
        self.config_admins = frozenset(config_admins)

    async def actor(self, telegram_id: int, *, group_id: int | None = None) -> Actor:
        """Resolve the acting user's role from the roster and the configured admins.

        Args:
            telegram_id: the user.
            group_id: the group the action comes from (its binding becomes the actor's
                `venue`), None for a private chat.
        """
        async with self.db.transaction():
            cadre = await self.cadres.cadre_by_telegram(telegram_id)
            enterprises = [e.id for e in await self.enterprises.contact_enterprises(telegram_id)]
            venue = await self._venue(group_id)
        return Actor(
            telegram_id=telegram_id,
            cadre=cadre,
            enterprise_id=enterprises[0] if enterprises else None,
            config_admin=telegram_id in self.config_admins,
            venue=venue,
            enterprise_ids=frozenset(enterprises),
        )

    async def chat_actor(self, chat_id: int, *, group_id: int | None = None) -> Actor:
        """A group speaking for itself (its anonymous admins): the rights of its enterprise only.

        Args:
            chat_id: the group's chat id (the message's `sender_chat`).
            group_id: the group the message was written in (as for `actor`).
        Returns:
            An actor with no staff role, bound to the enterprise the group serves, if any.
        """
        async with self.db.transaction():
            binding = await self.chats.binding(chat_id)
            venue = await self._venue(group_id)
        enterprise_id = binding.enterprise_id if binding and binding.kind == "enterprise" else None
        return Actor(
            telegram_id=chat_id,
            enterprise_id=enterprise_id,
            venue=venue,
            enterprise_ids=frozenset() if enterprise_id is None else frozenset({enterprise_id}),
        )

    async def _venue(self, group_id: int | None) -> ChatBinding | None:
        """The binding of the group an action comes from; an unbound group sees no ticket."""
        if group_id is None:
            return None
        return await self.chats.binding(group_id) or ChatBinding(group_id, "none", None, "")

    async def seen(
        self, telegram_id: int, first_name: str, username: str | None, *, private: bool
    ) -> None:
        """Record a user we saw, and whether they opened a private chat with the bot."""
        async with self.db.transaction():
            await self.users.touch_user(
                telegram_id, first_name, username, to_iso(self.clock.now()), private_chat=private
            )

    async def admin_ids(self) -> list[int]:
        """Every admin's Telegram id: configured ones first, then roster admins."""
        async with self.db.transaction():
            roster = await self.cadres.admin_telegram_ids()
        ordered = sorted(self.config_admins)
        return ordered + [i for i in roster if i not in self.config_admins]

    async def locale_of(self, telegram_id: int, default: str) -> str:
        async with self.db.transaction():
            return await self.users.user_locale(telegram_id) or default

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        async with self.db.transaction():
            await self.users.set_user_locale(telegram_id, locale, to_iso(self.clock.now()))

    async def reachable(self, telegram_id: int) -> bool:
        """True when the user started the bot, so a private message can reach them."""
        async with self.db.transaction():
            return await self.users.private_chat_ok(telegram_id)

    async def cadre(self, cadre_id: int) -> Cadre | None:
        async with self.db.transaction():
            return await self.cadres.cadre(cadre_id)

    async def enterprise_name(self, enterprise_id: int) -> str | None:
        """The enterprise's name, for greeting its contacts."""
        async with self.db.transaction():
            enterprise = await self.enterprises.enterprise(enterprise_id)
        return enterprise.name if enterprise else None

    async def reachable_staff_ids(self) -> list[int]:
        """Cadres, leaders and admins who opened a private chat (for their command menus)."""
        async with self.db.transaction():
            bound = [c.telegram_id for c in await self.cadres.cadres() if c.telegram_id]
            staff = sorted(self.config_admins) + [i for i in bound if i not in self.config_admins]
            return [i for i in staff if await self.users.private_chat_ok(i)]
