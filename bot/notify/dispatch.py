"""The dispatcher: the one table from each outcome type to the notifier method that queues its
messages.

Services publish outcomes (`bot.domain.outcomes`) inside the transaction of the change; the
dispatcher looks the outcome's exact type up in `routes` and runs its notifier in that same
transaction, just before it commits (after whatever the handler itself queued, so a reply comes
before the notices), so the change and its messages commit, or roll back, together. Handlers
and jobs never call a notifier. A test checks that every outcome type has exactly one route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.domain.outcomes import Outcome
from bot.domain.outcomes.airing import AiringPosted, AiringPreviewed
from bot.domain.outcomes.deadlines import (
    Brief,
    ExtensionAsked,
    ExtensionDecided,
    Supervised,
    SweepResult,
    Waiting,
)
from bot.domain.outcomes.desk import (
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    InviteTakeover,
    Migrated,
    UpdateQuarantined,
)
from bot.domain.outcomes.logistics import (
    Answered,
    Completed,
    Expired,
    PostedCargo,
    PostedTruck,
)
from bot.domain.outcomes.recruiting import Confirmed, JobChanged, JobExpired, JobExpiring
from bot.domain.outcomes.tickets import (
    AutoClosed,
    Claimed,
    Created,
    Progressed,
    Rated,
    ReportsLimited,
    Resolved,
    Transferred,
)
from bot.notify.admins import AdminNotifier
from bot.notify.airing import AiringPublisher
from bot.notify.deadlines import DeadlineNotifier
from bot.notify.logistics import LogisticsNotifier
from bot.notify.recruiting import RecruitingNotifier
from bot.notify.tickets import TicketNotifier

OutcomeT = TypeVar("OutcomeT", bound=Outcome)
Handler = Callable[[Any], Awaitable[None]]
# Runs the given work inside the current transaction just before it commits.
Defer = Callable[[Callable[[], Awaitable[None]]], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    outcome: type[Outcome]
    handler: Handler


def route(outcome: type[OutcomeT], handler: Callable[[OutcomeT], Awaitable[None]]) -> Route:
    """One line of the table; typed, so a handler must take the outcome it is routed."""
    return Route(outcome, handler)


@dataclass(frozen=True)
class Notifiers:
    admins: AdminNotifier
    tickets: TicketNotifier
    deadlines: DeadlineNotifier
    logistics: LogisticsNotifier
    recruiting: RecruitingNotifier
    airing: AiringPublisher


def routes(n: Notifiers) -> list[Route]:
    """Who is told about what: every outcome type, once."""
    return [
        # The ticket loop.
        route(Created, n.tickets.created),
        route(Claimed, n.tickets.claimed),
        route(Progressed, n.tickets.progressed),
        route(Resolved, n.tickets.resolved),
        route(Transferred, n.tickets.transferred),
        route(Rated, n.tickets.rated),
        route(AutoClosed, n.tickets.auto_closed),
        route(ReportsLimited, n.tickets.reports_limited),
        # Deadlines, 督办 and extensions.
        route(SweepResult, n.deadlines.swept),
        route(Supervised, n.deadlines.supervised),
        route(ExtensionAsked, n.deadlines.extension_asked),
        route(ExtensionDecided, n.deadlines.extension_decided),
        route(Brief, n.deadlines.brief),
        route(Waiting, n.deadlines.unreachable_reminder),
        # The duty desk.
        route(DeliveryFailed, n.admins.delivery_failed),
        route(HandlerFailed, n.admins.handler_failed),
        route(UpdateQuarantined, n.admins.update_quarantined),
        route(FailuresRepeated, n.admins.failures_repeated),
        route(InviteTakeover, n.admins.invite_takeover),
        route(Migrated, n.admins.chat_migrated),
        # The logistics exchange.
        route(PostedTruck, n.logistics.posted_truck),
        route(PostedCargo, n.logistics.posted_cargo),
        route(Answered, n.logistics.answered),
        route(Completed, n.logistics.completed),
        route(Expired, n.logistics.expired),
        # Job posts.
        route(Confirmed, n.recruiting.confirmed),
        route(JobChanged, n.recruiting.changed),
        route(JobExpired, n.recruiting.expired),
        route(JobExpiring, n.recruiting.expiring),
        # The weekly airing.
        route(AiringPosted, n.airing.posted),
        route(AiringPreviewed, n.airing.previewed),
    ]


class UnroutedOutcome(RuntimeError):
    """An outcome type with no route: a programming error, caught by the tests."""


class Dispatcher:
    """Turn published outcomes into outbox rows, in the publisher's transaction.

    Built before the services (they are given `publish`) and connected to the notifiers once
    those are built.
    """

    def __init__(self, defer: Defer | None = None) -> None:
        """`defer` runs work just before the change's transaction commits (the database's
        `before_commit`): a handler's own reply is queued before the notices of what it did,
        and a rolled-back change takes its notices with it. Without it, notices queue at once."""
        self.routes: list[Route] = []
        self.table: dict[type[Outcome], Handler] | None = None
        self.defer = defer

    def connect(self, notifiers: Notifiers) -> None:
        """Install the routes.

        Raises:
            ValueError: an outcome type is routed twice.
        """
        lines = routes(notifiers)
        table: dict[type[Outcome], Handler] = {}
        for line in lines:
            if line.outcome in table:
                raise ValueError(f"{line.outcome.__name__} is routed twice")
            table[line.outcome] = line.handler
        self.routes, self.table = lines, table

    async def publish(self, outcome: Outcome, /) -> None:
        """Queue the messages `outcome` owes (call inside the transaction of the change).

        Raises:
            UnroutedOutcome: no route for its type, or the dispatcher is not connected yet.
        """
        if self.table is None:
            raise UnroutedOutcome("the dispatcher is not connected to the notifiers")
        handler = self.table.get(type(outcome))
        if handler is None:
            raise UnroutedOutcome(f"no route for {type(outcome).__name__}")
        if self.defer is None:
            await handler(outcome)
        else:
            await self.defer(lambda: handler(outcome))
