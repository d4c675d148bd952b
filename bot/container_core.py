"""The part of the container that needs no transport: the working calendar and the metrics.

Shared by `bot.container` (the bot) and `bot.offload.ledger_child` (a child process that reads
and renders a ledger), so the child builds the same services without importing Telegram or the
charts.
"""

from __future__ import annotations

from datetime import time

from bot.clock import Clock
from bot.config import Settings
from bot.services.calendar import WorkCalendar
from bot.services.metrics import MetricsService, Weights
from storage.db import Database


def work_calendar(settings: Settings) -> WorkCalendar:
    """The park's working calendar from [park] tz and the [calendar] section."""
    return WorkCalendar(
        settings.park.tz,
        extra_holidays=frozenset(settings.calendar.extra_holidays),
        extra_workdays=frozenset(settings.calendar.extra_workdays),
        work_start=settings.calendar.work_start,
        work_end=settings.calendar.work_end,
    )


def metrics_service(
    settings: Settings, db: Database, clock: Clock, calendar: WorkCalendar
) -> MetricsService:
    """The metrics from the [airing] section (weights, the week's report time)."""
    config = settings.airing
    hour, minute = (int(part) for part in config.post_time.split(":"))
    return MetricsService(
        db,
        clock,
        calendar,
        weights=Weights(
            response=config.weights.response,
            solved=config.weights.solved,
            satisfaction=config.weights.satisfaction,
        ),
        report_weekday=config.weekday,
        report_time=time(hour, minute),
    )
