"""Telegram's flood limits across a change of sender.

One sender runs at a time: the leader's (`bot.runtime.lease`). When another worker takes over, or
the bot restarts after a crash, the new sender starts with an empty `FloodLimiter`; without the
sends of the one before it, it could send a group its 20 messages of a minute again. So it
reads them from the outbox first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.clock import Clock
from bot.config import DeliverySettings
from bot.delivery.limiter import FloodLimiter
from storage.db import Database
from storage.repos.queues import OutboxRepo

# How long after its answer a send may still wait for its "sent" mark (`bot.delivery.marks`).
MARK_LAG = 1.0


async def recall_sends(
    db: Database,
    limiter: FloodLimiter,
    clock: Clock,
    settings: DeliverySettings,
    counted: Iterable[str],
) -> None:
    """Count the sends (calls of the `counted` methods) of the sender before this one.

    The last minute's recorded sends fill the per-group windows. Its last sends may not be
    recorded (sent, then killed before the mark): one per chat at most (one send in flight per
    chat), so while its recorded sends are recent, no counted send starts until the per-second
    windows of those unrecorded ones are over too.
    """
    now = clock.now()
    async with db.reading():
        recent = await OutboxRepo(db).recent_sends(now - timedelta(seconds=61), counted)
    if not recent:
        return
    for chat_id, sent_at in recent:
        limiter.recall(chat_id, max((now - sent_at).total_seconds(), 0.0))
    last = max((now - recent[-1][1]).total_seconds(), 0.0)
    window = max(1.0, settings.private_interval_seconds) + MARK_LAG
    if last < window:
        limiter.hold(window - last)
