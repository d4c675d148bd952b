"""Invitations (single use, expiring, unguessable) and group bindings (admins only)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock, to_iso
from bot.domain.models import Actor, Cadre, Role
from bot.errors import InvalidInput, InviteInvalid, NotAllowed, UnknownCadre, UnknownEnterprise
from bot.services.onboarding import OnboardingService
from bot.services.recipients import Recipients
from storage.db import Database
from storage.repos.cadres import CadreRepo
from storage.repos.enterprises import EnterpriseRepo
from storage.unit import Repositories

ADMIN = Actor(telegram_id=1, config_admin=True)
CADRE = Actor(telegram_id=2, cadre=Cadre(1, "陈志远", None, Role.CADRE, None, 2, on_leave=False))


@pytest.fixture
async def service(db: Database, clock: FixedClock) -> OnboardingService:
    cadres, enterprises = CadreRepo(db), EnterpriseRepo(db)
    now = to_iso(clock.now())
    async with db.transaction():
        await cadres.upsert_cadre(
            name="陈志远", phone=None, role="cadre", telegram_id=None, now=now
        )
        await enterprises.upsert_enterprise(
            name="海澄精工机械有限公司", credit_code=None, industry=None, grid=None, now=now
        )
        await enterprises.upsert_enterprise(
            name="海澄恒通电子有限公司", credit_code=None, industry=None, grid=None, now=now
        )
    repos = Repositories(db)
    return OnboardingService(repos, clock, invite_valid_days=7, recipients=Recipients(repos))


async def test_invite_binds_once(service: OnboardingService, db: Database) -> None:
    invite = await service.invite("cadre", "陈志远")
    assert len(invite.payload) <= 64 and invite.payload.startswith("c-")
    assert all(ch.isalnum() or ch in "-_" for ch in invite.payload)
    redeemed = await service.redeem(555, invite.payload)
    assert (redeemed.kind, redeemed.name) == ("cadre", "陈志远")
    async with db.transaction():
        cadre = await CadreRepo(db).cadre_by_telegram(555)
    assert cadre is not None and cadre.name == "陈志远"
    with pytest.raises(InviteInvalid) as caught:
        await service.redeem(666, invite.payload)
    assert caught.value.key == "error.invite_used"


async def test_enterprise_invite_binds_a_contact(service: OnboardingService, db: Database) -> None:
    invite = await service.invite("enterprise", "海澄精工机械有限公司")
    await service.redeem(777, invite.payload)
    async with db.transaction():
        assert await EnterpriseRepo(db).contact_enterprise(777) is not None


async def test_expired_unknown_and_tampered_invites(
    service: OnboardingService, clock: FixedClock
) -> None:
    invite = await service.invite("enterprise", "海澄精工机械有限公司")
    for payload in ("c-" + invite.payload[2:], "nonsense", "e-", invite.payload + "x"):
        with pytest.raises(InviteInvalid):
            await service.redeem(1, payload)
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(InviteInvalid) as caught:
        await service.redeem(1, invite.payload)
    assert caught.value.key == "error.invite_expired"


async def test_invites_for_unknown_names(service: OnboardingService) -> None:
    with pytest.raises(UnknownCadre):
        await service.invite("cadre", "查无此人")
    with pytest.raises(UnknownEnterprise) as caught:
        await service.invite("enterprise", "海澄")
    assert caught.value.key == "error.unknown_enterprise_hint"
    assert "海澄精工机械有限公司" in caught.value.params["hint"]


async def test_only_admins_bind_and_names_must_be_unique(service: OnboardingService) -> None:
    with pytest.raises(NotAllowed):
        await service.bind(CADRE, -100, "群", "park")
    binding, label = await service.bind(ADMIN, -100, "群", "精工")  # a unique fragment
    assert (binding.kind, label) == ("enterprise", "海澄精工机械有限公司")
    with pytest.raises(UnknownEnterprise):
        await service.bind(ADMIN, -101, "群", "海澄")  # ambiguous
    with pytest.raises(InvalidInput):
        await service.bind(ADMIN, -101, "群", "  ")
    park, _ = await service.bind(ADMIN, -102, "群", "PARK")
    assert park.kind == "park" and park.enterprise_id is None
    assert await service.unbind(ADMIN, -102) is True
    assert await service.unbind(ADMIN, -102) is False
