"""Each update atomic with its messages, several per commit: a failing handler leaves no
half-written state, and each update's deferred work runs before the next update's handler."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes

from bot.clock import FixedClock
from bot.ingest.processor import (
    MAX_ATTEMPTS,
    DatabaseUnavailable,
    UpdateProcessor,
    current_scope,
)
from sandbox.server import TelegramSandbox
from storage.db import Database
from storage.repos.queues import InboxRepo


def update(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1795600000,
            "chat": {"id": 5, "type": "private", "first_name": "u"},
            "from": {"id": 5, "is_bot": False, "first_name": "u"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


TOKEN = "300003:TEST-token-processor-0000000000"


def recorder(failures: list[str]) -> Callable[[dict[str, Any], BaseException], Awaitable[None]]:
    """The processor's failure hook, noting `update_id:error` of each update recorded failed."""

    async def on_failure(payload: dict[str, Any], error: BaseException) -> None:
        failures.append(f"{payload['update_id']}:{error}")

    return on_failure


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    emulator = TelegramSandbox()
    await emulator.start()
    emulator.create_bot(TOKEN, "processor_bot")
    try:
        yield emulator
    finally:
        await emulator.stop()


async def make_app(
    db: Database, sandbox: TelegramSandbox
) -> Application[Any, Any, Any, Any, Any, Any]:
    app = Application.builder().token(TOKEN).base_url(sandbox.api_base_url).updater(None).build()
    await app.initialize()

    async def write(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await db.execute("INSERT INTO kv VALUES (?, 'x')", (f"k{update.update_id}",))

    async def write_then_fail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await write(update, context)
        raise RuntimeError("boom")

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        scope = current_scope.get()
        assert scope is not None
        scope.error = context.error
        raise ApplicationHandlerStop

    async def note_before_commit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async def note() -> None:
            await db.execute("INSERT INTO kv VALUES (?, 'x')", (f"n{update.update_id}",))

        await db.before_commit(note)

    async def saw_previous_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        previous = f"n{update.update_id - 1}"
        found = await db.fetchval("SELECT COUNT(*) FROM kv WHERE key = ?", (previous,))
        await db.execute("INSERT INTO kv VALUES (?, ?)", (f"saw{update.update_id}", str(found)))

    app.add_handler(CommandHandler("ok", write))
    app.add_handler(CommandHandler("fail", write_then_fail))
    app.add_handler(CommandHandler("note", note_before_commit))
    app.add_handler(CommandHandler("check", saw_previous_note))
    app.add_error_handler(record)
    return app


async def test_success_commits_and_failure_rolls_back(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    app = await make_app(db, sandbox)
    failures: list[str] = []
    processor = UpdateProcessor(app, db, clock, on_failure=recorder(failures))
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/ok"), update(2, "/fail"), update(3, "/ok")], clock.now())
        await inbox.add_many([update(1, "/ok")], clock.now())  # deduplicated
        assert await inbox.counts() == {"pending": 3}
    assert await processor.drain() == 3
    async with db.transaction():
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
        counts = await inbox.counts()
    assert keys == ["k1", "k3"]  # update 2's write was rolled back
    assert counts == {"done": 2, "failed": 1}
    assert failures == ["2:boom"]
    assert await processor.drain() == 0  # nothing replays twice


async def test_done_rows_are_purged_after_three_days(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    app = await make_app(db, sandbox)
    processor = UpdateProcessor(app, db, clock)
    async with db.transaction():
        await InboxRepo(db).add(update(9, "/ok"), clock.now())
    await processor.drain()
    assert await processor.purge() == 0
    clock.advance(timedelta(days=3, minutes=1))
    assert await processor.purge() == 1


async def test_a_group_runs_each_updates_deferred_work_before_the_next_update(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    app = await make_app(db, sandbox)
    processor = UpdateProcessor(app, db, clock)
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/note"), update(2, "/check")], clock.now())
    assert await processor.drain() == 2
    async with db.transaction():
        rows = dict(await db.fetchall("SELECT key, value FROM kv ORDER BY key"))
        counts = await inbox.counts()
    assert rows == {"n1": "x", "saw2": "1"}
    assert counts == {"done": 2}


async def test_a_database_outage_leaves_the_update_pending_not_failed(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    """The database failing for now (here its connection dropped under a handler) is not the
    update's fault: nothing is marked failed, nobody is told, and it is handled once the
    database answers again."""
    app = await make_app(db, sandbox)
    # Down for two tries: the group's, and the update's own when the group is redone singly.
    outage = [ConnectionResetError("connection to the database lost") for _ in range(2)]

    async def flaky(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await db.execute("INSERT INTO kv VALUES (?, 'x')", (f"f{update.update_id}",))
        if outage:
            raise outage.pop()

    app.add_handler(CommandHandler("flaky", flaky))
    failures: list[str] = []
    processor = UpdateProcessor(app, db, clock, on_failure=recorder(failures))
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/ok"), update(2, "/flaky"), update(3, "/ok")], clock.now())
    with pytest.raises(DatabaseUnavailable):
        await processor.drain()
    async with db.transaction():
        assert await inbox.counts() == {"done": 1, "pending": 2}
    assert failures == []
    assert await processor.drain() == 2  # the database answers again
    async with db.transaction():
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
        assert await inbox.counts() == {"done": 3}
    assert keys == ["f2", "k1", "k3"]  # the update's writes once, from its second run
    assert failures == []


def unstorable() -> Callable[[dict[str, Any], BaseException], Awaitable[None]]:
    """A failure hook that cannot record the failure, as when the apology's chat id fits no
    column (an id beyond int64)."""

    async def on_failure(payload: dict[str, Any], error: BaseException) -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    return on_failure


async def test_an_update_whose_failure_cannot_be_recorded_is_quarantined_and_the_line_moves_on(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    """Before: the failed update stayed pending at the head of the line, tried every second,
    and nothing after it was handled. Now it is tried `MAX_ATTEMPTS` times (each counted on its
    row), then quarantined with its error, the admins told once; the others are handled."""
    app = await make_app(db, sandbox)
    told: list[str] = []

    async def on_quarantine(update_id: int, error: BaseException) -> None:
        told.append(f"{update_id}:{error}")

    processor = UpdateProcessor(
        app, db, clock, on_failure=unstorable(), on_quarantine=on_quarantine
    )
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/fail"), update(2, "/ok"), update(3, "/ok")], clock.now())
    assert await processor.drain() == 3
    async with db.transaction():
        assert await inbox.counts() == {"done": 2, "quarantined": 1}
        [failure] = await inbox.failures(status="quarantined")
        keys = [r[0] for r in await db.fetchall("SELECT key FROM kv ORDER BY key")]
    assert failure.update_id == 1 and failure.attempts == MAX_ATTEMPTS
    assert "RuntimeError('boom')" in failure.error
    assert told == ["1:boom"]
    assert keys == ["k2", "k3"]  # the failed update's writes rolled back each time
    assert await processor.drain() == 0  # nothing replays


async def test_an_update_nothing_can_be_written_for_is_set_aside_by_the_process(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not even its attempt can be counted: this process skips it, the others are handled."""
    app = await make_app(db, sandbox)
    processor = UpdateProcessor(app, db, clock, on_failure=unstorable())

    async def uncountable(update_id: int, error: str) -> int | None:
        raise ValueError("nothing can be written for this update")

    monkeypatch.setattr(processor.inbox, "count_attempt", uncountable)
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/fail"), update(2, "/ok")], clock.now())
    assert await processor.drain() == 1
    assert processor.set_aside == {1}
    async with db.transaction():
        assert await inbox.counts() == {"done": 1, "pending": 1}
    assert await processor.drain() == 0


async def test_a_failure_like_the_databases_while_it_answers_ends_quarantined(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    """A handler's own OSError (python-telegram-bot reading a date past the platform's range
    raises one) looks like a lost connection: before, the update stayed pending for ever, tried
    every second at the head of the line. The database answers the count of each try, so after
    `MAX_ATTEMPTS` it is quarantined, and the next update is handled."""
    app = await make_app(db, sandbox)

    async def looks_like_the_database(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise ConnectionResetError("not the database's, though it looks like it")

    app.add_handler(CommandHandler("odd", looks_like_the_database))
    failures: list[str] = []
    told: list[int] = []

    async def on_quarantine(update_id: int, error: BaseException) -> None:
        told.append(update_id)

    processor = UpdateProcessor(
        app, db, clock, on_failure=recorder(failures), on_quarantine=on_quarantine
    )
    inbox = InboxRepo(db)
    async with db.transaction():
        await inbox.add_many([update(1, "/odd"), update(2, "/ok")], clock.now())
    for _ in range(MAX_ATTEMPTS - 1):  # the processor's task tries again a second later
        with pytest.raises(DatabaseUnavailable):
            await processor.drain()
    assert await processor.drain() == 2
    async with db.transaction():
        assert await inbox.counts() == {"done": 1, "quarantined": 1}
    assert told == [1] and failures == []  # nobody was told it failed as if it were theirs


async def test_a_stored_update_that_does_not_decode_fails_alone(
    db: Database, clock: FixedClock, sandbox: TelegramSandbox
) -> None:
    """Only a damaged database holds such a row: reading the pending rows decoded them all at
    once, so one of them stopped the inbox from being read at all."""
    app = await make_app(db, sandbox)
    failures: list[str] = []
    processor = UpdateProcessor(app, db, clock, on_failure=recorder(failures))
    inbox = InboxRepo(db)
    async with db.transaction():
        await db.execute(  # written by hand: no code of the bot writes such a row
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (1, '{\"upd', ?)",
            ("2026-11-25T02:00:00Z",),
        )
        await inbox.add(update(2, "/ok"), clock.now())
    assert await processor.drain() == 2
    async with db.transaction():
        assert await inbox.counts() == {"done": 1, "failed": 1}
        [failure] = await inbox.failures()
    assert failure.update_id == 1 and "UndecodableUpdate" in failure.error
    assert failures == ["1:update 1 is stored as no JSON object"]
