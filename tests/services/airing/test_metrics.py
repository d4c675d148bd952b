"""Metrics against hand-computed cases, the history played through the real services.

The clock is Wed 2026-11-25 10:00, so W47 (16-22 Nov) is reported as of Mon 23 Nov 09:00.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FixedClock
from bot.domain.work_calendar import WorkCalendar
from bot.errors import InvalidInput
from bot.services.metrics import (
    MetricsService,
    Rate,
    Weights,
    composite,
    parse_week,
    round_half_up,
)
from storage.db import Database
from storage.unit import Repositories
from tests.story import TZ, Story, park

W47 = parse_week("2026-W47", TZ)


def service(db: Database, clock: FixedClock, **kw: object) -> MetricsService:
    return MetricsService(Repositories(db), clock, WorkCalendar(TZ), **kw)  # type: ignore[arg-type]


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
    story = await Story.open(db, clock, cadres=["陈志远"])
    for i in range(88):
        story.report("陈志远", park(16 + i % 5, 9)).claim(park(16 + i % 5, 10)).resolve(
            park(20, 17)
        )
    # Resolved, reopened and resolved again before the report: counts.
    twice = story.report("陈志远", park(17)).claim(park(17, 11)).resolve(park(18))
    twice.rate(park(19), "unsolved", "dissatisfied").resolve(park(20))
    # Resolved on Friday, reopened on Tuesday after the report: resolved as of the report.
    later = story.report("陈志远", park(18)).claim(park(18, 11)).resolve(park(20))
    later.rate(park(24), "solved", "dissatisfied")
    # Resolved then reopened before the report: not resolved.
    story.report("陈志远", park(18)).claim(park(18, 11)).resolve(park(19)).rate(
        park(20), "unsolved", "basic"
    )
    # Resolved only after the report: not counted.
    story.report("陈志远", park(19)).claim(park(19, 11)).resolve(park(24))
    # Earlier this year: 8 received, 8 resolved; a ticket of next week is not in the figures.
    for _ in range(8):
        story.report("陈志远", park(10, month=3)).claim(park(10, 11, month=3)).resolve(
            park(12, month=3)
        )
    story.report("陈志远", park(24))
    await story.play()

    report = await story.services.metrics.week(W47)
    assert report.as_of == park(23, 9)
    assert report.park.received == 92
    assert (report.park.closure.num, report.park.closure.pct) == (90, 97.8)
    assert (report.park.closure_ytd.num, report.park.closure_ytd.den) == (98, 100)
    assert report.park.closure_ytd.pct == 98.0
    [cadre] = report.cadres
    assert cadre.name == "陈志远" and cadre.metrics.closure.pct == 97.8


async def test_second_rating_counts_basic_is_satisfied_and_unrated_is_not(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    # First rating 未解决/不满意 reopens; resolved again, the second rating 已解决/满意 counts.
    twice = story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(17))
    twice.rate(park(17, 12), "unsolved", "dissatisfied").resolve(park(18))
    twice.rate(park(18, 12), "solved", "satisfied")
    partly = story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(17))
    partly.rate(park(19), "partly", "basic")  # 基本满意 is satisfied
    # Resolved on the 9th, closed unrated a week later (未评价: neither solved nor satisfied).
    story.report("陈志远", park(2)).claim(park(2, 11)).resolve(park(9))
    story.close_unrated(park(16, 11))
    # Rated after the report time: not part of W47.
    late = story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(20))
    late.rate(park(23, 11), "solved", "satisfied")
    await story.play()

    m = (await story.services.metrics.week(W47)).park
    assert (m.solved.num, m.solved.den) == (1, 3)  # the twice-rated ticket counts once, solved
    assert (m.partly.num, m.partly.den) == (1, 3)
    assert (m.satisfaction.num, m.satisfaction.den) == (2, 3)  # 满意 + 基本满意; 未评价 is not
    assert m.satisfaction.pct == 66.7
    assert (m.strict_satisfaction.num, m.strict_satisfaction.pct) == (1, 33.3)
    assert m.unrated == 1


async def test_all_solved_and_satisfied_is_100_percent(db: Database, clock: FixedClock) -> None:
    """The issue's first finding: five tickets rated 已解决/满意 showed 0.0 %."""
    story = await Story.open(db, clock, cadres=["陈志远"])
    for day in range(16, 21):
        ticket = story.report("陈志远", park(day, 9)).claim(park(day, 10)).contact(park(day, 11))
        ticket.resolve(park(day, 15)).rate(park(day, 16), "solved", "satisfied")
    await story.play()
    [cadre] = (await story.services.metrics.week(W47)).cadres
    m = cadre.metrics
    assert (m.solved.pct, m.satisfaction.pct, m.closure.pct, m.response.pct) == (100,) * 4
    assert m.score == 100.0


