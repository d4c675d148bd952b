"""Several workers drain one inbox: each update is claimed and handled by exactly one of them.

Two processors, each on a connection (SQLite) or a pool (PostgreSQL) of its own to the same
database, as two `liaison-bot run` processes would be. The handler records who handled what
outside the transaction, so a second handling would show even though its writes roll back.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.clock import FixedClock
from bot.ingest.processor import UpdateProcessor, current_scope
from sandbox.server import TelegramSandbox
from storage.db import Database
from storage.open import open_database
from storage.repos.queues import InboxRepo
from tests.databases import database_url
from tests.ingest.test_processor import TOKEN, update

UPDATES = 120


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    emulator = TelegramSandbox()
    await emulator.start()
    emulator.create_bot(TOKEN, "processor_bot")
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one database, as two workers have."""
    url = database_url(tmp_path, "claims")
    first, second = open_database(url), open_database(url)
    await first.connect()
    await second.connect()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def worker(
    name: str, db: Database, sandbox: TelegramSandbox, handled: list[tuple[str, int]]
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = Application.builder().token(TOKEN).base_url(sandbox.api_base_url).updater(None).build()
    await app.initialize()

    async def note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append((name, update.update_id))
        await db.execute("INSERT INTO kv VALUES (?, ?)", (f"k{update.update_id}", name))
        await asyncio.sleep(0)  # let the other worker run in between

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = current_scope.get()
        assert scope is not None
        scope.error = context.error

    app.add_handler(CommandHandler("ok", note))
    app.add_error_handler(record)
    return app


async def test_two_workers_handle_each_update_once(
    pair: tuple[Database, Database], clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    first_db, second_db = pair
    async with first_db.transaction():
        await InboxRepo(first_db).add_many(
            [update(n, "/ok") for n in range(1, UPDATES + 1)], clock.now()
        )
    handled: list[tuple[str, int]] = []
    first = UpdateProcessor(await worker("a", first_db, sandbox, handled), first_db, clock)
    second = UpdateProcessor(await worker("b", second_db, sandbox, handled), second_db, clock)

    counts = await asyncio.gather(first.drain(), second.drain())

    per_update = Counter(update_id for _, update_id in handled)
    assert sorted(per_update) == list(range(1, UPDATES + 1))
    assert set(per_update.values()) == {1}, [u for u, n in per_update.items() if n > 1]
    assert sum(counts) == UPDATES and first.processed + second.processed == UPDATES
    async with first_db.transaction():
        assert await InboxRepo(first_db).counts() == {"done": UPDATES}
        assert await first_db.fetchval("SELECT COUNT(*) FROM kv WHERE key LIKE 'k%'") == UPDATES


async def test_a_failure_is_not_recorded_over_another_workers_success(
    pair: tuple[Database, Database], clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    """Worker a's handler fails and rolls back; before a records the failure, worker b handles
    the update (it was pending again): it stays done, and nobody is told of a failure."""
    first_db, second_db = pair
    async with first_db.transaction():
        await InboxRepo(first_db).add(update(7, "/ok"), clock.now())
    handled: list[tuple[str, int]] = []
    failures: list[int] = []

    async def on_failure(payload: dict[str, Any], error: BaseException) -> None:
        failures.append(payload["update_id"])

    app = await worker("a", first_db, sandbox, handled)

    async def fail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("a transient failure in worker a")

    app.handlers[0].insert(0, CommandHandler("ok", fail))
    first = UpdateProcessor(app, first_db, clock, on_failure=on_failure)
    second = UpdateProcessor(await worker("b", second_db, sandbox, handled), second_db, clock)
    record_failure = first._record_failure

    async def meanwhile(update_id: int, payload: dict[str, Any], error: Any) -> None:
        # Between a's rollback and its failure record: b claims the pending update.
        assert await second.process(update_id, payload)
        await record_failure(update_id, payload, error)

    first._record_failure = meanwhile  # type: ignore[method-assign]
    assert await first.process(7, update(7, "/ok"))
    assert handled == [("b", 7)] and failures == []
    async with first_db.transaction():
        assert await InboxRepo(first_db).counts() == {"done": 1}
