"""The expiry job with injected time, and the weekly logistics counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock
from bot.config import load_settings
from bot.domain.logistics import CargoForm, TruckForm
from bot.domain.models import Actor
from bot.runtime.schedule import expire_logistics
from bot.wiring.bot import build_services
from storage.db import Database
from storage.repos.exchange_stats import week_counts

ADMIN = Actor(telegram_id=1, config_admin=True)
OTHER_ADMIN = Actor(telegram_id=2, config_admin=True)


async def owed_texts(db: Database, chat_id: int) -> list[str]:
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT params FROM outbox WHERE chat_id = ? AND method = 'sendMessage' ORDER BY id",
            (chat_id,),
        )
    return [json.loads(r[0])["text"] for r in rows]


async def test_expiry_job_runs_once_with_injected_time(db: Database, clock: FixedClock) -> None:
    services = build_services(load_settings(None, park={"admins": [1, 2]}), db, clock)
    today = services.logistics.today()
    truck = TruckForm("海门", "常州", today, "box", 3.0)
    await services.logistics.post_truck(ADMIN, truck)
    cargo = CargoForm("海门", "无锡", today, today + timedelta(days=1), "布", 1.0)
    await services.logistics.post_cargo(OTHER_ADMIN, cargo)
    assert await expire_logistics(services) == 0  # nothing is past yet

    clock.advance(timedelta(hours=14))  # 00:00 the next day in Shanghai: the truck has left
    assert await expire_logistics(services) == 1
    assert await expire_logistics(services) == 0  # and it is told only once
    assert any("车源 #1 已过发车日期" in t for t in await owed_texts(db, 1))
    assert await services.logistics.my_trucks(ADMIN) == []

    clock.advance(timedelta(days=1))
    assert await expire_logistics(services) == 1
    assert any("货源 #1 已过最晚发货日期" in t for t in await owed_texts(db, 2))


async def test_week_counts_cover_offers_requests_and_matches(
    db: Database, clock: FixedClock
) -> None:
    services = build_services(load_settings(None), db, clock)
    today = services.logistics.today()
    await services.logistics.post_truck(ADMIN, TruckForm("海门", "常州", today, "box", 3.0))
    posted = await services.logistics.post_cargo(
        OTHER_ADMIN, CargoForm("海门", "常州", today, today, "布", 1.0)
    )
    number = posted.proposals[0].match.id
    for actor in (ADMIN, OTHER_ADMIN):
        await services.logistics.matcher.answer(actor, number, accept=True)
    await services.logistics.matcher.complete(ADMIN, number)
    week = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 00:00 in Shanghai
    async with db.transaction():
        counts = await week_counts(db, week, week + timedelta(days=7))
        before = await week_counts(db, week - timedelta(days=7), week)
    assert {k: v for k, v in counts.items() if not k.startswith(("jobs", "people"))} == {
        "truck_offers": 1,
        "cargo_requests": 1,
        "matches_proposed": 1,
        "matches_accepted": 1,
        "matches_completed": 1,
    }
    assert sum(before.values()) == 0
