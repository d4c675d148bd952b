"""Who is acting: resolve a Telegram user into an Actor, and find the people to tell."""

from __future__ import annotations

from collections.abc import Iterable

from bot.clock import Clock, to_iso
from bot.domain.models import Actor, Cadre
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.people import PeopleRepo


class PeopleService:
    """Roles are looked up on the server for every action; nothing from the client is trusted."""

    def __init__(self, db: Database, clock: Clock, *, config_admins: Iterable[int]) -> None:
        self.db = db
        self.clock = clock
        self.people = PeopleRepo(db)
        self.config_admins = frozenset(config_admins)

    async def actor(self, telegram_id: int) -> Actor:
        """Resolve the acting user's role from the roster and the configured admins."""
        async with self.db.transaction():
            cadre = await self.people.cadre_by_telegram(telegram_id)
            enterprise_id = await self.people.contact_enterprise(telegram_id)
        return Actor(
            telegram_id=telegram_id,
            cadre=cadre,
            enterprise_id=enterprise_id,
            config_admin=telegram_id in self.config_admins,
        )

    async def chat_actor(self, chat_id: int) -> Actor:
        """A group speaking for itself (its anonymous admins): the rights of its enterprise only.

        Args:
            chat_id: the group's chat id (the message's `sender_chat`).
        Returns:
            An actor with no staff role, bound to the enterprise the group serves, if any.
        """
        async with self.db.transaction():
            binding = await ChatRepo(self.db).binding(chat_id)
        enterprise_id = binding.enterprise_id if binding and binding.kind == "enterprise" else None
        return Actor(telegram_id=chat_id, enterprise_id=enterprise_id)

    async def seen(
        self, telegram_id: int, first_name: str, username: str | None, *, private: bool
    ) -> None:
        """Record a user we saw, and whether they opened a private chat with the bot."""
        async with self.db.transaction():
            await self.people.touch_user(
                telegram_id, first_name, username, to_iso(self.clock.now()), private_chat=private
            )

    async def admin_ids(self) -> list[int]:
        """Every admin's Telegram id: configured ones first, then roster admins."""
        async with self.db.transaction():
            roster = await self.people.admin_telegram_ids()
        ordered = sorted(self.config_admins)
        return ordered + [i for i in roster if i not in self.config_admins]

    async def locale_of(self, telegram_id: int, default: str) -> str:
        async with self.db.transaction():
            return await self.people.user_locale(telegram_id) or default

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        async with self.db.transaction():
            await self.people.set_user_locale(telegram_id, locale, to_iso(self.clock.now()))

    async def reachable(self, telegram_id: int) -> bool:
        """True when the user started the bot, so a private message can reach them."""
        async with self.db.transaction():
            return await self.people.private_chat_ok(telegram_id)

    async def cadre(self, cadre_id: int) -> Cadre | None:
        async with self.db.transaction():
            return await self.people.cadre(cadre_id)

    async def transfer_candidates(self, actor: Actor, exclude: int | None) -> list[Cadre]:
        """Cadres a ticket can be handed to: the actor's group first, then everyone else."""
        async with self.db.transaction():
            everyone = [c for c in await self.people.cadres() if c.id != exclude and not c.on_leave]
        leader = actor.cadre.leader_id if actor.cadre else None
        return sorted(everyone, key=lambda c: (c.leader_id != leader, c.id))
