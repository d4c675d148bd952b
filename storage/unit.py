"""The unit of work: one database and every repository on it, built once.

The composition root builds one `Repositories` on the open database and hands it to every
service, which reads its repositories off it (`repos.tickets`, `repos.cadres`) and opens its
transactions on `repos.db`. A repository holds nothing but the database, so sharing them is
safe, and a new one is added here once rather than built by hand in each service.
"""

from __future__ import annotations

from storage.db import Database
from storage.repos.airing import AiringRepo
from storage.repos.cadres import CadreRepo
from storage.repos.chats import ChatRepo
from storage.repos.conversations import ConversationRepo
from storage.repos.deadlines import DeadlineRepo
from storage.repos.deferred import DeferredRepo
from storage.repos.enterprises import EnterpriseRepo
from storage.repos.failure_alerts import FailureAlertRepo
from storage.repos.held_reports import HeldReportRepo
from storage.repos.kv import KvRepo
from storage.repos.ledger import LedgerRepo
from storage.repos.logistics import LogisticsRepo
from storage.repos.metrics import MetricsRepo
from storage.repos.notices import NoticeRepo
from storage.repos.prompts import PromptRepo
from storage.repos.queues import InboxRepo, OutboxRepo
from storage.repos.recruiting import JobRepo
from storage.repos.search import SearchRepo
from storage.repos.tickets import TicketRepo
from storage.repos.users import UserRepo


class Repositories:
    """Every repository, one per aggregate, on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # People: the administration, the enterprises (with their 包联 and contacts), users.
        self.cadres = CadreRepo(db)
        self.enterprises = EnterpriseRepo(db)
        self.users = UserRepo(db)
        self.chats = ChatRepo(db)
        # The ticket loop: tickets with their events and attachments, their deadlines' steps,
        # reports held until their enterprise is picked, notices of unreachable cadres.
        self.tickets = TicketRepo(db)
        self.deadlines = DeadlineRepo(db)
        self.held_reports = HeldReportRepo(db)
        self.notices = NoticeRepo(db)
        self.search = SearchRepo(db)
        # Figures and records.
        self.metrics = MetricsRepo(db)
        self.airing = AiringRepo(db)
        self.ledger = LedgerRepo(db)
        # The side services.
        self.jobs = JobRepo(db)
        self.logistics = LogisticsRepo(db)
        # Guided conversations (/job, /truck, /cargo), run by one engine.
        self.conversations = ConversationRepo(db)
        # The machinery: the queues, deferred work, failure alerts and small marks.
        self.inbox = InboxRepo(db)
        self.outbox = OutboxRepo(db)
        self.prompts = PromptRepo(db)  # what a reply to a ForceReply prompt answers
        self.deferred = DeferredRepo(db)
        self.failure_alerts = FailureAlertRepo(db)
        self.kv = KvRepo(db)
