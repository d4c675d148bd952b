"""Build the services from the settings: one database, one clock, every service wired once.

Every service that causes messages is given the dispatcher's `publish` and the `Recipients` its
outcomes name; the notifiers are built from the outbox's `Voice` after the services and
connected to the dispatcher last. Called by the composition root (bot/runtime/process.py); it
imports services, notify and storage, never handlers.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.context import Services
from bot.delivery.outbox import Outbox
from bot.domain.deadlines import DeadlineRules
from bot.domain.outcomes import Publish
from bot.domain.recruiting import JobRules
from bot.domain.work_calendar import WorkCalendar
from bot.notify.admins import AdminNotifier
from bot.notify.airing import AiringComposer, AiringPublisher
from bot.notify.deadlines import DeadlineNotifier
from bot.notify.dispatch import Dispatcher, Notifiers
from bot.notify.logistics import LogisticsNotifier
from bot.notify.recruiting import RecruitingNotifier
from bot.notify.tickets import TicketNotifier
from bot.notify.voice import Voice
from bot.render.airing import Style
from bot.render.chart import ChartRenderer, render_chart
from bot.services.airing import AiringPlan, AiringService
from bot.services.conversation import Conversations
from bot.services.dashboard import DashboardService
from bot.services.deferred import DeferredWork
from bot.services.failures import FailureService
from bot.services.ledger import LedgerService
from bot.services.logistics.dialogue import LogisticsDialogue
from bot.services.logistics.service import LogisticsRules, LogisticsService
from bot.services.metrics import MetricsService
from bot.services.onboarding import OnboardingService
from bot.services.people import PeopleService
from bot.services.private_reports import PrivateReportService
from bot.services.prompts import Prompts
from bot.services.reachability import ReachabilityService
from bot.services.recipients import Recipients
from bot.services.recruiting.dialogue import JobDialogue
from bot.services.recruiting.posts import RecruitingService
from bot.services.tickets.briefs import BriefService
from bot.services.tickets.core import TicketCore, TicketRules
from bot.services.tickets.escalation import EscalationService
from bot.services.tickets.extensions import ExtensionService
from bot.services.tickets.service import TicketService
from bot.wiring.shared import metrics_service, work_calendar
from storage.db import Database
from storage.unit import Repositories


def build_services(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    chart_renderer: ChartRenderer = render_chart,
) -> Services:
    """Build every service on one database and one clock (tests pass a fixed-font chart)."""
    calendar = work_calendar(settings)
    repos = Repositories(db)
    outbox = Outbox(db, clock)
    dispatcher = Dispatcher(defer=db.before_commit)
    publish = dispatcher.publish
    recipients = Recipients(
        repos, config_admins=settings.park.admins, admin_chat_id=settings.park.admin_chat_id
    )
    loop = ticket_services(settings, repos, clock, calendar, recipients, publish)
    tickets, escalation = loop["tickets"], loop["escalation"]
    metrics = metrics_service(settings, repos, clock, calendar)
    composer = AiringComposer(airing_style(settings, metrics), chart_renderer=chart_renderer)
    airing = airing_service(settings, repos, clock, metrics, composer, recipients, publish)
    ledger = LedgerService(repos, clock, metrics, park_name=settings.park.name)
    recruiting = recruiting_services(settings, repos, clock, recipients, publish)
    logistics = logistics_services(settings, repos, clock, recipients, publish)
    voice = Voice(outbox, locale=settings.park.locale, tz=settings.park.tz)
    publisher = AiringPublisher(voice, composer)
    dispatcher.connect(notifiers(settings, voice, publisher))
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        calendar=calendar,
        people=PeopleService(repos, clock, config_admins=settings.park.admins),
        onboarding=OnboardingService(
            repos,
            clock,
            invite_valid_days=settings.tickets.invite_valid_days,
            recipients=recipients,
            publish=publish,
        ),
        outbox=outbox,
        prompts=Prompts(repos, clock),
        dispatcher=dispatcher,
        failures=FailureService(repos, clock, recipients=recipients, publish=publish),
        metrics=metrics,
        airing=airing,
        publisher=publisher,
        ledger=ledger,
        deferred=DeferredWork(repos, clock, ledger),
        dashboard=DashboardService(repos, clock, metrics, airing, escalation, tickets),
        **loop,
        **recruiting,
        **logistics,
    )


def ticket_services(
    settings: Settings,
    repos: Repositories,
    clock: Clock,
    calendar: WorkCalendar,
    recipients: Recipients,
    publish: Publish,
) -> dict[str, Any]:
    """The ticket loop's services, all on one `TicketCore`, from [tickets] and [deadlines]; each
    resolves who hears of the outcomes it publishes."""
    deadline_rules = deadline_rules_from(settings)
    reach = ReachabilityService(repos, clock, calendar, recipients=recipients, publish=publish)
    rules = ticket_rules_from(settings, deadline_rules)
    core = TicketCore(repos, clock, calendar, rules, reach=reach, publish=publish)
    tickets = TicketService(core)
    return {
        "tickets": tickets,
        "reachability": reach,
        "escalation": EscalationService(
            repos, clock, calendar, deadline_rules, core, reach=reach, publish=publish
        ),
        "extensions": ExtensionService(
            repos, clock, calendar, deadline_rules, core, recipients=recipients, publish=publish
        ),
        "briefs": BriefService(
            repos,
            clock,
            calendar,
            core,
            brief_time=settings.deadlines.brief_time,
            recipients=recipients,
            publish=publish,
        ),
        "private_reports": PrivateReportService(tickets),
    }


def notifiers(settings: Settings, voice: Voice, airing: AiringPublisher) -> Notifiers:
    """The notifiers the dispatcher routes to, all speaking through one `voice`."""
    return Notifiers(
        admins=AdminNotifier(voice),
        tickets=TicketNotifier(voice, show_cadre_phone=settings.tickets.show_cadre_phone),
        deadlines=DeadlineNotifier(voice),
        logistics=LogisticsNotifier(voice),
        recruiting=RecruitingNotifier(voice),
        airing=airing,
    )


def ticket_rules_from(settings: Settings, deadlines: DeadlineRules) -> TicketRules:
    """The ticket rules from the [tickets] and [deadlines] sections."""
    return TicketRules(
        resolve_working_days=settings.tickets.resolve_working_days,
        rating_window_days=settings.tickets.rating_window_days,
        category_keywords=settings.tickets.category_keywords,
        kind_keywords=settings.tickets.kind_keywords,
        urgent_keywords=settings.tickets.urgent_keywords,
        deadlines=deadlines,
        reports_per_hour=settings.tickets.reports_per_person_per_hour,
    )


def logistics_services(
    settings: Settings, repos: Repositories, clock: Clock, recipients: Recipients, publish: Publish
) -> dict[str, Any]:
    """The logistics exchange services from the [logistics] section."""
    config = settings.logistics
    rules = LogisticsRules(
        top_matches=config.top_matches,
        max_days_ahead=config.max_days_ahead,
        draft_valid_hours=config.draft_valid_hours,
    )
    logistics = LogisticsService(
        repos, clock, settings.park.tz, rules, recipients=recipients, publish=publish
    )
    dialogue = LogisticsDialogue(logistics)
    conversations = Conversations(repos, clock, dialogue)
    return {"logistics": logistics, "logistics_conversations": conversations}


def recruiting_services(
    settings: Settings, repos: Repositories, clock: Clock, recipients: Recipients, publish: Publish
) -> dict[str, Any]:
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
    recruiting = RecruitingService(
        repos,
        clock,
        rules,
        tz=settings.park.tz,
        channels=tuple(config.channels),
        page_size=config.page_size,
        notice_days_before=config.notice_days_before,
        recipients=recipients,
        publish=publish,
    )
    return {
        "recruiting": recruiting,
        "job_conversations": Conversations(
            repos, clock, JobDialogue(repos, rules, recruiting, publish=publish)
        ),
    }


def airing_service(
    settings: Settings,
    repos: Repositories,
    clock: Clock,
    metrics: MetricsService,
    composer: AiringComposer,
    recipients: Recipients,
    publish: Publish,
) -> AiringService:
    """The airing service from the [airing] section, composing its posts with `composer`."""
    config = settings.airing
    plan = AiringPlan(
        enabled=config.enabled,
        chat_ids=tuple(config.chat_ids),
        park_groups=config.park_groups,
        locale=settings.park.locale,
    )
    return AiringService(
        repos,
        clock,
        metrics,
        min_tickets=config.min_tickets,
        trend_weeks=config.trend_weeks,
        plan=plan,
        compose=composer.compose,
        recipients=recipients,
        publish=publish,
    )


def airing_style(settings: Settings, metrics: MetricsService) -> Style:
    """How the weekly post reads, from the [park] and [airing] sections."""
    config = settings.airing
    return Style(
        park=settings.park.name,
        tz=settings.park.tz,
        detail=config.enterprise_detail,
        flag_below=config.flag_below,
        min_tickets=config.min_tickets,
        side_lines=config.side_lines,
        weights=metrics.weights,
        named_items=config.named_items,
        cadre_lines=config.cadre_lines,
    )


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
