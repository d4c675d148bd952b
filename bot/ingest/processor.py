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

No update can stall the line. Recording a failure may fail too (an id no column holds makes the
apology unstorable): then the attempt is counted on the update's row and the update is tried
again, and after `MAX_ATTEMPTS` it is quarantined, set aside with its error, the admins told
(without the update's own data, which failed); if even that cannot be written, this process
sets it aside in memory. A failure that looks like the database's is counted the same way when
the database answers the count (an outage leaves nothing counted). Only the kinds of update
Telegram is asked for reach a handler (`bot.ingest.kinds`).

Several workers may drain one inbox (PostgreSQL; see `bot.runtime.lease`). Each claims updates in
the write transaction that handles them: a group reads its pending rows inside that transaction, a
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
from bot.ingest.kinds import wanted
from storage.db import Database
from storage.repos.queues import InboxItem, InboxRepo

log = logging.getLogger(__name__)

DONE_RETENTION = timedelta(days=3)
# A group ends after this many updates or this much work, whichever comes first: its first
# update's messages wait for the group's commit.
GROUP_MAX = 32
GROUP_SECONDS = 0.02
# Tries of an update whose failure cannot be recorded (or that fails as if the database had, while
# it answers), before it is quarantined.
MAX_ATTEMPTS = 5


@dataclass
class UpdateScope:
    update_id: int
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)


current_scope: contextvars.ContextVar[UpdateScope | None] = contextvars.ContextVar(
    "liaison_update_scope", default=None
)

FailureHook = Callable[[dict[str, Any], BaseException], Awaitable[None]]
QuarantineHook = Callable[[int, BaseException], Awaitable[None]]


