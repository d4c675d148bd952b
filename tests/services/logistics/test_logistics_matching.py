"""The matcher against hand-made cases: route, window, weight, volume, cold chain, ranking."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.domain.logistics import (
    CargoForm,
    CargoStatus,
    MatchStatus,
    TruckForm,
    TruckStatus,
)
from bot.domain.models import Actor
from bot.errors import InvalidInput, InvalidTransition, NotAllowed
from bot.services.logistics.service import LogisticsRules, LogisticsService
from bot.services.recipients import Recipients
from storage.db import Database
from storage.unit import Repositories
from tests.story import Story

TODAY = date(2026, 11, 25)  # the clock fixture's park date
TRUCKER = Actor(telegram_id=101, enterprise_id=1)
SHIPPER = Actor(telegram_id=202, enterprise_id=2)
OTHER_SHIPPER = Actor(telegram_id=303, enterprise_id=3)
STRANGER = Actor(telegram_id=999)


@pytest.fixture
async def service(db: Database, clock: FixedClock) -> LogisticsService:
    # Three enterprises (a park of two cadres and the duty desk's), imported from a roster as
    # an administration would: the first three on a fresh database, as the actors above say.
    story = await Story.open(db, clock, cadres=["甲", "乙"])
    contacts = [await story.actor(Story.contact_tg(index)) for index in range(3)]
    assert [actor.enterprise_id for actor in contacts] == [1, 2, 3]
    return LogisticsService(
        Repositories(db),
        clock,
        ZoneInfo("Asia/Shanghai"),
        LogisticsRules(top_matches=3),
        recipients=Recipients(Repositories(db)),
    )


def truck(days: int = 1, tonnes: float = 3.0, **kw: object) -> TruckForm:
    fields: dict[str, object] = {
        "origin": "海门",
        "destination": "常州",
        "depart_date": TODAY + timedelta(days=days),
        "vehicle": "box",
        "spare_tonnes": tonnes,
    }
    fields.update(kw)
    return TruckForm(**fields)  # type: ignore[arg-type]


def cargo(first: int = 0, last: int = 3, tonnes: float = 2.0, **kw: object) -> CargoForm:
    fields: dict[str, object] = {
        "origin": "海门",
        "destination": "常州",
        "ready_date": TODAY + timedelta(days=first),
        "latest_date": TODAY + timedelta(days=last),
        "cargo_name": "电子元件",
        "tonnes": tonnes,
    }
    fields.update(kw)
    return CargoForm(**fields)  # type: ignore[arg-type]


async def test_fitting_pair_is_proposed_to_both(service: LogisticsService) -> None:
    posted = await service.post_truck(TRUCKER, truck())
    assert posted.proposals == []
    request = await service.post_cargo(SHIPPER, cargo())
    assert [p.offer.id for p in request.proposals] == [posted.offer.id]
    assert request.proposals[0].match.status is MatchStatus.PROPOSED


@pytest.mark.parametrize(
    ("truck_kw", "cargo_kw"),
    [
        ({"destination": "无锡"}, {}),  # another city, not on the route
        ({"days": 5}, {}),  # departs after the latest date
        ({"days": 0}, {"first": 1}),  # departs before the cargo is ready
        ({"tonnes": 1.5}, {}),  # over-weight
        ({"spare_m3": 2.0}, {"m3": 3.0}),  # over-volume
        ({}, {"cold": True}),  # cold chain needs 冷藏
    ],
)
async def test_non_fitting_pairs_are_not_proposed(
    service: LogisticsService, truck_kw: dict[str, object], cargo_kw: dict[str, object]
) -> None:
    days = truck_kw.pop("days", 1)
    await service.post_truck(TRUCKER, truck(days=days, **truck_kw))  # type: ignore[arg-type]
    posted = await service.post_cargo(SHIPPER, cargo(**cargo_kw))  # type: ignore[arg-type]
    assert posted.proposals == []


async def test_cold_cargo_rides_a_refrigerated_truck(service: LogisticsService) -> None:
    await service.post_truck(TRUCKER, truck())
    cold = await service.post_truck(Actor(telegram_id=102, enterprise_id=1), truck(vehicle="cold"))
    posted = await service.post_cargo(SHIPPER, cargo(cold=True))
    assert [p.offer.id for p in posted.proposals] == [cold.offer.id]


async def test_a_city_on_the_way_matches(service: LogisticsService) -> None:
    offer = await service.post_truck(TRUCKER, truck(destination="苏州市", via=("南通", "无锡市")))
    posted = await service.post_cargo(SHIPPER, cargo(destination="无锡"))
    assert [p.offer.id for p in posted.proposals] == [offer.offer.id]
    assert offer.offer.route == frozenset({"苏州", "南通", "无锡"})


async def test_expired_offer_is_not_matched(service: LogisticsService, clock: FixedClock) -> None:
    await service.post_truck(TRUCKER, truck(days=0))
    clock.advance(timedelta(days=1))
    expired = await service.expire()
    assert [o.status for o in expired.offers] == [TruckStatus.OPEN]  # as it was before
    posted = await service.post_cargo(SHIPPER, cargo(first=1, last=3))
    assert posted.proposals == []
    assert await service.my_trucks(TRUCKER) == []


async def test_ranking_date_then_fill(service: LogisticsService) -> None:
    late = await service.post_truck(TRUCKER, truck(days=2, tonnes=2.5))
    roomy = await service.post_truck(
        Actor(telegram_id=102, enterprise_id=1), truck(days=1, tonnes=10)
    )
    snug = await service.post_truck(
        Actor(telegram_id=103, enterprise_id=1), truck(days=1, tonnes=2.5)
    )
    far = await service.post_truck(
        Actor(telegram_id=104, enterprise_id=1), truck(days=3, tonnes=2.0)
    )
    posted = await service.post_cargo(SHIPPER, cargo(first=1, last=3))
    # Top 3 only: same day, better fill first; then the later day; the latest one is left out.
    assert [p.offer.id for p in posted.proposals] == [snug.offer.id, roomy.offer.id, late.offer.id]
    assert far.offer.id not in [p.offer.id for p in posted.proposals]


async def test_truck_side_ranking_and_own_posts_skipped(service: LogisticsService) -> None:
    small = await service.post_cargo(SHIPPER, cargo(first=1, tonnes=0.5))
    big = await service.post_cargo(OTHER_SHIPPER, cargo(first=1, tonnes=2.5))
    early = await service.post_cargo(
        Actor(telegram_id=404, enterprise_id=3), cargo(first=0, tonnes=2.9)
    )
    await service.post_cargo(TRUCKER, cargo(first=1, tonnes=2.9))  # the trucker's own cargo
    posted = await service.post_truck(TRUCKER, truck(days=1))
    ids = [p.request.id for p in posted.proposals]
    assert ids == [big.request.id, small.request.id, early.request.id]


async def test_partial_fill_then_full(service: LogisticsService) -> None:
    offer = (await service.post_truck(TRUCKER, truck(tonnes=3.0, spare_m3=10.0))).offer
    first = (await service.post_cargo(SHIPPER, cargo(tonnes=2.0, m3=4.0))).proposals[0]
    second = (await service.post_cargo(OTHER_SHIPPER, cargo(tonnes=1.0))).proposals[0]
    done = await service.matcher.answer(TRUCKER, first.match.id, accept=True)
    assert done.outcome == "waiting"
    done = await service.matcher.answer(SHIPPER, first.match.id, accept=True)
    assert done.outcome == "accepted"
    assert done.view.offer.status is TruckStatus.PARTIALLY_FILLED
    assert (done.view.offer.spare_tonnes, done.view.offer.spare_m3) == (1.0, 6.0)
    assert done.view.request.status is CargoStatus.MATCHED
    await service.matcher.answer(OTHER_SHIPPER, second.match.id, accept=True)
    done = await service.matcher.answer(TRUCKER, second.match.id, accept=True)
    assert done.view.offer.status is TruckStatus.FULL
    assert done.view.offer.id == offer.id
    # Nothing more fits: a new cargo finds no truck.
    assert (
        await service.post_cargo(Actor(telegram_id=404, enterprise_id=3), cargo(tonnes=0.5))
    ).proposals == []


async def test_acceptance_rechecks_capacity_and_voids_the_rest(service: LogisticsService) -> None:
    await service.post_truck(TRUCKER, truck(tonnes=3.0))
    first = (await service.post_cargo(SHIPPER, cargo(tonnes=2.0))).proposals[0]
    second = (await service.post_cargo(OTHER_SHIPPER, cargo(tonnes=2.0))).proposals[0]
    await service.matcher.answer(OTHER_SHIPPER, second.match.id, accept=True)
    for actor in (TRUCKER, SHIPPER):
        await service.matcher.answer(actor, first.match.id, accept=True)
    # 1 t left: the second cargo no longer fits, its proposal was voided on acceptance.
    with pytest.raises(InvalidInput, match="match_closed"):
        await service.matcher.answer(TRUCKER, second.match.id, accept=True)


async def test_only_parties_answer_and_only_once(service: LogisticsService) -> None:
    await service.post_truck(TRUCKER, truck())
    proposal = (await service.post_cargo(SHIPPER, cargo())).proposals[0]
    with pytest.raises(NotAllowed):
        await service.matcher.answer(STRANGER, proposal.match.id, accept=True)
    with pytest.raises(NotAllowed):
        await service.matcher.complete(OTHER_SHIPPER, proposal.match.id)
    await service.matcher.answer(SHIPPER, proposal.match.id, accept=True)
    with pytest.raises(InvalidInput, match="already_answered"):
        await service.matcher.answer(SHIPPER, proposal.match.id, accept=False)
    with pytest.raises(InvalidInput, match="not_accepted"):
        await service.matcher.complete(SHIPPER, proposal.match.id)
    declined = await service.matcher.answer(TRUCKER, proposal.match.id, accept=False)
    assert declined.outcome == "declined"
    assert declined.view.match.status is MatchStatus.DECLINED


async def test_done_ships_the_cargo(service: LogisticsService) -> None:
    await service.post_truck(TRUCKER, truck())
    proposal = (await service.post_cargo(SHIPPER, cargo())).proposals[0]
    for actor in (SHIPPER, TRUCKER):
        await service.matcher.answer(actor, proposal.match.id, accept=True)
    done = await service.matcher.complete(TRUCKER, proposal.match.id)
    view, side = done.view, done.side
    assert side == "truck"
    assert view.match.status is MatchStatus.COMPLETED
    assert view.request.status is CargoStatus.SHIPPED
    with pytest.raises(InvalidInput):
        await service.matcher.complete(SHIPPER, proposal.match.id)


async def test_withdraw_only_by_owner_and_voids_proposals(service: LogisticsService) -> None:
    offer = (await service.post_truck(TRUCKER, truck())).offer
    proposal = (await service.post_cargo(SHIPPER, cargo())).proposals[0]
    with pytest.raises(NotAllowed):
        await service.withdraw_truck(SHIPPER, offer.id)
    withdrawn = await service.withdraw_truck(TRUCKER, offer.id)
    assert withdrawn.status is TruckStatus.WITHDRAWN
    with pytest.raises(InvalidInput, match="match_closed"):
        await service.matcher.answer(SHIPPER, proposal.match.id, accept=True)
    with pytest.raises(InvalidTransition):
        await service.withdraw_truck(TRUCKER, offer.id)
    assert [r.status for r in await service.my_cargo(SHIPPER)] == [CargoStatus.OPEN]


async def test_strangers_may_not_post(service: LogisticsService) -> None:
    with pytest.raises(NotAllowed):
        await service.post_truck(STRANGER, truck())
    with pytest.raises(NotAllowed):
        await service.post_cargo(STRANGER, cargo())


async def test_expiry_of_cargo_and_departed_trucks(
    service: LogisticsService, clock: FixedClock
) -> None:
    await service.post_truck(TRUCKER, truck(days=0, tonnes=5))
    proposal = (await service.post_cargo(SHIPPER, cargo(first=0, last=0))).proposals[0]
    for actor in (SHIPPER, TRUCKER):
        await service.matcher.answer(actor, proposal.match.id, accept=True)
    lonely = (await service.post_cargo(OTHER_SHIPPER, cargo(first=0, last=1, tonnes=9))).request
    clock.advance(timedelta(days=1))
    first = await service.expire()
    assert first.offers == [] and first.requests == []  # departure day + 1: cargo latest not past
    clock.advance(timedelta(days=1))
    second = await service.expire()
    assert [r.id for r in second.requests] == [lonely.id]
    assert await service.my_trucks(TRUCKER) == []  # the partially filled truck has departed
    assert [r.status for r in await service.my_cargo(SHIPPER)] == [CargoStatus.MATCHED]
