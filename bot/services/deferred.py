"""Deferred work: heavy answers (a year's ledger) owed to a chat, made after the update.

The request is stored in the asking update's transaction, checked as the answer would be (so a
refusal is immediate); `bot.offload.worker.DeferredWorker` makes the answer afterwards, reading on a
reader connection and rendering off the event loop, and queues it with the request's done mark.
A report that arrives meanwhile is handled at once: nothing of this holds the writer.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.clock import Clock
from bot.domain.models import Actor
from bot.services.ledger import LedgerService
from storage.repos.deferred import WorkItem
from storage.unit import Repositories

EXPORT = "export"
DONE_RETENTION = timedelta(days=7)


class DeferredWork:
    """Store heavy requests; hand them to the worker; mark them done once."""

    def __init__(self, repos: Repositories, clock: Clock, ledger: LedgerService) -> None:
        self.db = repos.db
        self.clock = clock
        self.ledger = ledger
        self.repo = repos.deferred
        # Set after a request is stored; the worker reads under the writer lock, so it sees
        # the request once the asking update has committed.
        self.wakeup = asyncio.Event()

    async def export(self, actor: Actor, start: date, end: date, locale: str) -> int:
        """Ask for the ledger of `start`..`end` to be sent to the actor privately.

        Raises:
            NotAllowed: the actor may not export (see `LedgerService.ledger`).
            InvalidInput: the range is reversed or longer than a year.
        """
        self.ledger.check(actor, start, end)
        params = {
            "actor": actor.telegram_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "locale": locale,
        }
        async with self.db.transaction():
            item_id = await self.repo.add(EXPORT, actor.telegram_id, params, self.clock.now())
        self.wakeup.set()
        return item_id

    async def pending(self) -> list[WorkItem]:
        """Requests not done yet, oldest first (committed ones only)."""
        async with self.db.transaction():
            return await self.repo.pending()

    async def finish(self, item_id: int, *, error: str | None = None) -> bool:
        """Mark a request done (inside the transaction that queues its answer); False if it
        was done already."""
        async with self.db.transaction():
            return await self.repo.finish(item_id, self.clock.now(), error=error)

    async def purge(self) -> int:
        """Forget requests done more than a week ago."""
        async with self.db.transaction():
            return await self.repo.purge_done(self.clock.now() - DONE_RETENTION)
