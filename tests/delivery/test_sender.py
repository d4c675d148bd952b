"""The sender as it runs: started, observed through the outbox and the fake Bot API, stopped.

No test here calls the sender's internals or sleeps to see that something did not happen: a
test waits for the outbox to be idle or for the calls it expects, and asserts an absence only
behind a fence (a later message to the same chat, delivered in order after the one that must
not exist). Exact pacing is the flood limiter's own business (its tests run on a fake clock).
"""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.clock import FixedClock
from bot.config import DeliverySettings
from bot.delivery.limiter import FloodLimiter, Limits
from bot.delivery.outbox import Button, Outbox
from bot.delivery.sender import Sender
from bot.runtime.lease import Fence, FencedBot
from storage.db import Database
from storage.repos.lease import LeaseEpochs
from storage.repos.queues import OutboxItem, OutboxRepo

TIMEOUT = 10.0


class FakeBot:
    """Records calls; raises the queued errors first."""

    def __init__(self, errors: list[Exception] | None = None) -> None:
        self.errors = list(errors or [])
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.attempts = 0

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, Any] | None = None) -> Any:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        self.calls.append((endpoint, api_kwargs or {}))
        return {"message_id": len(self.calls)}

    def texts(self) -> list[str]:
        return [params["text"] for _, params in self.calls]


class Monotonic:
    """The flood limiter's clock: real monotonic time, plus the jumps a test makes."""

    def __init__(self) -> None:
        self.jumped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.jumped


class Rig:
    """An outbox, its sender and what the sender reported as permanent failures."""

    def __init__(self, db: Database, clock: FixedClock, bot: FakeBot, **settings: Any) -> None:
        self.db = db
        self.bot = bot
        self.outbox = Outbox(db, clock)
        self.failures: list[str] = []
        self.ticks = Monotonic()
        delivery = DeliverySettings(
            **{"private_interval_seconds": 0.0, "global_per_second": 1000.0, **settings}
        )
        limits = Limits(
            global_per_second=delivery.global_per_second,
            group_per_minute=delivery.group_per_minute,
            private_interval_seconds=delivery.private_interval_seconds,
        )
        self.sender = Sender(
            bot,
            db,
            self.outbox,
            clock,
            delivery,
            on_permanent_failure=self.failed,
            limiter=FloodLimiter(limits, clock=self.ticks),
        )

    async def failed(self, item: OutboxItem, error: str) -> None:
        self.failures.append(f"{item.chat_id}:{error}")

    async def counts(self) -> dict[str, int]:
        async with self.db.transaction():
            return await OutboxRepo(self.db).counts()

    async def rescheduled(self, attempts: int) -> bool:
        """Whether a failed attempt number `attempts` is recorded (with its next attempt time)."""
        async with self.db.transaction():
            return bool(await self.db.fetchval("SELECT MAX(attempts) FROM outbox") >= attempts)

    async def idle(self) -> dict[str, int]:
        """Wait until nothing is pending; return the outbox's counts by status."""
        return await until(self._settled, "an idle outbox")

    async def _settled(self) -> dict[str, int] | None:
        counts = await self.counts()
        return None if counts.get("pending") else counts

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Rig]:
        task = asyncio.create_task(self.sender.run())
        try:
            yield self
        finally:
            await self.sender.stop(timeout=TIMEOUT)
            await asyncio.wait_for(task, TIMEOUT)


