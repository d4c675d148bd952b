"""Repeated identical failures alert the admins once, with a count: a stranger repeating a command
that fails cannot flood the duty desk with one alert each.

The failure is a handler of the test's own that raises (as `/ticket ²` once did), registered
before the bot's; everything else is the running bot's: the Application, the processor, the
failure service, the notifier and the outbox.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.clock import FixedClock
from bot.context import BotContext
from bot.services.failures import REPEAT_WINDOW
from storage.db import Database
from storage.repos.queues import OutboxRepo
from tests.ingest.park import ParkApp, open_park
from tests.story import ADMIN_TG

STRANGER = 4242


async def broken(update: Update, context: BotContext) -> None:
    """A command with a bug: the same error at the same place, whoever sends it."""
    raise KeyError("a bug")


async def other_bug(update: Update, context: BotContext) -> None:
    raise ValueError("another bug")


@pytest.fixture
async def park(db: Database, clock: FixedClock) -> AsyncIterator[ParkApp]:
    async with open_park(db, clock) as started:
        started.app.add_handler(CommandHandler("broken", broken), group=-100)
        started.app.add_handler(CommandHandler("other", other_bug), group=-100)
        yield started


async def admin_texts(park: ParkApp, purpose: str) -> list[str]:
    """The texts of the admins' messages of `purpose` (a LIKE pattern), oldest first."""
    rows = await park.rows(
        "SELECT params FROM outbox WHERE chat_id = ? AND purpose LIKE ? ORDER BY id",
        ADMIN_TG,
        purpose,
    )
    return [json.loads(params)["text"] for (params,) in rows]


async def test_identical_failures_alert_once_then_their_count(park: ParkApp) -> None:
    first = park.clock.now()
    for n in range(5):
        update_id = await park.feed({"message": park.message(STRANGER, STRANGER, f"/broken {n}")})
        assert await park.status(update_id) == "failed"
        park.clock.advance(timedelta(seconds=30))
    # Each sender is still told, every time.
    apologies = "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND purpose = 'admin_apology'"
    assert await park.value(apologies, STRANGER) == 5
    # The admins: one alert at once, one follow-up with the count, due when the window closes.
    [alert] = await admin_texts(park, "admin_error")
    assert "KeyError" in alert and "test_failure_alerts.py" in alert
    [follow_up] = await admin_texts(park, "admin_repeat:%")
    assert "又发生 4 次" in follow_up and "KeyError" in follow_up
    async with park.db.transaction():
        waiting = OutboxRepo(park.db)
        due_now = sorted(i.purpose for i in await waiting.due(park.clock.now()))
        assert due_now == ["admin_apology"] * 5 + ["admin_error"]
        closes = first + REPEAT_WINDOW
        assert [i.purpose for i in await waiting.due(closes)][-1].startswith("admin_repeat:")

    # Another failure is another alert, at once.
    await park.feed({"message": park.message(STRANGER, STRANGER, "/other")})
    assert "ValueError" in (await admin_texts(park, "admin_error"))[1]

    # After the window, the same failure alerts again; the first window's count stays told.
    park.clock.set(first + REPEAT_WINDOW + timedelta(seconds=1))
    await park.feed({"message": park.message(STRANGER, STRANGER, "/broken again")})
    alerts = await admin_texts(park, "admin_error")
    assert len(alerts) == 3 and "KeyError" in alerts[2]
    assert await admin_texts(park, "admin_repeat:%") == [follow_up]


async def test_identical_quarantines_alert_once_then_their_count(park: ParkApp) -> None:
    services = park.app.bot_data.services
    assert services is not None
    for update_id in (1, 2, 3):
        try:
            raise OverflowError("an id beyond int64")
        except OverflowError as error:
            await services.failures.update_quarantined(update_id, error)
    [alert] = await admin_texts(park, "admin_error")
    assert "编号 1" in alert and "已隔离" in alert and "OverflowError" in alert
    [follow_up] = await admin_texts(park, "admin_repeat:%")
    assert "又有 2 条用户消息" in follow_up and "被隔离" in follow_up
