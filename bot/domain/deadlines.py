"""Deadline rules: when a ticket must be claimed, its enterprise contacted, and it resolved.

Pure computation on the working calendar, so every rule is tested without a database. Precedence
of the resolution rule: urgency (紧急 in clock hours, 复杂 in working days), then kind (咨询),
then category, then the ordinary default. Claim and contact deadlines never fall after the
resolution deadline (an emergency is not allowed two working hours just to be signed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.work_calendar import WorkCalendar


@dataclass(frozen=True)
class DeadlineRules:
    """Every deadline setting; the defaults are the published practice (domain.md)."""

    resolve_working_days: int = 5  # ordinary problems
    claim_working_hours: float = 2.0  # 签收
    response_working_days: int = 1  # 联系企业
    complex_working_days: int = 15  # urgency "complex"
    urgent_hours: float = 24.0  # urgency "urgent": clock hours, nights and weekends included
    kind_working_days: Mapping[str, int] = field(default_factory=lambda: {"question": 1})
    category_working_days: Mapping[str, int] = field(default_factory=dict)
    # Reminder leads before each deadline, in working time.
    remind_claim_minutes: int = 30
    remind_response_hours: float = 2.0
    remind_resolve_hours: float = 2.0
    # Level 2 (堵点清单) after this many overdue chases, or this many reworks (重办).
    level2_chases: int = 2
    level2_reworks: int = 2
    max_extension_days: int = 15


@dataclass(frozen=True)
class DueDates:
    claim_due_at: datetime
    response_due_at: datetime
    deadline_at: datetime  # resolution


def resolution_rule(rules: DeadlineRules, *, kind: str, category: str, urgency: str) -> str:
    """Name the rule that sets the resolution deadline (for tests and the card)."""
    if urgency == "urgent":
        return "urgent"
    if urgency == "complex":
        return "complex"
    if kind in rules.kind_working_days:
        return f"kind:{kind}"
    if category in rules.category_working_days:
        return f"category:{category}"
    return "ordinary"


def due_dates(
    rules: DeadlineRules,
    calendar: WorkCalendar,
    start: datetime,
    *,
    kind: str,
    category: str,
    urgency: str,
) -> DueDates:
    """Compute the three deadlines of a ticket reported (or handed over) at `start`.

    Args:
        rules: the configured deadline rules.
        calendar: the park's working calendar.
        start: when the clock starts (the report, or a transfer for the claim deadline).
        kind, category, urgency: the ticket's classification codes.

    Returns:
        The claim, contact (response) and resolution deadlines, as aware datetimes.
    """
    rule = resolution_rule(rules, kind=kind, category=category, urgency=urgency)
    if rule == "urgent":
        deadline = start + timedelta(hours=rules.urgent_hours)
    elif rule == "complex":
        deadline = calendar.add_working_days(start, rules.complex_working_days)
    elif rule.startswith("kind:"):
        deadline = calendar.add_working_days(start, rules.kind_working_days[kind])
    elif rule.startswith("category:"):
        deadline = calendar.add_working_days(start, rules.category_working_days[category])
    else:
        deadline = calendar.add_working_days(start, rules.resolve_working_days)
    claim = calendar.shift_working(start, timedelta(hours=rules.claim_working_hours))
    response = calendar.add_working_days(start, rules.response_working_days)
    return DueDates(
        claim_due_at=min(claim, deadline),
        response_due_at=min(response, deadline),
        deadline_at=deadline,
    )