async def until(probe: Callable[[], Any], what: str) -> Any:
    """Poll `probe` (plain or async) until it returns something truthy: waiting *for* it."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = probe()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {TIMEOUT:.0f} s for {what}")
        await asyncio.sleep(0.01)


async def test_long_text_is_split_and_kept_in_order(db: Database, clock: FixedClock) -> None:
    rig = Rig(db, clock, FakeBot())
    text = "\n".join(f"第{i}行" + "字" * 100 for i in range(100))
    async with rig.running():
        async with db.transaction():
            ids = await rig.outbox.send_message(
                -100, text, keyboard=[[Button("签收", "t:claim:1")]]
            )
        assert await rig.idle() == {"sent": len(ids)}
    assert len(ids) > 1
    assert "\n".join(rig.bot.texts()) == text
    calls = rig.bot.calls
    assert "reply_markup" in calls[-1][1] and "reply_markup" not in calls[0][1]


async def test_transient_errors_are_retried_until_delivered(
    db: Database, clock: FixedClock
) -> None:
    bot = FakeBot([NetworkError("Bad Gateway"), RetryAfter(timedelta(seconds=1))])
    rig = Rig(db, clock, bot)
    async with rig.running():
        async with db.transaction():
            await rig.outbox.send_message(42, "你好")
        for attempt in (1, 2):
            # Each failure reschedules the message on the outbox's clock and holds the chat in
            # the limiter (a lost send's grace, the 429's pause): move both past it.
            await until(lambda a=attempt: rig.rescheduled(a), f"attempt {attempt} rescheduled")
            clock.advance(timedelta(minutes=10))
            rig.ticks.jumped += 600.0
        assert await rig.idle() == {"sent": 1}
    assert bot.texts() == ["你好"] and bot.attempts == 3
    assert rig.failures == []


async def test_permanent_failures_are_recorded_once(db: Database, clock: FixedClock) -> None:
    bot = FakeBot(
        [
            Forbidden("Forbidden: bot was blocked by the user"),
            BadRequest("Bad Request: chat not found"),
        ]
    )
    rig = Rig(db, clock, bot)
    async with rig.running():
        async with db.transaction():
            await rig.outbox.send_message(7, "一")
        await until(lambda: rig.failures, "the first failure")
        async with db.transaction():
            await rig.outbox.send_message(-8, "二")
        assert await rig.idle() == {"failed": 2}
    assert len(rig.failures) == 2 and rig.failures[0].startswith("7:403")
    assert rig.failures[1].startswith("-8:400")


async def test_not_modified_counts_as_delivered(db: Database, clock: FixedClock) -> None:
    bot = FakeBot([BadRequest("Message is not modified: specified new message content")])
    rig = Rig(db, clock, bot)
    async with rig.running():
        async with db.transaction():
            await rig.outbox.edit_text(5, 10, "同样的内容")
        assert await rig.idle() == {"sent": 1}
    assert rig.failures == []


async def test_rolled_back_change_sends_nothing(db: Database, clock: FixedClock) -> None:
    rig = Rig(db, clock, FakeBot())
    async with rig.running():
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await rig.outbox.send_message(1, "不该发出")
                raise RuntimeError
        # The fence: a chat's messages go out in order, so once a later one is delivered, the
        # rolled-back one would have been delivered before it.
        async with db.transaction():
            await rig.outbox.send_message(1, "之后的消息")
        await until(lambda: rig.bot.calls, "the later message")
    assert rig.bot.texts() == ["之后的消息"]


async def test_group_pacing_holds_the_twentieth_message(db: Database, clock: FixedClock) -> None:
    rig = Rig(db, clock, FakeBot(), group_per_minute=19)
    async with rig.running():
        async with db.transaction():
            for i in range(25):
                await rig.outbox.send_message(-500, f"m{i}")
        await until(lambda: len(rig.bot.calls) >= 19, "19 messages")
    # Stopped: nothing more can go out. The 20th waits for the minute to pass (it does not here:
    # the test takes well under a minute); the limiter's own tests time it exactly.
    assert rig.bot.texts() == [f"m{i}" for i in range(19)]
    assert await rig.counts() == {"sent": 19, "pending": 6}


async def test_a_button_answer_passes_a_backlog_the_global_limit_holds(
    db: Database, clock: FixedClock
) -> None:
    """Uncounted calls go while the global limit holds every message back: a press behind a
    backlog is answered at once, and the held messages keep their order."""
    rig = Rig(db, clock, FakeBot(), global_per_second=1.0)
    async with rig.running():
        async with db.transaction():
            for i in range(20):
                await rig.outbox.send_message(-600 - i, f"m{i}")
            await rig.outbox.answer_callback(7, "press-1", "已认领")
        await until(
            lambda: any(method == "answerCallbackQuery" for method, _ in rig.bot.calls),
            "the button answer",
        )
        sent_before = [
            params["text"] for method, params in rig.bot.calls if method != "answerCallbackQuery"
        ]
    # One message a second: far from all twenty went before the answer.
    assert len(sent_before) < 20
    texts = [params["text"] for method, params in rig.bot.calls if method == "sendMessage"]
    assert texts == [f"m{i}" for i in range(len(texts))]


async def test_a_sender_whose_lease_was_taken_records_no_mark_and_stops(
    db: Database, clock: FixedClock
) -> None:
    """Its mark, under an older epoch than the database's, is refused: the row stays due for
    the worker that leads now, and this sender sends nothing more."""
    async with db.transaction():
        token = await LeaseEpochs(db).advance()
    fence = Fence(token, ttl=math.inf, shared=True, since=0.0, clock=time.monotonic)
    bot = FakeBot()
    rig = Rig(db, clock, bot)
    rig.sender.bot = FencedBot(bot, fence)
    with db.fenced(fence):  # as the leader's work runs it (`bot.runtime.leader_work`)
        task = asyncio.create_task(rig.sender.run())
    try:
        async with db.transaction():
            await rig.outbox.send_message(1, "一")
        assert await rig.idle() == {"sent": 1}
        async with db.transaction():  # another worker takes the lease
            assert await LeaseEpochs(db).advance() == token + 1
        async with db.transaction():
            await rig.outbox.send_message(1, "二")
            await rig.outbox.send_message(1, "三")
        await asyncio.wait_for(task, TIMEOUT)  # it stopped by itself
    finally:
        await rig.sender.stop(timeout=TIMEOUT)
    # 二 went out before its mark was refused (the new leader sends it again), 三 never did.
    assert bot.texts() == ["一", "二"]
    assert await rig.counts() == {"sent": 1, "pending": 2}
    assert fence.reason is not None and "another worker took the lease" in fence.reason
