"""Run handlers from the inbox: each update atomic with its messages, several per commit.

The handler's writes, every message it owes (outbox rows) and the inbox "done" mark commit
together. Pending updates are handled in groups, one transaction for up to `GROUP_MAX` of them
or `GROUP_SECONDS` of work (group commit: a burst costs one BEGIN/COMMIT and one batch of done
marks per group, not per update); each update's notices are queued before the next update runs.
If any handler of a group fails, the whole group rolls back and its updates are handled again
one transaction each: a failing update's writes all roll back, it is marked failed, and the
user and the admins are told; the error handler records the failure in the current
`UpdateScope`. Handlers keep no state outside the database, so running one again is harmless.
A failure that is the database's, not the update's (locked, restarting, unreachable: see
`Database.is_transient`), marks nothing: the update stays pending and the processor tries
again a second later, so an outage loses no report and tells nobody it failed.

Several workers may drain one inbox (PostgreSQL; see `bot.lease`). Each claims updates in the
write transaction that handles them: a group reads its pending rows inside that transaction, a
single update first checks its row is still pending, and the transaction holds the write lock
(which serialises the writers of every worker) until the done marks commit, so no two workers
handle one update. A worker that dies mid-update holds nothing: the server rolls its
transaction back (and frees the lock) when its connection closes, or after
`storage.postgres.WRITER_IDLE_TIMEOUT` when its process hangs, and the rows are pending again
for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from storage.db import Database
from storage.repos.queues import InboxItem, InboxRepo

log = logging.getLogger(__name__)

DONE_RETENTION = timedelta(days=3)
# A group ends after this many updates or this much work, whichever comes first: its first
# update's messages wait for the group's commit.
GROUP_MAX = 32
GROUP_SECONDS = 0.02


@dataclass
class UpdateScope:
    update_id: int
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)


current_scope: contextvars.ContextVar[UpdateScope | None] = contextvars.ContextVar(
    "liaison_update_scope", default=None
)

FailureHook = Callable[[dict[str, Any], BaseException], Awaitable[None]]


class DatabaseUnavailable(Exception):
    """The database failed for now (locked, restarting, unreachable): the update stays pending
    and is handled again once it answers, never recorded as failed."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id}: the database is unavailable; it stays pending")


class _HandlerFailed(Exception):
    def __init__(self, error: BaseException | None) -> None:
        super().__init__(repr(error))
        self.error = error


class UpdateProcessor:
    """Drain pending inbox rows in update order through the Application's handlers."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        clock: Clock,
        *,
        on_failure: FailureHook | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.clock = clock
        self.inbox = InboxRepo(db)
        self.on_failure = on_failure
        self.wakeup = asyncio.Event()
        self.processed = 0
        self._stopping = False

    async def drain(self) -> int:
        """Process every pending update; return how many were handled (here)."""
        handled = 0
        while not self._stopping:
            taken: list[InboxItem] = []
            try:
                count = await self._process_group(taken)
            except Exception:
                if not taken:
                    raise  # the inbox could not be read: `run` logs it and tries again
                # Nothing of the group was committed: one transaction per update now, so a
                # failure is recorded for its own update and the others commit.
                log.debug("a group of %d updates rolled back; one at a time", len(taken))
                count = 0
                for item in taken:
                    if self._stopping:
                        break
                    count += int(await self.process(item.update_id, item.payload))
            if not taken:
                break
            handled += count
        return handled

    async def _process_group(self, taken: list[InboxItem]) -> int:
        """Handle pending updates in one transaction; return how many (0: none pending).

        Every update begun is appended to `taken` first. Reading the pending rows inside the
        write transaction claims them. Raises if any of them fails, the transaction rolled back.
        """
        started = time.monotonic()
        done: list[int] = []
        async with self.db.transaction():
            for item in await self.inbox.pending(limit=GROUP_MAX):
                if done and self._yield_now(started):
                    break
                taken.append(item)
                await self._handle(item.update_id, item.payload)
                # Its notices now: the next update's handler sees what they wrote.
                await self.db.settle()
                done.append(item.update_id)
            if done:
                await self.inbox.mark_done_many(done, self.clock.now())
        self.processed += len(done)
        return len(done)

    def _yield_now(self, started: float) -> bool:
        """End the group here: stopping, long enough, or another writer waits (the sender's
        "sent" marks hold its delivery slots, the poller must store before it fetches more)."""
        return (
            self._stopping
            or self.db.writers_waiting > 0
            or time.monotonic() - started >= GROUP_SECONDS
        )

    async def _handle(self, update_id: int, payload: dict[str, Any]) -> None:
        """Run the handlers of one update; raise `_HandlerFailed` if one failed."""
        scope = UpdateScope(update_id)
        token = current_scope.set(scope)
        try:
            update = Update.de_json(payload, self.app.bot)
            await self.app.process_update(update)
            if scope.error is not None:
                raise _HandlerFailed(scope.error)
        finally:
            current_scope.reset(token)

    async def process(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Claim and handle one stored update atomically, in a transaction of its own; False if
        it was not pending."""
        try:
            async with self.db.transaction():
                if not await self.inbox.claim(update_id):
                    return False  # handled (or failed) by another worker meanwhile
                await self._handle(update_id, payload)
                await self.inbox.mark_done(update_id, self.clock.now())
            self.processed += 1
        except _HandlerFailed as failed:
            if failed.error is not None and self.db.is_transient(failed.error):
                raise DatabaseUnavailable(update_id) from failed.error
            await self._record_failure(update_id, payload, failed.error)
        except Exception as exc:  # de_json or the database itself failed
            if self.db.is_transient(exc):
                raise DatabaseUnavailable(update_id) from exc
            log.exception("update %s could not be processed", update_id)
            await self._record_failure(update_id, payload, exc)
        return True

    async def _record_failure(
        self, update_id: int, payload: dict[str, Any], error: BaseException | None
    ) -> None:
        reason = repr(error) if error is not None else "unknown error"
        async with self.db.transaction():
            # Another worker may have handled it (or failed it) since this one rolled back.
            if not await self.inbox.mark_failed(update_id, reason, self.clock.now()):
                return
            if self.on_failure is not None and error is not None:
                await self.on_failure(payload, error)

    async def run(self) -> None:
        """Drain whenever woken (new rows stored) until stopped."""
        while not self._stopping:
            self.wakeup.clear()
            try:
                await self.drain()
            except DatabaseUnavailable as exc:
                log.warning("%s (%s); trying again in 1 s", exc, exc.__cause__)
                await asyncio.sleep(1.0)
                continue
            except Exception:
                log.exception("inbox drain failed")
                await asyncio.sleep(1.0)
                continue
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=5.0)

    async def purge(self) -> int:
        """Delete done rows older than three days (kept that long to deduplicate)."""
        async with self.db.transaction():
            return await self.inbox.purge_done(self.clock.now() - DONE_RETENTION)

    def stop(self) -> None:
        self._stopping = True
        self.wakeup.set()
