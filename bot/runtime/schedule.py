"""The scheduled work: each job's body, and when it runs (PTB's JobQueue, APScheduler).

The bodies take the services only, so the tests run one pass directly, and each body owns its
transactions: a step and the messages it owes (published by the service, queued by the
dispatcher) commit together, exactly once. No body calls a notifier.

Only the worker holding the lease runs them (`bot.runtime.lease`): `schedule` is called when it
takes the lease and the jobs are removed when it loses it. Exactly once does not rest on that: each
body claims what it does under the write lock (the airing's week record, a brief's day, a
ticket's step) in the transaction that queues its messages, so a second run, or a run by a
worker that died half-way and a run by its successor, sends nothing twice. Nor does it rest on
the removal: each run is `fenced` by the take of the lease it was scheduled under, so a worker
paused past the lease's timeout runs nothing on waking, and a run cut short by a new leader
writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.ext import Job, JobQueue

from bot.config import Settings
from bot.context import BotContext, Services
from bot.runtime.lease import Fence
from storage.errors import LeaseLost

log = logging.getLogger(__name__)

AIRING_CHECK_SECONDS = 30


JobCallback = Callable[[BotContext], Coroutine[Any, Any, None]]


def schedule(
    queue: JobQueue[BotContext], settings: Settings, fence: Fence
) -> list[Job[BotContext]]:
    """Register every repeating job on the bot's job queue, under `fence`; return them (to
    remove them)."""

    def every(body: Callable[[Services], Awaitable[object]], **when: Any) -> Job[BotContext]:
        return queue.run_repeating(fenced(_job(body), fence), **when)

    return [
        every(close_unrated, interval=300, first=2),
        every(sweep_deadlines, interval=settings.deadlines.sweep_seconds, first=5),
        # Every half minute rather than run_daily: the same cheap check posts on schedule,
        # catches up on start after a missed Monday, and after a worker took over from one that
        # died just before the airing was due (the week's record makes it post once).
        every(air_week, interval=AIRING_CHECK_SECONDS, first=10),
        every(sweep_jobs, interval=600, first=15),
        every(
            expire_logistics,
            interval=timedelta(minutes=settings.logistics.expire_every_minutes),
            first=20,
        ),
    ]


def fenced(callback: JobCallback, fence: Fence) -> JobCallback:
    """`callback` as the leader's job: not run once `fence` broke, and writing under it."""

    async def run(context: BotContext) -> None:
        if not fence.holds():
            return  # the lease is lost: the worker that leads now runs it
        log.debug("scheduled job %s runs under lease epoch %d", callback.__name__, fence.token)
        try:
            with context.services.db.fenced(fence):
                await callback(context)
        except LeaseLost as exc:
            log.info("scheduled job %s stopped: %s", callback.__name__, exc)

    run.__name__ = run.__qualname__ = callback.__name__
    return run


def _job(body: Callable[[Services], Awaitable[object]]) -> JobCallback:
    """A job callback that runs `body` on the bot's services."""

    async def run(context: BotContext) -> None:
        await body(context.services)

    run.__name__ = run.__qualname__ = body.__name__
    return run


async def close_unrated(services: Services) -> None:
    """Close tickets nobody rated within the window, as 未评价."""
    await services.tickets.ratings.close_unrated()


async def air_week(services: Services) -> None:
    """Post the weekly airing when it is due and not posted yet."""
    await services.airing.post_due()


async def purge(services: Services) -> None:
    """Drop expired private-report drafts, report-limit marks past their hour, sent messages
    and finished deferred work."""
    await services.private_reports.purge()
    await services.tickets.intake.purge_limit_marks()
    sent = await purge_delivered(services)
    if sent:
        log.info("purged %d sent messages from the outbox", sent)


async def sweep_deadlines(services: Services) -> None:
    """One pass of the deadline job: each step and its messages commit together."""
    # Each ticket's steps and their messages commit together, ticket by ticket.
    await services.escalation.sweep()
    async with services.db.transaction():
        await services.briefs.due()
        # Cadres nobody can reach: one grouped reminder a day to the admins.
        await services.reachability.due()


async def purge_delivered(services: Services) -> int:
    """Delete sent messages past `[delivery] sent_retention_days`, the prompts among them, and
    finished deferred work."""
    retention = timedelta(days=services.settings.delivery.sent_retention_days)
    purged = await services.outbox.purge_sent(retention)
    await services.prompts.purge(retention)
    await services.deferred.purge()
    return purged


async def sweep_jobs(services: Services) -> tuple[int, int]:
    """One job-post sweep in one transaction, so each post expires and is announced once."""
    async with services.db.transaction():
        expired = await services.recruiting.expire_due()
        noticed = await services.recruiting.expiry_notices()
        await services.job_conversations.purge_stale()
    return len(expired), len(noticed)


async def expire_logistics(services: Services) -> int:
    """One logistics expiry pass in one transaction, so each post expires and is told once
    (with the conversations left idle past `[logistics] draft_valid_hours`)."""
    async with services.db.transaction():
        expired = await services.logistics.expire()
        await services.logistics_conversations.purge_stale()
    return len(expired.offers) + len(expired.requests)
