"""Onboarding: deep-link invitations for cadres and enterprise contacts, and group bindings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, to_iso
from bot.domain.models import Actor, ChatBinding
from bot.domain.outcomes import Publish, discard
from bot.domain.outcomes.desk import InviteTakeover, Migrated
from bot.errors import (
    InvalidInput,
    InviteInvalid,
    InviteRefused,
    NotAllowed,
    UnknownCadre,
    UnknownEnterprise,
)
from bot.services.recipients import Recipients
from storage.unit import Repositories

_PREFIX = {"enterprise": "e", "cadre": "c"}
SPECIAL_BINDINGS = {"park": "park", "jobs": "jobs", "logistics": "logistics"}
BOT_USERNAME = "bot_username"  # kv key


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

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        *,
        invite_valid_days: int,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.publish = publish
        self.recipients = recipients
        self.valid = timedelta(days=invite_valid_days)
        self.cadres = repos.cadres
        self.enterprises = repos.enterprises
        self.chats = repos.chats
        self.kv = repos.kv
        self.outbox = repos.outbox

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
                cadre = await self.cadres.cadre_by_name(name)
                if cadre is None:
                    raise UnknownCadre(name=name)
                target_id, label = cadre.id, cadre.name
            else:
                enterprise = await self.enterprises.enterprise_by_name(name)
                if enterprise is None:
                    raise await self._unknown_enterprise(name)
                target_id, label = enterprise.id, enterprise.name
            secret = secrets.token_urlsafe(24)  # 32 characters, 192 bits
            await self.chats.add_invite(
                _hash(secret), kind=kind, target_id=target_id, now=now, expires=now + self.valid
            )
        return Invite(kind, label, f"{_PREFIX[kind]}-{secret}", now + self.valid)

    async def redeem(
        self, telegram_id: int, payload: str, *, admin: bool = False, name: str = ""
    ) -> Redeemed:
        """Bind the Telegram user named by an invitation payload.

        An invitation binds whoever opens it, but never takes over an account that is bound
        already: a cadre's account does not move to another cadre, and no cadre, admin or other
        enterprise's contact becomes an enterprise's contact. Such an invitation is used up (it
        reached the wrong hands) and nothing else changes.

        Args:
            telegram_id: who opened the link.
            payload: the /start parameter.
            admin: the user is a configured admin (staff, never an enterprise contact).
            name: the user's name as Telegram gave it (for the admins, on a refusal).
        Raises:
            InviteInvalid: unknown, expired or already used.
            InviteRefused: it would take over a bound account (the admins should be told).
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
            if kind == "cadre":
                outcome = await self._redeem_cadre(telegram_id, target_id, to_iso(now))
            else:
                outcome = await self._redeem_contact(telegram_id, target_id, admin, to_iso(now))
        # Raised after the transaction, so the invitation stays used up.
        if isinstance(outcome, InviteRefused):
            async with self.db.transaction():
                await self.publish(
                    InviteTakeover(
                        telegram_id,
                        name,
                        reason=outcome.reason,
                        target=str(outcome.params["target"]),
                        bound=str(outcome.params["bound"]),
                        desk=await self.recipients.desk(),
                    )
                )
            raise outcome
        return outcome

    async def _bound_as(self, telegram_id: int) -> tuple[str, str] | None:
        """What an account is bound to already: ("cadre", name) or ("contact", enterprise)."""
        cadre = await self.cadres.cadre_by_telegram(telegram_id)
        if cadre is not None:
            return "cadre", cadre.name
        enterprise_id = await self.enterprises.contact_enterprise(telegram_id)
        enterprise = await self.enterprises.enterprise(enterprise_id) if enterprise_id else None
        return ("contact", enterprise.name) if enterprise is not None else None

    async def _redeem_cadre(
        self, telegram_id: int, cadre_id: int, stamp: str
    ) -> Redeemed | InviteRefused:
        cadre = await self.cadres.cadre(cadre_id)
        if cadre is None:
            raise InviteInvalid("error.invite_unknown")
        bound = await self._bound_as(telegram_id)
        if bound is not None and bound != ("cadre", cadre.name):
            return InviteRefused(
                f"already_{bound[0]}", kind="cadre", target=cadre.name, bound=bound[1]
            )
        await self.cadres.set_cadre_telegram(cadre.id, telegram_id, stamp)
        return Redeemed("cadre", cadre.name)

    async def _redeem_contact(
        self, telegram_id: int, enterprise_id: int, admin: bool, stamp: str
    ) -> Redeemed | InviteRefused:
        enterprise = await self.enterprises.enterprise(enterprise_id)
        if enterprise is None:
            raise InviteInvalid("error.invite_unknown")
        bound = await self._bound_as(telegram_id)
        if bound is None and admin:
            bound = ("admin", "")
        if bound is not None and bound != ("contact", enterprise.name):
            return InviteRefused(
                f"already_{bound[0]}", kind="enterprise", target=enterprise.name, bound=bound[1]
            )
        await self.enterprises.bind_contact(telegram_id, enterprise.id, "invite", stamp)
        return Redeemed("enterprise", enterprise.name)

    async def remember_username(self, username: str) -> None:
        """Keep the bot's username (from getMe at start) for the links `invite` prints."""
        async with self.db.transaction():
            await self.kv.set(BOT_USERNAME, username)

    async def bot_username(self) -> str | None:
        """The username the running bot stored, or None if it never started."""
        async with self.db.transaction():
            return await self.kv.get(BOT_USERNAME) or None

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
                enterprise = await self.enterprises.enterprise_by_name(target)
                if enterprise is None:
                    matches = await self.enterprises.enterprises_matching(target)
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

    async def follow_migration(self, old_chat_id: int, new_chat_id: int) -> Migrated | None:
        """Follow a group upgraded to a supergroup: its binding and queued messages move.

        Idempotent: the two service messages and every send answered with the new id all call
        it. Tickets keep the chat they were reported in; notices about them go to its new id.

        Args:
            old_chat_id: the basic group's id.
            new_chat_id: the supergroup's id (`migrate_to_chat_id`).
        Returns:
            What moved, the first time, for a chat that was bound or had messages queued (so
            the admins are told once); None otherwise.
        """
        async with self.db.transaction():
            first = await self.chats.record_migration(old_chat_id, new_chat_id, self.clock.now())
            binding = await self.chats.move_binding(old_chat_id, new_chat_id)
            moved = await self.outbox.move_chat(old_chat_id, new_chat_id)
            if not first or (binding is None and moved == 0):
                return None
            serves = binding.kind if binding is not None else "-"
            if binding is not None and binding.enterprise_id is not None:
                enterprise = await self.enterprises.enterprise(binding.enterprise_id)
                serves = enterprise.name if enterprise is not None else serves
            desk = await self.recipients.desk()
            migrated = Migrated(old_chat_id, new_chat_id, binding, serves, moved, desk)
            await self.publish(migrated)
        return migrated

    async def _unknown_enterprise(self, name: str) -> UnknownEnterprise:
        """The error for an unknown name, suggesting close matches when there are some."""
        matches = await self.enterprises.enterprises_matching(name[:2] or name)
        if matches:
            hint = "、".join(e.name for e in matches)
            return UnknownEnterprise("error.unknown_enterprise_hint", name=name, hint=hint)
        return UnknownEnterprise(name=name)