async def test_response_on_time_reopen_days_overdue_and_score(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    # An ORDINARY report is due for contact by 18:00 the next working day and resolved within
    # 5 working days (18:00). 响应率: three reported Mon 10:00, due Tue 18:00.
    ok = story.report("陈志远", park(16, 10)).claim(park(16, 11)).contact(park(17, 9))
    late = story.report("陈志远", park(16, 10)).claim(park(16, 11)).contact(park(18, 9))
    silent = story.report("陈志远", park(16, 10))
    # Reported, answered and rated the week before: not in W47 at all.
    done = story.report("陈志远", park(9, 10)).claim(park(9, 11)).contact(park(9, 12))
    done.resolve(park(12)).rate(park(12, 12), "solved", "satisfied")
    # 按期: Mon->Wed before the deadline (2 working days, response in time).
    a = story.report("陈志远", park(16, 9)).claim(park(16, 10)).contact(park(16, 11))
    a.resolve(park(18, 10))
    # Fri 13th (deadline Fri 20th, contact due Mon 16th 18:00), extended by 3 working days,
    # resolved Mon (1 working day).
    b = story.report("陈志远", park(13, 9)).claim(park(13, 10)).contact(park(13, 11))
    b.extend(park(15), 3).resolve(park(16, 10))
    # Mon 9th (deadline Mon 16th 18:00), resolved late on Fri 20th (9 working days), reopened
    # on Sat 21st with a fresh deadline (Fri 27th).
    c = story.report("陈志远", park(9, 9)).claim(park(9, 10)).contact(park(9, 11))
    c.resolve(park(20, 10)).rate(park(21, 10), "unsolved", "dissatisfied")
    # Open and overdue now (deadline Mon 23rd); supervised but not yet due (deadline 27th).
    over = story.report("陈志远", park(16, 9)).claim(park(16, 10)).contact(park(16, 11))
    watched = story.report("陈志远", park(20, 9)).claim(park(20, 10)).contact(park(20, 11))
    watched.supervise(park(20, 12))
    await story.play()

    report = await story.services.metrics.week(W47)
    m = report.park
    # A ticket counts once its response fell due or was given, whichever came first: due in W47
    # ok, late, silent, a, over; answered in W47 before falling due on Mon 23rd: watched; b was
    # answered on the 13th (W46) although due on the 16th. In time: ok, a, over, watched.
    assert (m.response.num, m.response.den, m.response.pct) == (4, 6, 66.7)
    # c was resolved late, then reopened: it is not resolved, so not in 按期 (a, b on time).
    assert (m.on_time.num, m.on_time.den, m.on_time.pct) == (2, 2, 100.0)
    # Reopened in W47 (c) over resolved at least once in W47 (a, b, c).
    assert (m.reopen.num, m.reopen.den, m.reopen.pct) == (1, 3, 33.3)
    assert m.avg_days == round_half_up((2 + 1) / 2)
    # Overdue now (Wed 25th): c is not, its fresh deadline runs to Fri 27th.
    overdue = [over, ok, late, silent]
    assert m.overdue == len(overdue)
    assert [i.ticket_id for i in report.issues] == [t.id for t in [*overdue, watched]]
    assert report.cadres[0].metrics.overdue == len(overdue)
    # c's reopening verdict is the week's only one: 解决 0 %, 满意 0 %.
    assert (m.solved.den, m.solved.num, m.satisfaction.num) == (1, 0, 0)
    assert m.score == round_half_up(Decimal("0.3") * Decimal(400) / Decimal(6))  # 20.0


async def test_each_resolve_is_judged_by_the_deadline_in_force_when_it_was_made(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    # Mon 9th (deadline Mon 16th 18:00), resolved late on Fri 20th; reopened on Tue 24th after
    # W47 was aired, with a fresh deadline (5 working days: Tue 1 Dec), resolved again Thu 26th.
    ticket = story.report("陈志远", park(9, 9)).claim(park(9, 10)).contact(park(9, 11))
    ticket.resolve(park(20, 10)).rate(park(24, 10), "unsolved", "dissatisfied")
    ticket.resolve(park(26, 10))
    await story.play()
    assert ticket.view is not None and ticket.view.ticket.deadline_at > park(26, 10)
    clock.set(park(2, 10, month=12))  # both weeks aired

    first = (await story.services.metrics.week(W47)).park
    second = (await story.services.metrics.week(W47.shifted(1))).park
    # Late in W47 against the deadline then in force, although the ticket's deadline moved since.
    assert (first.on_time.num, first.on_time.den) == (0, 1)
    assert (second.on_time.num, second.on_time.den) == (1, 1)
    assert (second.reopen.num, second.reopen.den) == (1, 1)


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


async def test_response_by_any_means_and_a_transfer_restarts_the_window(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远", "王晓峰"])
    # Progress before 已联系 (the issue's case): the progress note is the response.
    noted = story.report("陈志远", park(16)).claim(park(16, 11)).progress(park(16, 12))
    noted.contact(park(18))  # recorded later from 办理中: changes nothing, the note came first
    # Resolved straight away: the resolution is the response.
    story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(17, 9))
    # Contacted by 陈志远, then transferred: 王晓峰 owes his own response, and never gives it.
    moved = story.report("陈志远", park(16)).claim(park(16, 11)).contact(park(16, 12))
    moved.transfer(park(16, 13), "王晓峰")
    await story.play()
    report = await story.services.metrics.week(W47)
    by_name = {c.name: c.metrics for c in report.cadres}
    assert (by_name["陈志远"].response.num, by_name["陈志远"].response.den) == (2, 2)
    assert (by_name["王晓峰"].response.num, by_name["王晓峰"].response.den) == (0, 1)
    assert noted.view is not None and noted.view.ticket.status.value == "in_progress"


async def test_every_roster_cadre_is_reported_and_left_out_components_are_named(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远", "王晓峰", "李静"])
    story.report("陈志远", park(16)).claim(park(16, 11)).contact(park(16, 12))
    await story.play()
    report = await story.services.metrics.week(W47)
    # The leader (黄振华) owns nothing and is not a cadre: not listed. Idle cadres are, with 0.
    assert [(c.name, c.metrics.sample) for c in report.cadres] == [
        ("李静", 0),
        ("王晓峰", 0),
        ("陈志远", 1),
    ]
    chen = report.cadres[2].metrics
    assert chen.score == 100.0 and chen.omitted == ("solved", "satisfaction")
    idle = report.cadres[0].metrics
    assert idle.score is None and idle.omitted == ("response", "solved", "satisfaction")


async def test_reopen_rate_counts_a_reopen_of_last_weeks_resolution(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    # Resolved on Friday of W46, rated 未解决 on Monday of W47: reopened in W47.
    story.report("陈志远", park(11)).claim(park(11, 11)).resolve(park(13)).rate(
        park(16), "unsolved", "basic"
    )
    story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(17))
    await story.play()
    m = (await story.services.metrics.week(W47)).park
    assert (m.reopen.num, m.reopen.den) == (1, 1)  # reopened in W47 / resolved in W47
    assert (m.on_time.num, m.on_time.den) == (1, 1)  # only the ticket resolved for good
