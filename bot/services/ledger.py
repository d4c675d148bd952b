"""The ledger export (问题台账): tickets received in a date range, their events and metrics."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.clock import Clock
from bot.domain.ledger import Ledger as Ledger  # re-exported: this service's answer
from bot.domain.models import Actor
from bot.errors import InvalidInput, NotAllowed
from bot.services.metrics import MetricsService
from bot.services.tickets.access import Access, Scope, leads
from storage.unit import Repositories

MAX_DAYS = 366


def parse_day(text: str) -> date:
    """Parse YYYY-MM-DD.

    Raises:
        InvalidInput: not such a date (key export.bad_date).
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("export.bad_date", value=text[:20]) from None


def default_range(today: date) -> tuple[date, date]:
    """The current month."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


class LedgerService:
    """Collect the ledger for admins and leaders."""

    def __init__(
        self, repos: Repositories, clock: Clock, metrics: MetricsService, *, park_name: str = ""
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.metrics = metrics
        self.park_name = park_name
        self.repo = repos.ledger
        self.access = Access(repos.cadres)

    def today(self) -> date:
        return self.clock.now().astimezone(self.metrics.tz).date()

    def check(self, actor: Actor | None, start: date, end: date) -> None:
        """Refuse what `ledger` would refuse, before any work.

        Raises:
            NotAllowed: the actor is neither an admin nor a leader.
            InvalidInput: the range is reversed or longer than a year.
        """
        if actor is not None and not leads(actor):
            raise NotAllowed("export.not_allowed")
        if start > end:
            raise InvalidInput("export.bad_range", start=start.isoformat(), end=end.isoformat())
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput("export.too_long", days=MAX_DAYS)

    async def ledger(self, actor: Actor | None, start: date, end: date) -> Ledger:
        """Return the ledger of tickets received from `start` to `end` (inclusive, park time).

        Args:
            actor: who asks; None for the command line (the machine's operator).

        Raises:
            NotAllowed: the actor is neither an admin nor a leader (a leader's ledger covers
                their own and their cadres' tickets; the park figures stay park-wide).
            InvalidInput: the range is reversed or longer than a year.
        """
        self.check(actor, start, end)
        tz = self.metrics.tz
        since = datetime.combine(start, time(0), tzinfo=tz)
        until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
        # One snapshot on a reader connection: a year of tickets never holds the writer.
        async with self.db.reading():
            park, cadres, _, _ = await self.metrics.period(since, until, self.clock.now())
            # A leader's ledger holds their own and their cadres' tickets only.
            scope = Scope(None) if actor is None else await self.access.scope(actor)
            rows = await self.repo.rows(since, until, cadre_ids=scope.ids())
            events = await self.repo.events(since, until, cadre_ids=scope.ids())
            people = await self.repo.people(since, until, cadre_ids=scope.ids())
            names = await self.repo.cadre_names()
        cadres = [c for c in cadres if scope.covers(c.cadre_id)]
        return Ledger(
            self.park_name,
            start,
            end,
            rows,
            events,
            park,
            cadres,
            people=people,
            cadre_names=names,
        )
