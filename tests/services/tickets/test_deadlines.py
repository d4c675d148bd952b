"""Working days and hours, config extras, and every deadline rule, with injected time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.domain.deadlines import DeadlineRules, due_dates, resolution_rule
from bot.domain.work_calendar import WorkCalendar
from bot.wiring.bot import deadline_rules_from

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_working_days_skip_national_day_and_count_the_swapped_saturday() -> None:
    calendar = WorkCalendar(TZ)
    # Wed 30 Sep; 1-7 Oct are holidays; Thu 8 and Fri 9 work; Sat 10 Oct is a 调休 working day.
    assert calendar.add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 18)
    assert calendar.add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 18)
    assert calendar.add_working_days(at(2026, 9, 30, 10), 4) == at(2026, 10, 12, 18)
    assert calendar.fallback_years == set()


def test_working_days_between_counts_as_the_deadlines_do() -> None:
    calendar = WorkCalendar(TZ)
    start = at(2026, 9, 30, 10)
    for days in (1, 3, 4):  # the count back from each deadline above is its own number
        assert calendar.working_days_between(start, calendar.add_working_days(start, days)) == days
    assert calendar.working_days_between(at(2026, 10, 8, 18), at(2026, 10, 8, 20)) == 0
    assert calendar.working_days_between(at(2026, 10, 9), at(2026, 10, 1)) == 0
    # Asked again (the airing asks once per overdue ticket), the same answer.
    assert calendar.working_days_between(start, at(2026, 10, 12, 9)) == 4


def test_working_hours_roll_over_nights_weekends_and_holidays() -> None:
    calendar = WorkCalendar(TZ)
    two = timedelta(hours=2)
    assert calendar.shift_working(at(2026, 11, 25, 10), two) == at(2026, 11, 25, 12)
    assert calendar.shift_working(at(2026, 11, 25, 17), two) == at(2026, 11, 26, 10)
    assert calendar.shift_working(at(2026, 11, 25, 21), two) == at(2026, 11, 26, 11)
    assert calendar.shift_working(at(2026, 11, 27, 17), two) == at(2026, 11, 30, 10)  # Fri
    assert calendar.shift_working(at(2026, 9, 30, 17), two) == at(2026, 10, 8, 10)  # holiday
    assert calendar.shift_working(at(2026, 10, 9, 17), two) == at(2026, 10, 10, 10)  # 调休 Sat
    # Backwards, for reminder leads.
    assert calendar.shift_working(at(2026, 11, 30, 10), -two) == at(2026, 11, 27, 17)
    assert calendar.working_day_start_after(at(2026, 9, 30, 18)) == at(2026, 10, 8, 9)


def test_config_extras_and_hours() -> None:
    calendar = WorkCalendar(
        TZ,
        extra_holidays=frozenset({date(2026, 11, 26)}),
        extra_workdays=frozenset({date(2026, 11, 28)}),
        work_start=datetime(2026, 1, 1, 8, 30).time(),
        work_end=datetime(2026, 1, 1, 17, 30).time(),
    )
    assert not calendar.is_workday(date(2026, 11, 26))
    assert calendar.is_workday(date(2026, 11, 28))  # a Saturday made a workday
    assert calendar.add_working_days(at(2026, 11, 25, 10), 1) == at(2026, 11, 27, 17, 30)
    assert calendar.add_working_days(at(2026, 11, 25, 10), 2) == at(2026, 11, 28, 17, 30)
    assert calendar.shift_working(at(2026, 11, 25, 17), timedelta(hours=1)) == at(2026, 11, 27, 9)


def test_calendar_config_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[calendar]\nextra_holidays = ["2026-12-31"]\nextra_workdays = []\n', "utf-8")
    settings = load_settings(path)
    assert settings.calendar.extra_holidays == [date(2026, 12, 31)]
    for text, key in (
        ('[calendar]\nextra_holidays = ["2026-13-01"]\n', "calendar.extra_holidays"),
        (
            '[calendar]\nextra_holidays = ["2026-12-31"]\nextra_workdays = ["2026-12-31"]\n',
            "both an extra holiday and an extra workday",
        ),
        ('[calendar]\nwork_start = "18:00"\nwork_end = "09:00"\n', "work_start"),
        ("[deadlines]\nkind_working_days = { question = 1, riddle = 2 }\n", "riddle"),
        ("[deadlines]\ncategory_working_days = { land = 0 }\n", "between 1 and 120"),
    ):
        path.write_text(text, "utf-8")
        with pytest.raises(ConfigError) as caught:
            load_settings(path)
        assert key in str(caught.value), text


def test_past_the_library_falls_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar(TZ)
    assert calendar.covers(2026) and not calendar.covers(2027)
    assert calendar.is_workday(date(2027, 3, 5))  # a Friday
    assert not calendar.is_workday(date(2027, 3, 6))
    assert calendar.fallback_years == {2027}


@pytest.mark.parametrize(
    ("kind", "category", "urgency", "rule", "deadline"),
    [
        ("help", "utilities", "normal", "ordinary", at(2026, 12, 2, 18)),  # 5 working days
        ("question", "policy", "normal", "kind:question", at(2026, 11, 26, 18)),  # 咨询: 1 day
        ("help", "land", "normal", "category:land", at(2026, 12, 4, 18)),  # configured: 7
        ("help", "land", "complex", "complex", at(2026, 12, 16, 18)),  # 15 working days
        ("question", "safety", "urgent", "urgent", at(2026, 11, 26, 10)),  # 24 clock hours
    ],
)
def test_every_resolution_rule(
    kind: str, category: str, urgency: str, rule: str, deadline: datetime
) -> None:
    rules = DeadlineRules(category_working_days={"land": 7})
    assert resolution_rule(rules, kind=kind, category=category, urgency=urgency) == rule
    due = due_dates(
        rules,
        WorkCalendar(TZ),
        at(2026, 11, 25, 10),
        kind=kind,
        category=category,
        urgency=urgency,
    )
    assert due.deadline_at == deadline
    assert due.claim_due_at == at(2026, 11, 25, 12)  # sign within 2 working hours
    assert due.response_due_at == min(at(2026, 11, 26, 18), deadline)  # contact: 1 working day


def test_sign_and_contact_deadlines_count_working_time_and_never_pass_the_deadline() -> None:
    calendar = WorkCalendar(TZ)
    friday_evening = at(2026, 11, 27, 17, 30)
    due = due_dates(
        DeadlineRules(), calendar, friday_evening, kind="help", category="other", urgency="normal"
    )
    assert due.claim_due_at == at(2026, 11, 30, 10, 30)
    assert due.response_due_at == at(2026, 11, 30, 18)
    tight = DeadlineRules(urgent_hours=1)
    due = due_dates(
        tight, calendar, friday_evening, kind="help", category="other", urgency="urgent"
    )
    assert due.deadline_at == due.claim_due_at == due.response_due_at == at(2026, 11, 27, 18, 30)


def test_rules_come_from_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        "[tickets]\nresolve_working_days = 7\n[deadlines]\nclaim_working_hours = 1\n"
        "urgent_hours = 12\ncategory_working_days = { finance = 10 }\n",
        "utf-8",
    )
    rules = deadline_rules_from(load_settings(path))
    assert (rules.resolve_working_days, rules.claim_working_hours, rules.urgent_hours) == (7, 1, 12)
    assert rules.category_working_days == {"finance": 10}
    assert rules.kind_working_days == {"question": 1}
