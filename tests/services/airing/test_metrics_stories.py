"""Property: for generated stories, every figure equals an independent count over the story.

Hypothesis draws tickets and their steps (report, claim, contact, progress, resolve, rate,
transfer) over two weeks around W47; the story is played through the real services; the oracle
below recomputes the figures from the scripted steps alone (what happened when; 按期 against the
deadline in force at each resolve: the report's, or a later reopen's fresh one), and the
MetricsService's week must agree for the park and for every cadre.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.domain.deadlines import DeadlineRules, due_dates
from bot.domain.models import Ticket
from bot.domain.work_calendar import WorkCalendar
from bot.services.metrics import Metrics, Rate, parse_week
from storage.open import open_database
from tests.databases import scratch_url
from tests.story import TZ, Step, Story, TicketScript, park

W47 = parse_week("2026-W47", TZ)
CADRES = ["甲", "乙", "丙"]
SOLVED = ["solved", "partly", "unsolved"]
HAPPY = ["satisfied", "basic", "dissatisfied"]
MOVES = {
    "new": ["claim", "transfer"],
    "claimed": ["contact", "progress", "resolve", "transfer"],
    "contacted": ["progress", "resolve", "transfer"],
    "in_progress": ["contact", "progress", "resolve", "transfer"],
    "resolved": ["rate"],
}
Plan = tuple[str, datetime, list[tuple[str, int, tuple[str, ...]]]]


@st.composite
def plans(draw: st.DrawFn) -> list[Plan]:
    """Tickets: (cadre, report time, [(verb, hours after the previous step, args)])."""
    found: list[Plan] = []
    for _ in range(draw(st.integers(1, 7))):
        first = owner = draw(st.sampled_from(CADRES))
        reported = park(9, 9) + timedelta(hours=draw(st.integers(0, 24 * 14)))
        status, steps = "new", []
        for _ in range(draw(st.integers(0, 7))):
            if status not in MOVES:
                break
            verb = draw(st.sampled_from(MOVES[status]))
            hours = draw(st.integers(1, 40))
            args: tuple[str, ...] = ()
            if verb == "transfer":
                owner = draw(st.sampled_from([c for c in CADRES if c != owner]))
                args, status = (owner,), "new"
            elif verb == "rate":
                args = (draw(st.sampled_from(SOLVED)), draw(st.sampled_from(HAPPY)))
                status = "in_progress" if "unsolved" in args or "dissatisfied" in args else "closed"
            else:
                status = {"claim": "claimed", "resolve": "resolved"}.get(verb, status)
                status = "contacted" if verb == "contact" and status == "claimed" else status
                status = "in_progress" if verb == "progress" else status
            steps.append((verb, hours, args))
        found.append((first, reported, steps))
    return found


@dataclass
class Expected:
    received: int = 0
    closed: int = 0
    due: int = 0
    responded: int = 0
    resolved: int = 0
    in_time: int = 0
    resolved_once: int = 0
    reopened: int = 0
    verdicts: list[tuple[str, str]] = field(default_factory=list)
    tickets: set[int] = field(default_factory=set)


def oracle(scripts: list[TicketScript], as_of: datetime) -> dict[int | None, Expected]:
    """Count each figure from the scripted steps, per final assignee (None: the park)."""
    start, end = W47.start, W47.end
    found: dict[int | None, Expected] = defaultdict(Expected)
    for script in scripts:
        assert script.view is not None
        ticket = script.view.ticket
        steps = [s for s in script.steps if s.at <= as_of]
        inside = [s for s in steps if start <= s.at < end]
        ratings = [s for s in steps if s.verb == "rate"]
        reopens = [s for s in ratings if {"unsolved", "dissatisfied"} & {*s.args}]
        states = [s for s in steps if s.verb == "resolve" or s in reopens]
        resolved = bool(states) and states[-1].verb == "resolve"
        since_transfer = steps
        transfers = [i for i, s in enumerate(steps) if s.verb == "transfer"]
        if transfers:
            since_transfer = steps[transfers[-1] + 1 :]
        answers = [s.at for s in since_transfer if s.verb in ("contact", "progress", "resolve")]
        due = ticket.response_due_at
        assert due is not None
        counts: list[Expected] = [found[None], found[ticket.assignee_id]]
        for e in counts:
            if start <= script.steps[0].at < end:
                e.received += 1
                e.closed += resolved
                e.tickets.add(ticket.id)
            moment = min(due, answers[0]) if answers else due
            if start <= moment < end and moment <= as_of:
                e.due += 1
                e.responded += bool(answers) and answers[0] <= due
                e.tickets.add(ticket.id)
            if resolved and start <= states[-1].at < end:
                e.resolved += 1
                e.in_time += states[-1].at <= in_force(ticket, steps, states[-1])
                e.tickets.add(ticket.id)
            once = any(s.verb == "resolve" for s in inside)
            again = any(s in reopens for s in inside)
            if once or again:
                e.resolved_once += once
                e.reopened += again
                e.tickets.add(ticket.id)
            if ratings and start <= ratings[-1].at < end:
                e.verdicts.append(ratings[-1].args)  # type: ignore[arg-type]
                e.tickets.add(ticket.id)
    return found


def in_force(ticket: Ticket, steps: list[Step], resolve: Step) -> datetime:
    """The resolution deadline when `resolve` was made: set at the report, and afresh (never
    earlier) by each reopen before it, by the deadline rules of a new ticket."""

    def rule(start: datetime) -> datetime:
        due = due_dates(
            DeadlineRules(),
            WorkCalendar(TZ),
            start,
            kind=ticket.kind,
            category=ticket.category,
            urgency=ticket.urgency,
        )
        return due.deadline_at

    deadline = rule(steps[0].at)
    for step in steps[: steps.index(resolve)]:
        if step.verb == "rate" and {"unsolved", "dissatisfied"} & {*step.args}:
            deadline = max(deadline, rule(step.at))
    return deadline


def half_up(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def check(metrics: Metrics, e: Expected) -> None:
    rated = len(e.verdicts)
    solved = sum(s == "solved" for s, _ in e.verdicts)
    happy = sum(h in ("satisfied", "basic") for _, h in e.verdicts)
    assert metrics.received == e.received
    assert metrics.closure == Rate(e.closed, e.received)
    assert metrics.response == Rate(e.responded, e.due)
    assert metrics.on_time == Rate(e.in_time, e.resolved)
    assert metrics.reopen == Rate(e.reopened, e.resolved_once)
    assert metrics.solved == Rate(solved, rated)
    assert metrics.satisfaction == Rate(happy, rated)
    assert metrics.partly == Rate(sum(s == "partly" for s, _ in e.verdicts), rated)
    assert metrics.sample == len(e.tickets)
    parts = [
        (Fraction(30, 100), Fraction(e.responded, e.due) if e.due else None),
        (Fraction(35, 100), Fraction(solved, rated) if rated else None),
        (Fraction(35, 100), Fraction(happy, rated) if rated else None),
    ]
    present = [(w, v) for w, v in parts if v is not None]
    if not present:
        assert metrics.score is None
    else:
        weight = sum(w for w, _ in present)
        assert metrics.score == half_up(sum(w * v * 100 for w, v in present) / weight)


async def play_and_check(plan: list[Plan]) -> None:
    db = open_database(scratch_url())
    await db.connect()
    try:
        clock = FixedClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
        story = await Story.open(db, clock, cadres=CADRES)
        for owner, reported, steps in plan:
            script = story.report(owner, reported)
            at = reported
            for verb, hours, args in steps:
                at += timedelta(hours=hours)
                getattr(script, verb)(at, *args)
        await story.play()
        report = await story.services.metrics.week(W47)
        expected = oracle(story.tickets, report.as_of)
        check(report.park, expected[None])
        ids = {name: await story.cadre_id(name) for name in CADRES}
        for cadre in report.cadres:
            assert cadre.cadre_id in ids.values()
            check(cadre.metrics, expected[cadre.cadre_id])
        assert len(report.cadres) == len(CADRES)
    finally:
        await db.close()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans())
def test_every_figure_matches_the_story(plan: list[Plan]) -> None:
    asyncio.run(play_and_check(plan))
