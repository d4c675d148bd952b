"""The typed context handed to every handler: settings and services, no globals.

python-telegram-bot builds `BotData` itself (no arguments); the composition root fills in
`services` once the database is open, before any update is processed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.domain.logistics import Draft
from bot.domain.models import ChatBinding
from bot.domain.outcomes.recruiting import Confirmed
from bot.domain.work_calendar import WorkCalendar
from bot.notify.airing import AiringPublisher
from bot.notify.dispatch import Dispatcher
from bot.services.airing import AiringService
from bot.services.conversation import Conversations
from bot.services.dashboard import DashboardService
from bot.services.deferred import DeferredWork
from bot.services.failures import FailureService
from bot.services.ledger import LedgerService
from bot.services.logistics.dialogue import Posted
from bot.services.logistics.service import LogisticsService
from bot.services.metrics import MetricsService
from bot.services.onboarding import OnboardingService
from bot.services.people import PeopleService
from bot.services.private_reports import PrivateReportService
from bot.services.prompts import Prompts
from bot.services.reachability import ReachabilityService
from bot.services.recruiting.dialogue import DraftState
from bot.services.recruiting.posts import RecruitingService
from bot.services.tickets.briefs import BriefService
from bot.services.tickets.escalation import EscalationService
from bot.services.tickets.extensions import ExtensionService
from bot.services.tickets.service import TicketService
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    calendar: WorkCalendar
    people: PeopleService
    tickets: TicketService
    onboarding: OnboardingService
    outbox: Outbox
    # What a reply to a ForceReply prompt answers (conversation state, not the outbox).
    prompts: Prompts
    # Routes the outcomes services publish to the notifiers; nothing else calls a notifier.
    dispatcher: Dispatcher
    failures: FailureService
    extensions: ExtensionService
    escalation: EscalationService
    briefs: BriefService
    metrics: MetricsService
    airing: AiringService
    publisher: AiringPublisher
    ledger: LedgerService
    dashboard: DashboardService
    recruiting: RecruitingService
    # The guided conversations, one engine each dialogue runs on (bot.services.conversation).
    job_conversations: Conversations[DraftState, Confirmed]
    logistics: LogisticsService
    logistics_conversations: Conversations[Draft, Posted]
    private_reports: PrivateReportService
    reachability: ReachabilityService
    deferred: DeferredWork


class BotData:
    """Application-wide data; `services` is set in post_init."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.bot_username: str = ""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the services.

    python-telegram-bot makes one context per update and hands it to every handler group, so a
    handler can pass on what an earlier group read for the same update (in its transaction).
    """

    # The group's binding, as the unbound-group gate read it for this update (None: not read).
    chat_binding: ChatBinding | None = None

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not ready (post_init has not run)")
        return services


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
