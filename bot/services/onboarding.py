"""Onboarding: deep-link invitations for cadres and enterprise contacts, and group bindings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, to_iso
from bot.domain.models import Actor, ChatBinding
from bot.errors import InvalidInput, InviteInvalid, NotAllowed, UnknownCadre, UnknownEnterprise
from storage.db import Database
from storage.repos.chats import ChatRepo
from storage.repos.people import PeopleRepo

_PREFIX = {"enterprise": "e", "cadre": "c"}
SPECIAL_BINDINGS = {"park": "park", "jobs": "jobs", "logistics": "logistics"}


@dataclass(frozen=True)
class Invite:
    kind: str
    name: str
    payload: str  # the /start parameter: at most 64 characters of [A-Za-z0-9_-]
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    kind: str  # enterprise | cadre
    name: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class OnboardingService:
    """Create and redeem invitations; bind and unbind groups."""

    def __init__(self, db: Database, clock: Clock, *, invite_valid_days: int) -> None:
        self.db = db
        self.clock = clock
        self.valid = timedelta(days=invite_valid_days)
        self.people = PeopleRepo(db)
        self.chats = ChatRepo(db)

    async def invite(self, kind: str, name: str) -> Invite:
        """Create a single-use, expiring invitation for a cadre or an enterprise contact.

        Raises:
            UnknownCadre / UnknownEnterprise: the name is not on the roster.
        """
        if kind not in _PREFIX:
            raise InvalidInput("error.invite_kind")
        now = self.clock.now()
        async with self.db.transaction():
            if kind == "cadre":
                cadre = await self.people.cadre_by_name(name)
                if cadre is None:
                    raise UnknownCadre(name=name)
                target_id, label = cadre.id, cadre.name
            else:
                enterprise = await self.people.enterprise_by_name(name)
                if enterprise is None:
                    raise await self._unknown_enterprise(name)
                target_id, label = enterprise.id, enterprise.name
            secret = secrets.token_urlsafe(24)  # 32 characters, 192 bits
            await self.chats.add_invite(
                _hash(secret), kind=kind, target_id=target_id, now=now, expires=now + self.valid
            )
        return Invite(kind, label, f"{_PREFIX[kind]}-{secret}", now + self.valid)

    async def redeem(self, telegram_id: int, payload: str) -> Redeemed:
        """Bind the Telegram user named by an invitation payload.

        Raises:
            InviteInvalid: unknown, expired or already used.
        """
        prefix, _, secret = payload.partition("-")
        if prefix not in _PREFIX.values() or not secret:
            raise InviteInvalid("error.invite_unknown")
        now = self.clock.now()
        async with self.db.transaction():
            found = await self.chats.invite(_hash(secret))
            if found is None or _PREFIX[found[0]] != prefix:
                raise InviteInvalid("error.invite_unknown")
            kind, target_id, expires_at, used = found
            if used:
                raise InviteInvalid("error.invite_used")
            if expires_at <= now:
                raise InviteInvalid("error.invite_expired")
            await self.chats.use_invite(_hash(secret), telegram_id, now)
            stamp = to_iso(now)
            if kind == "cadre":
                cadre = await self.people.cadre(target_id)
                if cadre is None:
                    raise InviteInvalid("error.invite_unknown")
                await self.people.set_cadre_telegram(cadre.id, telegram_id, stamp)
                return Redeemed("cadre", cadre.name)
            enterprise = await self.people.enterprise(target_id)
            if enterprise is None:
                raise InviteInvalid("error.invite_unknown")
            await self.people.bind_contact(telegram_id, enterprise.id, "invite", stamp)
            return Redeemed("enterprise", enterprise.name)

    async def binding(self, chat_id: int) -> ChatBinding | None:
        async with self.db.transaction():
            return await self.chats.binding(chat_id)

    async def bind(
        self, actor: Actor, chat_id: int, title: str, target: str
    ) -> tuple[ChatBinding, str]:
        """Bind a group to an enterprise, or as the park-wide / jobs / logistics group.

        Returns:
            The binding and the display name of what it serves.
        Raises:
            NotAllowed: only admins bind groups.
            UnknownEnterprise: no enterprise of that name (with close matches as a hint).
        """
        if not actor.is_admin:
            raise NotAllowed("error.admin_only")
        target = target.strip()
        if not target:
            raise InvalidInput("error.bind_usage")
        async with self.db.transaction():
            kind = SPECIAL_BINDINGS.get(target.lower())
            enterprise_id: int | None = None
            label = target
            if kind is None:
                enterprise = await self.people.enterprise_by_name(target)
                if enterprise is None:
                    matches = await self.people.enterprises_matching(target)
                    if len(matches) != 1:
                        raise await self._unknown_enterprise(target)
                    enterprise = matches[0]
                kind, enterprise_id, label = "enterprise", enterprise.id, enterprise.name
            await self.chats.bind(
                chat_id,
                kind=kind,
                enterprise_id=enterprise_id,
                title=title,
                bound_by=actor.telegram_id,
                now=self.clock.now(),
            )
            binding = await self.chats.binding(chat_id)
        assert binding is not None
        return binding, label

    async def unbind(self, actor: Actor, chat_id: int) -> bool:
        """Remove a group's binding; False if it was not bound."""
        if not actor.is_admin:
            raise NotAllowed("error.admin_only")
        async with self.db.transaction():
            return await self.chats.unbind(chat_id)

    async def _unknown_enterprise(self, name: str) -> UnknownEnterprise:
        """The error for an unknown name, suggesting close matches when there are some."""
        matches = await self.people.enterprises_matching(name[:2] or name)
        if matches:
            hint = "、".join(e.name for e in matches)
            return UnknownEnterprise("error.unknown_enterprise_hint", name=name, hint=hint)
        return UnknownEnterprise(name=name)
