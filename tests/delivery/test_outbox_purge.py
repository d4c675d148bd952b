"""Sent messages and their uploads are purged after the retention; unsent ones never are."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.config import load_settings
from bot.runtime.schedule import purge_delivered
from bot.wiring.bot import build_services
from storage.db import Database
from storage.repos.queues import OutboxRepo
from tests.story import ADMIN_TG, Story

RETENTION = timedelta(days=30)
JOBS_GROUP = -5002
JOB_FORM = (
    "岗位=普工；人数=１０；薪资=5000－7000元/月；要求=18-45岁，性别不限；内容=装配；"
    "地点=二号厂房；有效期=7；联系=王先生 13800000000"
)


async def rows(db: Database) -> list[tuple[str, str, bool]]:
    """(purpose, status, has upload) of every outbox row, oldest first."""
    async with db.reading():
        found = await db.fetchall(
            "SELECT purpose, status, upload IS NOT NULL FROM outbox ORDER BY id"
        )
    return [(str(r[0]), str(r[1]), bool(r[2])) for r in found]


async def test_sent_rows_and_bytes_go_after_the_retention_unsent_ones_stay(
    db: Database, clock: FixedClock
) -> None:
    services = build_services(load_settings(None, delivery={"sent_retention_days": 30}), db, clock)
    outbox, repo = services.outbox, OutboxRepo(db)
    async with db.transaction():
        chart = await outbox.send_photo_bytes(-100, b"\x89PNG chart", purpose="airing")
        ledger = await outbox.send_document_bytes(
            7, b"PK ledger", filename="l.xlsx", purpose="export"
        )
        (note,) = await outbox.send_message(7, "你好", purpose="note")
        await outbox.send_message(8, "还没发出", purpose="waiting")
        (refused,) = await outbox.send_message(9, "被拒收", purpose="refused")
        await repo.mark_sent_many([(chart, 11), (note, 12)], clock.now())
        await repo.mark_failed(refused, "403 Forbidden", clock.now())
    clock.advance(timedelta(days=1))
    async with db.transaction():
        await repo.mark_sent_many([(ledger, 13)], clock.now())  # sent a day later

    clock.advance(RETENTION - timedelta(days=1))  # exactly the retention after the first sends
    assert await purge_delivered(services) == 0
    assert len(await rows(db)) == 5

    clock.advance(timedelta(seconds=1))
    assert await purge_delivered(services) == 2  # the chart and the note
    assert await rows(db) == [
        ("export", "sent", True),
        ("waiting", "pending", False),
        ("refused", "failed", False),
    ]
    clock.advance(timedelta(days=365))
    assert await purge_delivered(services) == 1  # the ledger, bytes and all
    assert await rows(db) == [("waiting", "pending", False), ("refused", "failed", False)]


async def test_purge_keeps_job_cards_and_runs_in_batches(db: Database, clock: FixedClock) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    services = story.services
    await services.onboarding.bind(await story.actor(ADMIN_TG), JOBS_GROUP, "招聘群", "jobs")
    # A published job post: its card in the jobs group is edited through its message id later.
    contact = await story.actor(Story.contact_tg(0))
    await services.job_conversations.start(contact, "job", form=JOB_FORM)
    await services.job_conversations.confirm(contact)
    repo = OutboxRepo(db)
    now = clock.now()
    async with db.transaction():
        for _ in range(6):
            await repo.enqueue(
                chat_id=-1, method="sendMessage", params={}, purpose="p", ticket_id=None, now=now
            )
        ids = [int(r[0]) for r in await db.fetchall("SELECT id FROM outbox ORDER BY id")]
        card = await db.fetchval("SELECT id FROM outbox WHERE purpose = 'job_card'")
        await repo.mark_sent_many([(i, i) for i in ids], now)
    assert len(ids) == 7 and card in ids  # the card and the six rows: nothing else was queued
    later = now + timedelta(days=31)
    async with db.transaction():
        assert await repo.purge_sent(later, limit=4) == 4
    async with db.transaction():
        assert await repo.purge_sent(later, limit=4) == 2
        assert await repo.purge_sent(later, limit=4) == 0
        assert await db.fetchval("SELECT id FROM outbox") == card
