"""Deliver the outbox: in order per chat, under Telegram's flood limits, with retries.

Limits (defaults a little under Telegram's): about 28 messages/s overall, 19 per minute per
group, one per 1.05 s per private chat, decided by `FloodLimiter` (limiter.py), which counts each
send from the moment its request goes out until its answer plus the window and a margin. A 429
pauses that chat for `retry_after`; network errors
and 5xx are retried with capped exponential backoff, for as long as it takes (a Telegram outage
loses nothing); 400/403 are permanent: recorded, and the admins are told once per chat until a
message reaches that chat again. A send answered with `migrate_to_chat_id` (the group became a
supergroup) moves what is queued for the chat to its new id and is sent there. Delivered rows
are marked sent in batches by `SentMarks` (marks.py). A sender whose lease is lost
(`bot.runtime.lease`: its calls and writes are fenced) stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.clock import Clock
from bot.config import DeliverySettings
from bot.delivery.calls import SILENT_METHODS, api_kwargs, retry_seconds
from bot.delivery.handover import recall_sends
from bot.delivery.limiter import FloodLimiter, Limits
from bot.delivery.marks import SentMarks
from bot.delivery.outbox import Outbox
from storage.db import Database
from storage.errors import LeaseLost
from storage.repos.queues import OutboxItem, OutboxRepo

log = logging.getLogger(__name__)

REFILL = 500  # rows read from the outbox at a time
REFILL_GAP = 0.05  # seconds between reads while buffered work remains
COUNTED = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
MAX_BACKOFF = 300.0
_HARMLESS = ("message is not modified",)

FailureHook = Callable[[OutboxItem, str], Awaitable[None]]
# (old chat id, new chat id): move the binding and everything queued for the chat.
MigrationHook = Callable[[int, int], Awaitable[None]]


class ApiCaller(Protocol):
    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any] | None = None) -> Any:
        """Call one Bot API method with JSON parameters."""
        ...


class Sender:
    """The background task that empties the outbox."""

    def __init__(
        self,
        bot: ApiCaller,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        settings: DeliverySettings,
        *,
        on_permanent_failure: FailureHook | None = None,
        on_chat_migrated: MigrationHook | None = None,
        limiter: FloodLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.outbox = outbox
        self.repo = OutboxRepo(db)
        self.clock = clock
        self.settings = settings
        self.on_permanent_failure = on_permanent_failure
        self.on_chat_migrated = on_chat_migrated
        self.marks = SentMarks(db, self.repo, clock)
        self._sem = asyncio.Semaphore(settings.concurrency)
        self._inflight: set[int] = set()
        self._busy_chats: set[int] = set()
        self.limiter = limiter or FloodLimiter(
            Limits(
                global_per_second=settings.global_per_second,
                group_per_minute=settings.group_per_minute,
                private_interval_seconds=settings.private_interval_seconds,
            )
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._buffer: list[OutboxItem] = []
        # The ids of the uncounted calls buffered (a superset: those started leave it).
        self._uncounted: set[int] = set()
        self._more = False
        # The highest outbox id read: reads between full ones go past it. None after a full
        # read found nothing (ids may restart lower once old rows are purged): read all again.
        self._read_upto: int | None = None
        self._next_refill = 0.0
        self._last_refill = 0.0
        self._progress = asyncio.Event()
        self._stopping = False

    # -- the loop ----------------------------------------------------------------------------
    async def run(self) -> None:
        """Deliver until `stop()`.

        Rows are read from the database only when new ones were enqueued, a retry falls due, the
        buffer runs low, or a second has passed; a finished send just dispatches the next
        buffered item (re-reading after every send made a backlog's delivery quadratic).
        """
        await self.marks.start()
        # Sends of the sender before this one (another worker, or this process before a crash).
        await recall_sends(self.db, self.limiter, self.clock, self.settings, COUNTED)
        while not self._stopping:
            now = time.monotonic()
            # New rows are read at once into an empty buffer, else at most every REFILL_GAP
            # seconds: each read costs database work that update handling needs too.
            throttled = self._throttled(now)
            full = now >= self._next_refill or self._read_upto is None
            if (self.outbox.wakeup.is_set() and not throttled) or full or self._low():
                self.outbox.wakeup.clear()  # before reading, so no enqueue is missed
                try:
                    if full or len(self._buffer) < REFILL:
                        await self._refill(full=full)
                    else:  # enough work buffered: read the rest once it runs low
                        self._more = True
                except Exception:  # the loop must survive a bad round (e.g. database busy)
                    log.exception("outbox read failed")
                    self._next_refill = time.monotonic() + 1.0
                self._last_refill = time.monotonic()
            self._progress.clear()
            sleep_for = await self._dispatch()
            if self._stopping:
                break
            if self._throttled(time.monotonic()):
                gap = REFILL_GAP - (time.monotonic() - self._last_refill)
                await _wait_any(self._progress, timeout=max(min(sleep_for, gap), 0.001))
            elif self.outbox.wakeup.is_set() or self._progress.is_set():
                continue
            else:
                await _wait_any(self.outbox.wakeup, self._progress, timeout=sleep_for)

    def _throttled(self, now: float) -> bool:
        return (
            self.outbox.wakeup.is_set()
            and bool(self._buffer)
            and now - self._last_refill < REFILL_GAP
        )

    def _low(self) -> bool:
        return self._more and len(self._buffer) < 100

    async def _refill(self, *, full: bool) -> None:
        """Read due rows: all of them (`full`: at least every second, and when a retry or a
        moved chat falls due), else only the rows queued since the last read, appended.

        Re-reading (and decoding) every buffered row on each enqueue cost more than all the
        sends under a backlog; a new row always has a higher id than those read before it (one
        writer, and this read waits for its commit).
        """
        now = self.clock.now()
        next_due = None
        async with self.db.transaction():
            if full:
                items = await self.repo.due(now, limit=REFILL)
                next_due = await self.repo.next_due_at(now) if len(items) < REFILL else None
            else:
                assert self._read_upto is not None
                items = await self.repo.due_after(self._read_upto, now, limit=REFILL)
        fresh = [
            item
            for item in items
            if item.id not in self._inflight and not self.marks.pending(item.id)
        ]
        self._more = len(items) == REFILL
        self._uncounted.update(item.id for item in fresh if item.method not in COUNTED)
        if not full:
            if items:
                self._read_upto = items[-1].id
            self._buffer += fresh
            return
        if not items:
            self._read_upto = None
        elif self._more and self._read_upto is not None and self._read_upto > items[-1].id:
            # A backlog past this read's limit: keep what was read beyond it (still pending,
            # never re-read), rather than reading and decoding it all again.
            fresh += [item for item in self._buffer if item.id > items[-1].id]
        else:
            self._read_upto = items[-1].id
        self.limiter.forget_idle()
        self._buffer = fresh
        self._uncounted = {item.id for item in fresh if item.method not in COUNTED}
        wait = 1.0
        if next_due is not None:
            wait = min(wait, max((next_due - self.clock.now()).total_seconds(), 0.01))
        self._next_refill = time.monotonic() + wait

    async def _dispatch(self) -> float:
        """Start every buffered send the limits allow; return how long until one may be."""
        wake = max(self._next_refill - time.monotonic(), 0.01)
        blocked: set[int] = set()
        waiting: list[OutboxItem] = []
        buffer = self._buffer
        for index, item in enumerate(buffer):
            if self._stopping:
                waiting += buffer[index:]
                break
            counted = item.method in COUNTED
            if item.chat_id in self._busy_chats or (counted and item.chat_id in blocked):
                if counted:
                    blocked.add(item.chat_id)
                waiting.append(item)
                continue
            wait = self.limiter.wait(item.chat_id, counted=counted)
            if wait > 0:
                wake = min(wake, wait)
                waiting.append(item)
                if counted:
                    blocked.add(item.chat_id)
                    if self.limiter.global_wait() > 0:
                        # The global limit holds every other counted send back this pass: only
                        # uncounted calls (edits, button answers) may go; visiting each held
                        # send made a backlog's delivery quadratic.
                        wake = await self._dispatch_uncounted(buffer[index + 1 :], waiting, wake)
                        break
                continue
            await self._start(item, counted=counted)
        self._buffer = waiting
        return wake

    async def _dispatch_uncounted(
        self, rest: list[OutboxItem], waiting: list[OutboxItem], wake: float
    ) -> float:
        """Start the uncounted calls of `rest` that may go, keep the others in `waiting`."""
        if not self._uncounted:
            waiting += rest
            return wake
        for index, item in enumerate(rest):
            if self._stopping:
                waiting += rest[index:]
                break
            if item.method in COUNTED or item.chat_id in self._busy_chats:
                waiting.append(item)
                continue
            wait = self.limiter.wait(item.chat_id, counted=False)
            if wait > 0:
                wake = min(wake, wait)
                waiting.append(item)
                continue
            await self._start(item, counted=False)
        return wake

    async def _start(self, item: OutboxItem, *, counted: bool) -> None:
        await self._sem.acquire()
        if counted:
            # Counted from now, when the request goes out (after any wait for a slot).
            self.limiter.start(item.chat_id)
        else:
            self._uncounted.discard(item.id)
        self._busy_chats.add(item.chat_id)
        self._inflight.add(item.id)
        task = asyncio.create_task(self._deliver(item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            await self._attempt(item)
        except LeaseLost:  # another worker leads now: it delivers what is left, this one stops
            self._stopping = True
        except Exception:
            log.exception("outbox item %s: unexpected failure", item.id)
            await self._retry(item, "unexpected error", backoff=True)
        finally:
            self._inflight.discard(item.id)
            self._busy_chats.discard(item.chat_id)
            self._sem.release()
            self._progress.set()

    async def _attempt(self, item: OutboxItem) -> None:
        answered = False
        try:
            try:
                result = await self.bot.do_api_request(item.method, api_kwargs=api_kwargs(item))
                answered = True
            except TelegramError as exc:
                answered = not isinstance(exc, NetworkError) or isinstance(exc, BadRequest)
                raise
            finally:
                # Before any database work: the send stops counting a window after its answer.
                if item.method in COUNTED:
                    self.limiter.finish(item.chat_id, answered=answered)
        except RetryAfter as exc:
            delay = retry_seconds(exc)
            self.limiter.pause(item.chat_id, delay)
            log.warning("outbox %s chat %s: 429, retry after %.0fs", item.id, item.chat_id, delay)
            await self._retry(item, f"429 retry_after={delay}", delay=delay)
        except ChatMigrated as exc:
            await self._migrated(item, exc.new_chat_id)
        except BadRequest as exc:
            if any(text in exc.message.lower() for text in _HARMLESS):
                await self._sent(item, None)
            else:
                await self._fail(item, f"400 {exc.message}")
        except Forbidden as exc:
            await self._fail(item, f"403 {exc.message}")
        except NetworkError as exc:  # timeouts, dropped connections, 5xx
            await self._retry(item, f"network: {exc.message}", backoff=True)
        except TelegramError as exc:
            if item.attempts + 1 >= self.settings.max_attempts:
                await self._fail(item, f"error: {exc.message}")
            else:
                await self._retry(item, f"error: {exc.message}", backoff=True)
        else:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            await self._sent(item, message_id)

    async def _sent(self, item: OutboxItem, message_id: int | None) -> None:
        # Holds the concurrency slot until the mark is written (see SentMarks.add).
        await self.marks.add(item, message_id)
        log.debug("outbox %s sent to chat %s (ticket %s)", item.id, item.chat_id, item.ticket_id)

    async def _retry(
        self, item: OutboxItem, error: str, *, delay: float | None = None, backoff: bool = False
    ) -> None:
        if backoff:
            delay = min(MAX_BACKOFF, 2.0 ** min(item.attempts, 10)) * random.uniform(0.5, 1.0)
        when = self.clock.now() + timedelta(seconds=delay or 0.0)
        async with self.db.transaction():
            await self.repo.reschedule(item.id, when, error)
        self._next_refill = min(self._next_refill, time.monotonic() + (delay or 0.0))

    async def _migrated(self, item: OutboxItem, new_chat_id: int) -> None:
        """The group became a supergroup: move its queue (this item too) to the new id."""
        log.warning(
            "outbox %s: chat %s was upgraded to supergroup %s; moving its queue",
            item.id,
            item.chat_id,
            new_chat_id,
        )
        async with self.db.transaction():
            if self.on_chat_migrated is not None:
                await self.on_chat_migrated(item.chat_id, new_chat_id)
            else:
                await self.repo.move_chat(item.chat_id, new_chat_id)
        # Buffered copies still address the old id: read them again, moved.
        self._buffer = [queued for queued in self._buffer if queued.chat_id != item.chat_id]
        self._next_refill = time.monotonic()

    async def _fail(self, item: OutboxItem, error: str) -> None:
        # A "sent" mark still waiting may re-arm this chat: write it first, so it cannot
        # erase the failure recorded below.
        try:
            await self.marks.write()
        except Exception:  # the marks' writer task keeps retrying them
            log.exception("could not record sent messages before a failure")
        self.marks.failed(item.chat_id)
        log.warning(
            "outbox %s (%s, chat %s, ticket %s) failed for good: %s",
            item.id,
            item.method,
            item.chat_id,
            item.ticket_id,
            error,
        )
        async with self.db.transaction():
            await self.repo.mark_failed(item.id, error, self.clock.now())
            if item.method not in SILENT_METHODS and self.on_permanent_failure is not None:
                await self.on_permanent_failure(item, error)

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop taking new items and let in-flight sends finish (bounded)."""
        self._stopping = True
        self.outbox.wakeup.set()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        await self.marks.stop(timeout)


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    """Wait until any of the events is set, or the timeout passes."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
