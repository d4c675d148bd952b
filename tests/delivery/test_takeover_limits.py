"""The flood limits hold across a change of sender (another worker took the lease, or this
process restarted after a crash): the new sender counts what the one before it sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.config import DeliverySettings
from bot.delivery.handover import MARK_LAG, recall_sends
from bot.delivery.limiter import FloodLimiter, Limits
from bot.delivery.outbox import Outbox
from bot.delivery.sender import COUNTED
from storage.db import Database
from storage.repos.queues import OutboxRepo
from tests.delivery.test_limiter import GROUP, OTHER_GROUP, PRIVATE, Ticks, limiter


def test_a_recalled_send_counts_like_one_made_here() -> None:
    ticks = Ticks()
    flood = limiter(ticks)
    for _ in range(19):
        flood.recall(GROUP, ago=30.0)
    flood.recall(PRIVATE, ago=0.5)
    assert flood.wait(GROUP) == pytest.approx(30.01)
    assert flood.wait(OTHER_GROUP) == 0.0
    assert flood.wait(PRIVATE) == pytest.approx(0.56)
    ticks.now += 30.01
    assert flood.wait(GROUP) == 0.0


def test_a_hold_stops_counted_sends_only() -> None:
    ticks = Ticks()
    flood = limiter(ticks)
    flood.hold(1.5)
    assert flood.wait(OTHER_GROUP) == pytest.approx(1.5)
    assert flood.wait(PRIVATE) == pytest.approx(1.5)
    assert flood.wait(PRIVATE, counted=False) == 0.0


async def sent(db: Database, clock: FixedClock, chat_id: int, ago: float, count: int = 1) -> None:
    """Messages the sender before this one delivered `ago` seconds ago."""
    outbox = Outbox(db, clock)
    async with db.transaction():
        for n in range(count):
            (item,) = await outbox.send_message(chat_id, f"earlier {n}")
            await OutboxRepo(db).mark_sent_many(
                [(item, n + 1)], clock.now() - timedelta(seconds=ago)
            )


async def new_limiter(db: Database, clock: FixedClock, ticks: Ticks) -> FloodLimiter:
    """The limiter of a sender starting now, after it recalled the sends before it."""
    settings = DeliverySettings()
    flood = FloodLimiter(
        Limits(
            global_per_second=settings.global_per_second,
            group_per_minute=settings.group_per_minute,
            private_interval_seconds=settings.private_interval_seconds,
        ),
        clock=ticks,
    )
    await recall_sends(db, flood, clock, settings, COUNTED)
    return flood


async def test_a_new_sender_counts_the_last_minutes_sends(db: Database, clock: FixedClock) -> None:
    await sent(db, clock, GROUP, ago=30.0, count=19)
    await sent(db, clock, PRIVATE, ago=0.2)
    await sent(db, clock, OTHER_GROUP, ago=90.0, count=19)  # outside the minute: forgotten
    flood = await new_limiter(db, clock, Ticks())
    # The group's minute is full until its 19 sends are a minute old.
    assert flood.wait(GROUP) == pytest.approx(30.01)
    # The last recorded send was 0.2 s ago: the previous sender may have made unrecorded ones
    # since (sent, then killed before the mark), so nothing counted starts until their
    # per-second windows are over, whatever the chat.
    hold = 1.05 + MARK_LAG - 0.2
    assert flood.wait(OTHER_GROUP) == pytest.approx(hold)
    assert flood.wait(PRIVATE) == pytest.approx(hold)
    assert flood.wait(PRIVATE, counted=False) == 0.0


async def test_nothing_is_held_after_a_quiet_spell(db: Database, clock: FixedClock) -> None:
    await sent(db, clock, PRIVATE, ago=5.0)
    flood = await new_limiter(db, clock, Ticks())
    assert flood.wait(PRIVATE) == 0.0 and flood.wait(GROUP) == 0.0