class DatabaseUnavailable(Exception):
    """The database failed for now (locked, restarting, unreachable): the update stays pending
    and is handled again once it answers, never recorded as failed."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id}: the database is unavailable; it stays pending")


class _HandlerFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


class UndecodableUpdate(Exception):
    """The stored update is no JSON object: nothing can handle it."""


class UpdateProcessor:
    """Drain pending inbox rows in update order through the Application's handlers."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        clock: Clock,
        *,
        on_failure: FailureHook | None = None,
        on_quarantine: QuarantineHook | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.clock = clock
        self.inbox = InboxRepo(db)
        self.on_failure = on_failure
        self.on_quarantine = on_quarantine
        self.wakeup = asyncio.Event()
        self.processed = 0
        # Updates not even a quarantine mark could be written for: skipped by this process.
        self.set_aside: set[int] = set()
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
            for item in await self._pending():
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

    async def _pending(self) -> list[InboxItem]:
        """The next pending updates, without those this process set aside."""
        if not self.set_aside:
            return await self.inbox.pending(limit=GROUP_MAX)
        items = await self.inbox.pending(limit=GROUP_MAX + len(self.set_aside))
        return [item for item in items if item.update_id not in self.set_aside][:GROUP_MAX]

    def _yield_now(self, started: float) -> bool:
        """End the group here: stopping, long enough, or another writer waits (the sender's
        "sent" marks hold its delivery slots, the poller must store before it fetches more)."""
        return (
            self._stopping
            or self.db.writers_waiting > 0
            or time.monotonic() - started >= GROUP_SECONDS
        )

    async def _handle(self, update_id: int, payload: dict[str, Any] | None) -> None:
        """Run the handlers of one update; raise `_HandlerFailed` if one failed."""
        if payload is None:
            raise UndecodableUpdate(f"update {update_id} is stored as no JSON object")
        if not wanted(payload):
            return  # a kind the bot does not ask for: done, no handler sees it
        scope = UpdateScope(update_id)
        token = current_scope.set(scope)
        try:
            update = Update.de_json(payload, self.app.bot)
            await self.app.process_update(update)
            if scope.error is not None:
                raise _HandlerFailed(scope.error)
        finally:
            current_scope.reset(token)

    async def process(self, update_id: int, payload: dict[str, Any] | None) -> bool:
        """Claim and handle one stored update atomically, in a transaction of its own; True if
        that settled it (done, failed or quarantined), False if it was not pending or is left
        pending for another try.

        Raises:
            DatabaseUnavailable: the database failed for now; the update stays pending.
        """
        try:
            async with self.db.transaction():
                if not await self.inbox.claim(update_id):
                    return False  # handled (or failed) by another worker meanwhile
                await self._handle(update_id, payload)
                await self.inbox.mark_done(update_id, self.clock.now())
            self.processed += 1
            return True
        except _HandlerFailed as failed:
            error = failed.error  # logged with its traceback by the error handler
        except Exception as exc:  # de_json, the kind check or the database itself failed
            if not self.db.is_transient(exc):
                log.exception("update %s could not be processed", update_id)
            error = exc
        if self.db.is_transient(error):
            return await self._unavailable(update_id, error)
        return await self._failed(update_id, payload or {"update_id": update_id}, error)

    async def _unavailable(self, update_id: int, error: BaseException) -> bool:
        """A failure that looks like the database's: the update stays pending for another try.

        Unless the database answers: then the try is counted, and an update that keeps failing
        so while the database answers (a handler's own OSError looks like a lost connection)
        is quarantined after `MAX_ATTEMPTS`, not tried again every second at the head of the line.

        Raises:
            DatabaseUnavailable: the update stays pending.
        """
        attempts = await self._count_attempt(update_id, error)
        if attempts is not None and attempts >= MAX_ATTEMPTS:
            await self._quarantine(update_id, error, "failed so while the database answered")
            return True
        raise DatabaseUnavailable(update_id) from error

    async def _failed(self, update_id: int, payload: dict[str, Any], error: BaseException) -> bool:
        """Record a failed update as usual (marked failed, user and admins told); if even that
        fails, count the attempt and leave it for another, up to `MAX_ATTEMPTS`, then quarantine
        it. True if it is settled."""
        recorded = await self._guarded(
            update_id, "record its failure", lambda: self._record_failure(update_id, payload, error)
        )
        if recorded:
            return True
        attempts = await self._count_attempt(update_id, error)
        if attempts is None or attempts < MAX_ATTEMPTS:
            return False
        await self._quarantine(update_id, error, "its failure could not be recorded")
        return True

    async def _count_attempt(self, update_id: int, error: BaseException) -> int | None:
        """Count a failed try on the update's row; its tries so far (None: it is not pending,
        or nothing can be written for it and this process set it aside).

        Raises:
            DatabaseUnavailable: the database does not answer; nothing was counted.
        """
        counted: list[int | None] = []

        async def count() -> None:
            async with self.db.transaction():
                counted.append(await self.inbox.count_attempt(update_id, _describe(error)))

        if not await self._guarded(update_id, "count the attempt", count):
            self._set_aside(update_id)
            return None
        return counted[0]

    async def _record_failure(
        self, update_id: int, payload: dict[str, Any], error: BaseException
    ) -> None:
        async with self.db.transaction():
            # Another worker may have handled it (or failed it) since this one rolled back.
            if not await self.inbox.mark_failed(update_id, _describe(error), self.clock.now()):
                return
            if self.on_failure is not None:
                await self.on_failure(payload, error)

    async def _quarantine(self, update_id: int, error: BaseException, why: str) -> None:
        """Set the update aside with its error and tell the admins; or, if they cannot be told,
        just set it aside; or, if nothing can be written, set it aside in this process."""
        reason = f"{_describe(error)} ({why}, {MAX_ATTEMPTS} attempts)"
        now = self.clock.now()

        async def with_alert() -> None:
            async with self.db.transaction():
                marked = await self.inbox.mark_quarantined(update_id, reason, now)
                if marked and self.on_quarantine is not None:
                    await self.on_quarantine(update_id, error)

        async def bare() -> None:
            async with self.db.transaction():
                await self.inbox.mark_quarantined(update_id, reason, now)

        if await self._guarded(update_id, "quarantine it", with_alert):
            log.error("update %s quarantined: %s", update_id, reason)
        elif await self._guarded(update_id, "quarantine it without telling", bare):
            log.error("update %s quarantined, the admins not told: %s", update_id, reason)
        else:
            self._set_aside(update_id)

    async def _guarded(
        self, update_id: int, what: str, work: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run `work` (a transaction of its own); False (logged) if it failed for good.

        Raises:
            DatabaseUnavailable: it failed for now; the update stays pending.
        """
        try:
            await work()
        except Exception as exc:
            if self.db.is_transient(exc):
                raise DatabaseUnavailable(update_id) from exc
            log.exception("update %s: could not %s", update_id, what)
            return False
        return True

    def _set_aside(self, update_id: int) -> None:
        self.set_aside.add(update_id)
        log.critical(
            "update %s: nothing about it can be stored; this process skips it until restarted",
            update_id,
        )

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


def _describe(error: BaseException) -> str:
    """The error as stored on the inbox row (repr: control characters escaped)."""
    return repr(error)[:2000]
