"""Metrics against hand-computed cases; the clock is Wed 2026-11-25 10:00, so W47 (16-22 Nov)
is reported as of Mon 23 Nov 09:00."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FixedClock
from bot.errors import InvalidInput
from bot.services.calendar import WorkCalendar
from bot.services.metrics import (
    MetricsService,
    Rate,
    Weights,
    composite,
    parse_week,
    round_half_up,
)
from storage.db import Database
from tests.services.airing_seed import TZ, Seed, park

W47 = parse_week("2026-W47", TZ)


def service(db: Database, clock: FixedClock, **kw: object) -> MetricsService:
    return MetricsService(db, clock, WorkCalendar(TZ), **kw)  # type: ignore[arg-type]


def test_rounding_is_half_up_to_one_decimal() -> None:
    assert Rate(90, 92).pct == 97.8  # the field's own figure
    assert round_half_up(Decimal("97.75")) == 97.8
    assert round_half_up(Decimal("0.05")) == 0.1  # banker's rounding would give 0.0
    assert Rate(2, 3).pct == 66.7
    assert Rate(0, 0).pct is None


def test_week_bounds_are_park_time_and_bad_weeks_are_refused() -> None:
    assert W47.start == park(16, 0)
    assert W47.end == park(23, 0)
    assert parse_week("2026w47", TZ) == W47
    assert W47.shifted(-1).label == "2026-W46"
    with pytest.raises(InvalidInput):
        parse_week("2026-W60", TZ)


async def test_92_received_90_resolved_is_97_8_and_cumulative(
    db: Database, clock: FixedClock
) -> None:
    seed = Seed(db)
    chen = await seed.cadre("陈志远")
    as_of = park(23, 9)
    for i in range(88):
        tid = await seed.ticket(chen, park(16 + i % 5, 9), status="closed")
        await seed.event(tid, "resolve", park(20, 17))
    # Resolved, reopened and resolved again before the report: counts.
    tid = await seed.ticket(chen, park(17), status="closed")
    await seed.event(tid, "resolve", park(18))
    await seed.event(tid, "reopen", park(19))
    await seed.event(tid, "resolve", park(20))
    # Resolved on Friday, reopened on Tuesday after the report: resolved as of the report.
    tid = await seed.ticket(chen, park(18), status="in_progress")
    await seed.event(tid, "resolve", park(20))
    await seed.event(tid, "reopen", park(24))
    # Resolved then reopened before the report: not resolved.
    tid = await seed.ticket(chen, park(18), status="in_progress")
    await seed.event(tid, "resolve", park(19))
    await seed.event(tid, "reopen", park(20))
    # Resolved only after the report: not counted.
    tid = await seed.ticket(chen, park(19), status="resolved")
    await seed.event(tid, "resolve", park(24))
    # Earlier this year: 8 received, 8 resolved; a ticket of next week is not in the figures.
    for _ in range(8):
        tid = await seed.ticket(chen, park(10, month=3), status="closed")
        await seed.event(tid, "resolve", park(12, month=3))
    await seed.ticket(chen, park(24), status="new")

    report = await service(db, clock).week(W47)
    assert report.as_of == as_of
    assert report.park.received == 92
    assert (report.park.closure.num, report.park.closure.pct) == (90, 97.8)
    assert (report.park.closure_ytd.num, report.park.closure_ytd.den) == (98, 100)
    assert report.park.closure_ytd.pct == 98.0
    [cadre] = report.cadres
    assert cadre.name == "陈志远" and cadre.metrics.closure.pct == 97.8


async def test_second_rating_counts_and_unrated_is_not_satisfied(
    db: Database, clock: FixedClock
) -> None:
    seed = Seed(db)
    chen = await seed.cadre("陈志远")
    # First rating 未解决/不满意, reopened, resolved, second rating 已解决/满意.
    twice = await seed.ticket(chen, park(16), status="closed")
    await seed.event(twice, "resolve", park(17))
    await seed.event(twice, "rate", park(17, 12), solved="unsolved", satisfaction="dissatisfied")
    await seed.event(twice, "reopen", park(17, 12))
    await seed.event(twice, "resolve", park(18))
    await seed.event(twice, "rate", park(18, 12), solved="solved", satisfaction="satisfied")
    partly = await seed.ticket(chen, park(16), status="closed")
    await seed.event(partly, "resolve", park(17))
    await seed.event(partly, "rate", park(19), solved="partly", satisfaction="basically")
    unrated = await seed.ticket(chen, park(2), status="closed")
    await seed.event(unrated, "resolve", park(9))
    await seed.event(unrated, "close", park(16, 11), reason="unrated")
    # Rated after the report time: not part of W47.
    late = await seed.ticket(chen, park(16), status="closed")
    await seed.event(late, "resolve", park(20))
    await seed.event(late, "rate", park(23, 11), solved="solved", satisfaction="satisfied")

    m = (await service(db, clock).week(W47)).park
    assert (m.solved.num, m.solved.den) == (1, 3)  # the twice-rated ticket counts once, solved
    assert (m.partly.num, m.partly.den) == (1, 3)
    assert (m.satisfaction.num, m.satisfaction.den) == (2, 3)  # 满意 + 基本满意; 未评价 is not
    assert m.satisfaction.pct == 66.7
    assert (m.strict_satisfaction.num, m.strict_satisfaction.pct) == (1, 33.3)
    assert m.unrated == 1


async def test_response_on_time_reopen_days_overdue_and_score(
    db: Database, clock: FixedClock
) -> None:
    seed = Seed(db)
    chen = await seed.cadre("陈志远")
    # 响应率: due Tue 18:00; in time / contacted late / never contacted -> 1 of 3.
    due = park(17, 18)
    far = park(30, 18)
    ok = await seed.ticket(chen, park(16, 10), response_due=due, deadline=far)
    await seed.event(ok, "claim", park(16, 11))
    await seed.event(ok, "contact", park(17, 9))
    late = await seed.ticket(chen, park(16, 10), response_due=due, deadline=far)
    await seed.event(late, "claim", park(16, 11))
    await seed.event(late, "contact", park(18, 9))
    await seed.ticket(chen, park(16, 10), response_due=due, deadline=far)
    # Due last week: not in this week's denominator.
    await seed.ticket(chen, park(9, 10), response_due=park(10, 18), status="closed")
    # 按期: Mon->Wed before the deadline (2 working days); Fri->Mon after an approved
    # extension (1 working day); Mon->Fri after the deadline (4 working days), then reopened.
    a = await seed.ticket(chen, park(16, 9), deadline=park(18, 18), status="closed")
    await seed.event(a, "resolve", park(18, 10))
    b = await seed.ticket(chen, park(13, 9), deadline=park(25, 18), status="closed")
    await seed.event(b, "extend_ok", park(15), deadline_at="2026-11-25T10:00:00Z", days=3)
    await seed.event(b, "resolve", park(16, 10))
    c = await seed.ticket(chen, park(16, 9), deadline=park(18, 18), status="in_progress")
    await seed.event(c, "resolve", park(20, 10))
    await seed.event(c, "reopen", park(21, 10))
    # Open and overdue now (deadline Tue 24th; c too); supervised but not yet due.
    over = await seed.ticket(chen, park(16, 9), deadline=park(24, 18), status="claimed")
    watched = await seed.ticket(chen, park(16, 9), deadline=park(30, 18), supervision=1)
    m = (await service(db, clock).week(W47)).park
    assert (m.response.num, m.response.den, m.response.pct) == (1, 3, 33.3)
    assert (m.on_time.num, m.on_time.den, m.on_time.pct) == (2, 3, 66.7)
    assert (m.reopen.num, m.reopen.den, m.reopen.pct) == (1, 3, 33.3)
    assert m.avg_days == round_half_up((2 + 1 + 4) / 3)  # 2.3
    assert m.overdue == 2
    report = await service(db, clock).week(W47)
    assert [i.ticket_id for i in report.issues] == [c, over, watched]
    assert report.cadres[0].metrics.overdue == 2
    # No verdicts yet: the score is the response rate alone (weights rescaled).
    assert m.score == 33.3


def test_composite_uses_configured_weights() -> None:
    weights = Weights(response=0.30, solved=0.35, satisfaction=0.35)
    # 0.3*80 + 0.35*90 + 0.35*100 = 90.5
    assert composite(weights, Rate(4, 5), Rate(9, 10), Rate(1, 1)) == 90.5
    assert composite(Weights(1, 0, 0), Rate(4, 5), Rate(9, 10), Rate(1, 1)) == 80.0
    assert composite(weights, Rate(0, 0), Rate(0, 0), Rate(0, 0)) is None


async def test_as_of_is_now_before_the_airing(db: Database, clock: FixedClock) -> None:
    svc = service(db, clock)
    this_week = parse_week("2026-W48", TZ)
    assert svc.as_of(this_week) == clock.now()
    clock.advance(timedelta(days=30))
    assert svc.as_of(W47) == park(23, 9)
