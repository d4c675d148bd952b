"""The outbox follows a chat to its new id; delivery failures are forgotten on request; the
sender reads what was queued since its last read, and when a retry falls due."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from storage.db import Database
from storage.repos.queues import OutboxRepo

OLD, NEW, OTHER = -4100000013, -1002100000034, -1002100000051


async def test_move_chat_readdresses_sends_and_drops_edits(db: Database, clock: FixedClock) -> None:
    repo = OutboxRepo(db)
    now = clock.now()
    reply = {"message_id": 7, "allow_sending_without_reply": True}
    async with db.transaction():
        send = await repo.enqueue(
            chat_id=OLD,
            method="sendMessage",
            params={"chat_id": OLD, "text": "a", "reply_parameters": reply},
            purpose="ack",
            ticket_id=1,
            now=now,
        )
        edit = await repo.enqueue(
            chat_id=OLD,
            method="editMessageText",
            params={"chat_id": OLD, "message_id": 8, "text": "b"},
            purpose="edit",
            ticket_id=1,
            now=now,
        )
        answer = await repo.enqueue(
            chat_id=OLD,
            method="answerCallbackQuery",
            params={"callback_query_id": "9"},
            purpose="callback",
            ticket_id=None,
            now=now,
        )
        other = await repo.enqueue(
            chat_id=OTHER,
            method="sendMessage",
            params={"chat_id": OTHER, "text": "c"},
            purpose="",
            ticket_id=None,
            now=now,
        )
        assert await repo.record_failure(OLD, "403 kicked", now)
        assert await repo.move_chat(OLD, NEW) == 1
        assert await repo.move_chat(OLD, NEW) == 0  # idempotent
        due = {item.id: item for item in await repo.due(now)}
        assert await repo.failed_chats() == []
    assert set(due) == {send, answer, other}
    assert due[send].chat_id == NEW and due[send].params == {"chat_id": NEW, "text": "a"}
    assert due[answer].chat_id == NEW
    assert due[other].params["chat_id"] == OTHER
    assert edit not in due


async def test_clear_failures_rearms_the_alert(db: Database, clock: FixedClock) -> None:
    repo = OutboxRepo(db)
    now = clock.now()
    async with db.transaction():
        assert await repo.record_failure(OLD, "403", now)
        assert not await repo.record_failure(OLD, "403", now)
        await repo.clear_failures([OLD, OTHER])
        assert await repo.record_failure(OLD, "403", now)


async def test_due_after_reads_only_newer_rows_and_next_due_skips_due_ones(
    db: Database, clock: FixedClock
) -> None:
    repo = OutboxRepo(db)
    now = clock.now()

    async def queue(text: str) -> int:
        return await repo.enqueue(
            chat_id=OTHER,
            method="sendMessage",
            params={"chat_id": OTHER, "text": text},
            purpose="",
            ticket_id=None,
            now=now,
        )

    async with db.transaction():
        first, second, third = [await queue(text) for text in ("a", "b", "c")]
        later = now + timedelta(seconds=30)
        await repo.reschedule(second, later, "network: timed out")
        newer = [item.id for item in await repo.due_after(first, now)]
        # The first row is due already (a full read takes it): the next moment is the retry's.
        next_due = await repo.next_due_at(now)
        after_retry = [item.id for item in await repo.due_after(first, later)]
    assert newer == [third]
    assert next_due == later
    assert after_retry == [second, third]
