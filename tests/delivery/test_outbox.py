"""The outbox and its sender: splitting, ordering, pacing, retries and permanent failures."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.clock import FixedClock
from bot.config import DeliverySettings
from bot.delivery.limiter import FloodLimiter, Limits
from bot.delivery.outbox import Button, Outbox, split_text
from bot.delivery.sender import Sender
from storage.db import Database
from storage.repos.queues import OutboxItem, OutboxRepo


def test_split_text_on_line_boundaries() -> None:
    lines = [f"第{i}行 " + "字" * 50 for i in range(200)]
    text = "\n".join(lines)
    chunks = split_text(text, limit=1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "\n".join(chunks) == text
    assert all(not c.startswith("\n") for c in chunks)
    assert split_text("短") == ["短"]
    long_line = "x" * 2500
    assert "".join(split_text(long_line, limit=1000)) == long_line


def test_callback_data_over_64_bytes_is_a_bug() -> None:
    with pytest.raises(ValueError):
        Button("按钮", "t:" + "长" * 30)


class FakeBot:
    """Records calls; raises the queued errors first."""

    def __init__(self, errors: list[Exception] | None = None) -> None:
        self.errors = list(errors or [])
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any] | None = None) -> Any:
        if self.errors:
            raise self.errors.pop(0)
        self.calls.append((endpoint, api_kwargs or {}))
        return {"message_id": len(self.calls)}


class Monotonic:
    """The limiter's clock: real monotonic time, plus the jumps a test makes."""

    def __init__(self) -> None:
        self.jumped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.jumped


async def make(
    db: Database, clock: FixedClock, bot: FakeBot, ticks: Monotonic | None = None
) -> tuple[Outbox, Sender, list[str]]:
    outbox = Outbox(db, clock)
    failures: list[str] = []

    async def on_failure(item: OutboxItem, error: str) -> None:
        failures.append(f"{item.chat_id}:{error}")

    settings = DeliverySettings(private_interval_seconds=0.0, global_per_second=1000.0)
    limits = Limits(settings.global_per_second, settings.group_per_minute, 0.0)
    limiter = FloodLimiter(limits, clock=ticks or Monotonic())
    sender = Sender(
        bot, db, outbox, clock, settings, on_permanent_failure=on_failure, limiter=limiter
    )
    return outbox, sender, failures


async def drain(sender: Sender) -> None:
    # Each send waits for its "sent" mark; without the marker task, the loop writes them.
    for _ in range(60):
        await sender._refill()
        await sender._dispatch()
        await sender._write_marks()
        await asyncio.sleep(0.01)


async def test_long_text_is_split_and_kept_in_order(db: Database, clock: FixedClock) -> None:
    bot = FakeBot()
    outbox, sender, _ = await make(db, clock, bot)
    text = "\n".join(f"第{i}行" + "字" * 100 for i in range(100))
    async with db.transaction():
        ids = await outbox.send_message(-100, text, keyboard=[[Button("签收", "t:claim:1")]])
    assert len(ids) > 1
    await drain(sender)
    sent = [params["text"] for _, params in bot.calls]
    assert "\n".join(sent) == text
    assert "reply_markup" in bot.calls[-1][1] and "reply_markup" not in bot.calls[0][1]
    async with db.transaction():
        assert await OutboxRepo(db).counts() == {"sent": len(ids)}


async def test_transient_errors_are_retried_until_delivered(
    db: Database, clock: FixedClock
) -> None:
    bot = FakeBot([NetworkError("Bad Gateway"), RetryAfter(timedelta(seconds=3))])
    ticks = Monotonic()
    outbox, sender, failures = await make(db, clock, bot, ticks)
    async with db.transaction():
        await outbox.send_message(42, "你好")
    await drain(sender)
    assert bot.calls == []
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        ticks.jumped += 600.0  # past the 429 pause and a lost send's grace
        await drain(sender)
    assert [c[1]["text"] for c in bot.calls] == ["你好"]
    assert failures == []


async def test_permanent_failures_are_recorded_once(db: Database, clock: FixedClock) -> None:
    bot = FakeBot(
        [
            Forbidden("Forbidden: bot was blocked by the user"),
            BadRequest("Bad Request: chat not found"),
        ]
    )
    outbox, sender, failures = await make(db, clock, bot)
    async with db.transaction():
        await outbox.send_message(7, "一")
        await outbox.send_message(-8, "二")
    await drain(sender)
    assert len(failures) == 2 and failures[0].startswith("7:403")
    async with db.transaction():
        assert await OutboxRepo(db).counts() == {"failed": 2}


async def test_not_modified_counts_as_delivered(db: Database, clock: FixedClock) -> None:
    bot = FakeBot([BadRequest("Message is not modified: specified new message content")])
    outbox, sender, failures = await make(db, clock, bot)
    async with db.transaction():
        await outbox.edit_text(5, 10, "同样的内容")
    await drain(sender)
    async with db.transaction():
        assert await OutboxRepo(db).counts() == {"sent": 1}
    assert failures == []


async def test_rolled_back_change_sends_nothing(db: Database, clock: FixedClock) -> None:
    bot = FakeBot()
    outbox, sender, _ = await make(db, clock, bot)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await outbox.send_message(1, "不该发出")
            raise RuntimeError
    await drain(sender)
    assert bot.calls == []


async def test_group_pacing_holds_the_twentieth_message(db: Database, clock: FixedClock) -> None:
    bot = FakeBot()
    outbox = Outbox(db, clock)
    sender = Sender(
        bot, db, outbox, clock, DeliverySettings(group_per_minute=19, global_per_second=1000.0)
    )
    async with db.transaction():
        for i in range(25):
            await outbox.send_message(-500, f"m{i}")
    await drain(sender)
    assert [c[1]["text"] for c in bot.calls] == [f"m{i}" for i in range(19)]
