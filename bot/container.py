"""Build the services from the settings: one database, one clock, every service wired once.

Called by the composition root (bot/app.py); it imports services and storage, never handlers.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.container_core import metrics_service, work_calendar
from bot.context import Services
from bot.delivery.outbox import Outbox
from bot.domain.recruiting import JobRules
from bot.notify.airing import AiringPublisher
from bot.notify.deadlines import DeadlineNotifier
from bot.notify.logistics import LogisticsNotifier
from bot.notify.recruiting import JobNotifier
from bot.notify.tickets import Notifier
from bot.render.chart import ChartRenderer, render_chart
from bot.services.airing import AiringService
from bot.services.briefs import BriefService
from bot.services.calendar import WorkCalendar
from bot.services.dashboard import DashboardService
from bot.services.deadlines import DeadlineRules
from bot.services.deferred import DeferredWork
from bot.services.escalation import EscalationService
from bot.services.extensions import ExtensionService
from bot.services.ledger import LedgerService
from bot.services.logistics.drafts import DraftService
from bot.services.logistics.service import LogisticsRules, LogisticsService
from bot.services.metrics import MetricsService
from bot.services.onboarding import OnboardingService
from bot.services.people import PeopleService
from bot.services.private_reports import PrivateReportService
from bot.services.reachability import ReachabilityService
from bot.services.recruiting.drafts import JobDraftService
from bot.services.recruiting.posts import JobService
from bot.services.tickets import TicketRules, TicketService
from storage.db import Database


def build_services(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    chart_renderer: ChartRenderer = render_chart,
) -> Services:
    """Build every service on one database and one clock.

    `chart_renderer` draws the airing chart; tests pass one with a fixed font, so what they
    assert does not depend on the fonts installed on the machine.
    """
    calendar = work_calendar(settings)
    deadline_rules = deadline_rules_from(settings)
    outbox = Outbox(db, clock)
    rules = TicketRules(
        resolve_working_days=settings.tickets.resolve_working_days,
        rating_window_days=settings.tickets.rating_window_days,
        category_keywords=settings.tickets.category_keywords,
        kind_keywords=settings.tickets.kind_keywords,
        urgent_keywords=settings.tickets.urgent_keywords,
        deadlines=deadline_rules,
    )
    tickets = TicketService(db, clock, calendar, rules)
    reachability = ReachabilityService(db, clock, calendar)
    notifier = Notifier(db, outbox, settings, reachability)
    metrics, airing = airing_services(settings, db, clock, calendar)
    escalation = EscalationService(db, clock, calendar, deadline_rules, tickets)
    ledger = LedgerService(db, clock, metrics, park_name=settings.park.name)
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        calendar=calendar,
        people=PeopleService(db, clock, config_admins=settings.park.admins),
        tickets=tickets,
        onboarding=OnboardingService(
            db, clock, invite_valid_days=settings.tickets.invite_valid_days
        ),
        outbox=outbox,
        notifier=notifier,
        extensions=ExtensionService(db, clock, calendar, deadline_rules, tickets),
        escalation=escalation,
        briefs=BriefService(db, clock, calendar, tickets, brief_time=settings.deadlines.brief_time),
        deadline_notifier=DeadlineNotifier(notifier),
        metrics=metrics,
        airing=airing,
        publisher=AiringPublisher(
            db, clock, airing, outbox, notifier, settings, chart_renderer=chart_renderer
        ),
        ledger=ledger,
        deferred=DeferredWork(db, clock, ledger),
        private_reports=PrivateReportService(tickets),
        reachability=reachability,
        dashboard=DashboardService(db, clock, metrics, airing, escalation, tickets),
        **job_services(settings, db, clock, outbox),
        **logistics_services(settings, db, clock, outbox),
    )


def logistics_services(
    settings: Settings, db: Database, clock: Clock, outbox: Outbox
) -> dict[str, Any]:
    """The logistics exchange services from the [logistics] section."""
    config = settings.logistics
    rules = LogisticsRules(
        top_matches=config.top_matches,
        max_days_ahead=config.max_days_ahead,
        draft_valid_hours=config.draft_valid_hours,
    )
    logistics = LogisticsService(db, clock, settings.park.tz, rules)
    return {
        "logistics": logistics,
        "logistics_drafts": DraftService(logistics),
        "logistics_notifier": LogisticsNotifier(db, outbox, settings),
    }


def job_services(settings: Settings, db: Database, clock: Clock, outbox: Outbox) -> dict[str, Any]:
    """The job-post services from the [jobs] section."""
    config = settings.jobs
    words = config.words.model_dump()
    rules = JobRules(
        validity_choices=tuple(config.validity_choices),
        max_validity_days=config.max_validity_days,
        shifts=tuple(config.shifts),
        banned_words={reason: words[reason] for reason in words if reason != "allowed"},
        allowed_phrases=tuple(config.words.allowed),
    )
    jobs = JobService(
        db,
        clock,
        rules,
        tz=settings.park.tz,
        channels=tuple(config.channels),
        page_size=config.page_size,
        notice_days_before=config.notice_days_before,
    )
    return {
        "jobs": jobs,
        "job_drafts": JobDraftService(db, clock, rules, jobs),
        "job_notifier": JobNotifier(db, outbox, settings, jobs),
    }


def airing_services(
    settings: Settings, db: Database, clock: Clock, calendar: WorkCalendar
) -> tuple[MetricsService, AiringService]:
    """The metrics and airing services from the [airing] section."""
    config = settings.airing
    metrics = metrics_service(settings, db, clock, calendar)
    airing = AiringService(
        db, clock, metrics, min_tickets=config.min_tickets, trend_weeks=config.trend_weeks
    )
    return metrics, airing


def deadline_rules_from(settings: Settings) -> DeadlineRules:
    """The deadline rules from [tickets] resolve_working_days and the [deadlines] section."""
    config = settings.deadlines
    return DeadlineRules(
        resolve_working_days=settings.tickets.resolve_working_days,
        claim_working_hours=config.claim_working_hours,
        response_working_days=config.response_working_days,
        complex_working_days=config.complex_working_days,
        urgent_hours=config.urgent_hours,
        kind_working_days=dict(config.kind_working_days),
        category_working_days=dict(config.category_working_days),
        remind_claim_minutes=config.remind_claim_minutes,
        remind_response_hours=config.remind_response_hours,
        remind_resolve_hours=config.remind_resolve_hours,
        level2_chases=config.level2_chases,
        level2_reworks=config.level2_reworks,
        max_extension_days=config.max_extension_days,
    )
