"""Run handlers from the inbox: one update, one transaction.

The handler's writes, every message it owes (outbox rows) and the inbox "done" mark commit
together. If a handler fails, all of it rolls back, the update is marked failed, and the user and
the admins are told; the error handler records the failure in the current `UpdateScope`.

Several workers may drain one inbox (PostgreSQL; see `bot.lease`). Each claims an update in
the write transaction that handles it: the transaction first checks the row is still pending,
and holds the write lock (which serialises the writers of every worker) until its done mark
commits, so no two workers handle one update. A worker that dies mid-update holds nothing: the
server rolls its transaction back (and frees the lock) when its connection closes, or after
`storage.postgres.WRITER_IDLE_TIMEOUT` when its process hangs, and the row is pending again for
the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from storage.db import Database
from storage.repos.queues import InboxRepo

log = logging.getLogger(__name__)

DONE_RETENTION = timedelta(days=3)


@dataclass
class UpdateScope:
    update_id: int
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)


current_scope: contextvars.ContextVar[UpdateScope | None] = contextvars.ContextVar(
    "liaison_update_scope", default=None
)

FailureHook = Callable[[dict[str, Any], BaseException], Awaitable[None]]


class _HandlerFailed(Exception):
    pass


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
            # A snapshot, without the write lock: each row is claimed when it is handled.
            async with self.db.reading():
                batch = await self.inbox.pending(limit=100)
            if not batch:
                break
            for item in batch:
                if self._stopping:
                    break
                handled += int(await self.process(item.update_id, item.payload))
        return handled

    async def process(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Claim and handle one stored update atomically; False if it was not pending."""
        scope = UpdateScope(update_id)
        token = current_scope.set(scope)
        try:
            async with self.db.transaction():
                if not await self.inbox.claim(update_id):
                    return False  # handled (or failed) by another worker meanwhile
                update = Update.de_json(payload, self.app.bot)
                await self.app.process_update(update)
                if scope.error is not None:
                    raise _HandlerFailed
                await self.inbox.mark_done(update_id, self.clock.now())
            self.processed += 1
        except _HandlerFailed:
            await self._record_failure(update_id, payload, scope.error)
        except Exception as exc:  # de_json or the database itself failed
            log.exception("update %s could not be processed", update_id)
            await self._record_failure(update_id, payload, exc)
        finally:
            current_scope.reset(token)
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
