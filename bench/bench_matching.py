"""Benchmark: match one new post against 10,000 open posts of the other kind.

Builds a throwaway SQLite file with OPEN truck offers and OPEN cargo requests spread over 60
cities and 30 days (every migration and index applied), then times, many times each:

- cargo -> trucks: `Matcher.trucks_for` for a new cargo request (find, filter, rank);
- truck -> cargo: `Matcher.cargo_for` for a new truck offer;
- post end to end: `LogisticsService.post_cargo` (insert, match, record the top 3 proposals).

Run: .venv/bin/python bench/bench_matching.py [--posts 10000] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.domain.logistics import VEHICLE_TYPES, CargoForm, TruckForm
from bot.domain.models import Actor
from bot.services.logistics.service import LogisticsRules, LogisticsService
from bot.services.recipients import Recipients
from storage.db import Database
from storage.repos.logistics import LogisticsRepo
from storage.sqlite import SqliteDatabase
from storage.unit import Repositories

GOAL_MS = 20.0
CITIES = [f"城市{n:02d}" for n in range(60)]
START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def truck_form(rng: random.Random) -> TruckForm:
    origin, destination, *via = rng.sample(CITIES, rng.choice((2, 3, 4)))
    return TruckForm(
        origin=origin,
        destination=destination,
        depart_date=TODAY + timedelta(days=rng.randrange(30)),
        vehicle=rng.choice(VEHICLE_TYPES),
        spare_tonnes=round(rng.uniform(0.5, 20), 1),
        via=tuple(via),
        spare_m3=round(rng.uniform(2, 60), 1) if rng.random() < 0.7 else None,
    )


def cargo_form(rng: random.Random) -> CargoForm:
    origin, destination = rng.sample(CITIES, 2)
    ready = TODAY + timedelta(days=rng.randrange(28))
    return CargoForm(
        origin=origin,
        destination=destination,
        ready_date=ready,
        latest_date=ready + timedelta(days=rng.randrange(4)),
        cargo_name="货物",
        tonnes=round(rng.uniform(0.2, 8), 1),
        m3=round(rng.uniform(0.5, 20), 1) if rng.random() < 0.7 else None,
        cold=rng.random() < 0.1,
    )


async def fill(db: Database, posts: int, rng: random.Random) -> None:
    """Insert `posts` open trucks and `posts` open cargo requests from distinct owners."""
    repo = LogisticsRepo(db)
    async with db.transaction():
        for n in range(posts):
            t = truck_form(rng)
            await repo.insert_offer(
                owner_id=1_000_000 + n,
                enterprise_id=None,
                origin=t.origin,
                destination=t.destination,
                via=t.via,
                depart_date=t.depart_date,
                vehicle=t.vehicle,
                length=None,
                tonnes=t.spare_tonnes,
                m3=t.spare_m3,
                price_note=None,
                contact=None,
                now=START,
            )
            c = cargo_form(rng)
            await repo.insert_request(
                owner_id=2_000_000 + n,
                enterprise_id=None,
                origin=c.origin,
                destination=c.destination,
                ready_date=c.ready_date,
                latest_date=c.latest_date,
                cargo_name=c.cargo_name,
                tonnes=c.tonnes,
                m3=c.m3,
                pieces=None,
                cold=c.cold,
                price_note=None,
                contact=None,
                now=START,
            )
        await db.execute("ANALYZE")


async def timed(runs: int, once: Callable[[], Awaitable[int]]) -> tuple[list[float], int]:
    samples: list[float] = []
    found = 0
    for _ in range(runs):
        began = time.perf_counter()
        found += await once()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, found


def report(name: str, samples: list[float], found: int) -> bool:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    verdict = "OK" if median < GOAL_MS else "SLOW"
    print(
        f"{name:<22} median {median:6.2f} ms  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"
        f"  runs {len(samples)}  avg candidates {found / len(samples):5.1f}  [{verdict}]"
    )
    return median < GOAL_MS


async def main(posts: int, runs: int) -> int:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as folder:
        db = SqliteDatabase(Path(folder) / "bench.db")
        await db.connect()
        started = time.perf_counter()
        await fill(db, posts, rng)
        took = time.perf_counter() - started
        print(f"filled {posts} open trucks + {posts} open cargo in {took:.1f}s")
        service = LogisticsService(
            Repositories(db),
            FixedClock(START),
            ZoneInfo("Asia/Shanghai"),
            LogisticsRules(),
            recipients=Recipients(Repositories(db)),
        )
        repo = service.repo
        ok = True

        async def cargo_to_trucks() -> int:
            form = cargo_form(rng)
            async with db.transaction():
                request_id = await repo.insert_request(
                    owner_id=3, enterprise_id=None, origin=form.origin,
                    destination=form.destination, ready_date=form.ready_date,
                    latest_date=form.latest_date, cargo_name="货物", tonnes=form.tonnes,
                    m3=form.m3, pieces=None, cold=form.cold, price_note=None, contact=None,
                    now=START,
                )  # fmt: skip
                request = await repo.request(request_id)
                assert request is not None
                began = time.perf_counter()
                found = await service.matcher.trucks_for(request)
                elapsed.append((time.perf_counter() - began) * 1000)
                await db.execute("DELETE FROM cargo_requests WHERE id = ?", (request_id,))
            return len(found)

        async def truck_to_cargo() -> int:
            offer_id = rng.randrange(1, posts + 1)
            async with db.transaction():
                offer = await repo.offer(offer_id)
                assert offer is not None
                began = time.perf_counter()
                found = await service.matcher.cargo_for(offer)
                elapsed.append((time.perf_counter() - began) * 1000)
            return len(found)

        actor = Actor(telegram_id=4, config_admin=True)

        async def post_end_to_end() -> int:
            posted = await service.post_cargo(actor, cargo_form(rng))
            return len(posted.proposals)

        for name, once in (
            ("cargo -> 10k trucks", cargo_to_trucks),
            ("truck -> 10k cargo", truck_to_cargo),
        ):
            elapsed: list[float] = []
            _, found = await timed(runs, once)
            ok &= report(name, elapsed, found)
        samples, found = await timed(runs, post_end_to_end)
        ok &= report("post_cargo end to end", samples, found)
        await db.close()
    print(f"goal: median under {GOAL_MS:g} ms -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(main(arguments.posts, arguments.runs)))
