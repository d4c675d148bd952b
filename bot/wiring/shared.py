"""The part of the container that needs no transport: calendar, metrics, ledger, roster, invites.

Shared by `bot.wiring.bot` (the bot), `bot.offload.ledger_child` (a child process that reads and
renders a ledger) and the command line (roster import, invitations), so each builds the same
services without importing Telegram or the charts. Nothing else constructs a service.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.domain.outcomes import Publish, discard
from bot.domain.work_calendar import WorkCalendar
from bot.services.ledger import LedgerService
from bot.services.metrics import MetricsService, Weights
from bot.services.onboarding import OnboardingService
from bot.services.people import PeopleService
from bot.services.recipients import Recipients
from storage.db import Database
from storage.unit import Repositories

if TYPE_CHECKING:
    from bot.services.roster.service import RosterService


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
    settings: Settings, repos: Repositories, clock: Clock, calendar: WorkCalendar
) -> MetricsService:
    """The metrics from the [airing] section (weights, the week's report time)."""
    config = settings.airing
    hour, minute = (int(part) for part in config.post_time.split(":"))
    return MetricsService(
        repos,
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


def ledger_parts(
    settings: Settings, db: Database, clock: Clock
) -> tuple[PeopleService, LedgerService]:
    """Who asks (people) and the ledger, for a process that only renders ledgers."""
    repos = Repositories(db)
    metrics = metrics_service(settings, repos, clock, work_calendar(settings))
    people = PeopleService(repos, clock, config_admins=settings.park.admins)
    return people, LedgerService(repos, clock, metrics, park_name=settings.park.name)


def roster_service(settings: Settings, db: Database, clock: Clock) -> RosterService:
    """The roster import within the [roster] limits, for the command line and the demo."""
    # Here, not at the top: the ledger's child process never reads a roster (opencc, difflib).
    from bot.services.roster.limits import RosterLimits
    from bot.services.roster.service import RosterService

    limits = RosterLimits(settings.roster.max_file_mb, settings.roster.max_rows)
    return RosterService(Repositories(db), clock, limits=limits)


def recipients_from(settings: Settings, db: Database) -> Recipients:
    """Who is told: the duty desk as [park] admins and admin_chat_id say, people and groups."""
    return Recipients(
        Repositories(db),
        config_admins=settings.park.admins,
        admin_chat_id=settings.park.admin_chat_id,
    )


def onboarding_service(
    settings: Settings, db: Database, clock: Clock, *, publish: Publish = discard
) -> OnboardingService:
    """Invitations with the configured validity, for the bot (which tells the desk of refused
    invitations and upgraded groups), the command line and the demo."""
    return OnboardingService(
        Repositories(db),
        clock,
        invite_valid_days=settings.tickets.invite_valid_days,
        recipients=recipients_from(settings, db),
        publish=publish,
    )
