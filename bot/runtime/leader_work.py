"""The leader's work: what runs in one worker only, while it holds the lease (`bot.runtime.lease`).

The poller (polling mode: Telegram allows one poller per token), the outbox sender (one sender
keeps Telegram's flood limits and each chat's order across all workers), the deferred answers
and the scheduled jobs. `bot.runtime.process.Runtime` starts a `LeaderWork` when its process takes
the lease and stops it when the lease is lost or the process stops.

All of it runs under the take's `Fence` (`bot.runtime.lease`): its Bot API calls go through a
`FencedBot`, its tasks and jobs write inside `Database.fenced`, so once the fence breaks the work
neither calls Telegram nor writes, even before `stop` has run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.ext import Job

from bot.clock import Clock
from bot.config import Settings
from bot.context import BotApplication, BotContext, Services
from bot.delivery.sender import Sender
from bot.ingest.poller import Poller
from bot.ingest.processor import UpdateProcessor
from bot.offload.worker import DeferredWorker
from bot.runtime import schedule
from bot.runtime.lease import Fence, FencedBot
from storage.db import Database

log = logging.getLogger(__name__)

# Bounds on the shutdown steps that talk to Telegram, so a stop never waits on a dead network.
STOP_CALL_SECONDS = 3.0


@dataclass
class LeaderWork:
    """Start and stop the leader's tasks and jobs together."""

    settings: Settings
    clock: Clock
    app: BotApplication
    services: Services
    db: Database
    processor: UpdateProcessor
    # A send found its group upgraded: (old chat id, new chat id).
    on_chat_migrated: Callable[[int, int], Awaitable[None]]
    # Runs the poller until it stops (the runtime turns its fatal errors into exit codes).
    poll: Callable[[Poller], Coroutine[Any, Any, None]]
    fence: Fence  # of the take of the lease this work runs under
    sender: Sender | None = None
    deferred: DeferredWorker | None = None
    poller: Poller | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    jobs: list[Job[BotContext]] = field(default_factory=list)

    async def start(self) -> None:
        """Send, make deferred answers, poll (in polling mode) and schedule the jobs."""
        app, services, fence = self.app, self.services, self.fence
        assert app.job_queue is not None
        bot = FencedBot(app.bot, fence)
        # The tasks started here keep the fence: each of their writes checks it.
        with self.db.fenced(fence):
            self.sender = Sender(
                bot,
                self.db,
                services.outbox,
                self.clock,
                self.settings.delivery,
                on_permanent_failure=services.failures.delivery_failed,
                on_chat_migrated=self.on_chat_migrated,
            )
            self.tasks.append(asyncio.create_task(self.sender.run(), name="sender"))
            # Heavy answers (/export) are made here, after their update, off the processor.
            self.deferred = DeferredWorker(services)
            self.tasks.append(asyncio.create_task(self.deferred.run(), name="deferred"))
            if self.settings.telegram.mode == "polling":
                fence.check()
                await app.bot.delete_webhook(drop_pending_updates=False)
                self.poller = Poller(
                    bot,
                    self.db,
                    self.clock,
                    self.processor.wakeup,
                    timeout=self.settings.telegram.poll_timeout,
                )
                self.tasks.append(asyncio.create_task(self.poll(self.poller), name="poller"))
        self.jobs = schedule.schedule(app.job_queue, self.settings, fence)
        purge = schedule.fenced(self._purge, fence)
        self.jobs.append(app.job_queue.run_repeating(purge, interval=timedelta(hours=6), first=60))

    def stop_fetching(self) -> None:
        """Stop polling now (the first step of a stop)."""
        if self.poller is not None:
            self.poller.stop()
        for task in self.tasks:
            if task.get_name() == "poller":
                task.cancel()

    async def stop(self, *, acknowledge: bool) -> None:
        """Stop the jobs, the poller and the deferred work; flush the sender's sends.

        `acknowledge`: tell Telegram which polled updates are stored (on a graceful stop; a
        worker that lost the lease leaves that to the next poller, the inbox deduplicates).
        What the stop still writes (the last sent marks) is fenced like the rest of the work.
        """
        for job in self.jobs:
            job.schedule_removal()
        self.jobs = []
        with self.db.fenced(self.fence):
            await self._finish(acknowledge=acknowledge)

    async def _finish(self, *, acknowledge: bool) -> None:
        """Stop the tasks: the poller and the deferred work first, then the sender."""
        self.stop_fetching()
        if self.deferred is not None:
            self.deferred.stop()
        for task in self.tasks:
            # A render in progress would only delay the stop; its request is made again.
            if task.get_name() == "deferred":
                task.cancel()
        await asyncio.gather(
            *[t for t in self.tasks if t.get_name() != "sender"], return_exceptions=True
        )
        if self.poller is not None and acknowledge:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.poller.acknowledge(), STOP_CALL_SECONDS)
        if self.sender is not None:
            try:
                await self.sender.stop(timeout=3.0)
            except Exception as exc:  # the database may be what failed: the rows stay due
                log.warning("could not record the last sends on stop: %r", exc)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    async def _purge(self, context: BotContext) -> None:
        """Drop handled inbox rows after three days, then the outbox's and the other queues'."""
        purged = await self.processor.purge()
        if purged:
            log.info("purged %d handled updates from the inbox", purged)
        await schedule.purge(context.services)
