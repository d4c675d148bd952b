"""A collected message (`Outbox.collect`): lines gather in one held row until it falls due; a row
that fell due is never touched again, so a sender that read it sends it as it was read."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import FixedClock, to_iso
from bot.delivery.outbox import COLLECT_BUTTONS, Button, Outbox
from storage.db import Database
from storage.repos.queues import OutboxRepo

HOLD = timedelta(minutes=1)
CHAT = 7


async def collect(outbox: Outbox, db: Database, n: int) -> int:
    async with db.transaction():
        return await outbox.collect(
            CHAT,
            f"#{n} 厂区停电",
            title="新工单：",
            buttons=[[Button(f"签收 #{n}", f"t:claim:{n}")]],
            purpose="grouped",
            hold=HOLD,
        )


async def pending(db: Database) -> list[tuple[int, str, list[str], str]]:
    """(id, text, button labels, due) of every pending row, oldest first."""
    async with db.reading():
        rows = await db.fetchall(
            "SELECT id, params, next_attempt_at FROM outbox WHERE status = 'pending' ORDER BY id"
        )
    found = []
    for row in rows:
        params = json.loads(row[1])
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        labels = [b["text"] for line in keyboard for b in line]
        found.append((int(row[0]), str(params["text"]), labels, str(row[2])))
    return found


async def test_lines_gather_in_one_held_row_until_it_falls_due(
    db: Database, clock: FixedClock
) -> None:
    outbox, repo, first = Outbox(db, clock), OutboxRepo(db), clock.now()
    for n in (1, 2, 3):
        await collect(outbox, db, n)
    clock.advance(timedelta(seconds=30))
    await collect(outbox, db, 4)
    ((held_id, text, labels, due),) = await pending(db)
    assert text == "新工单：\n#1 厂区停电\n#2 厂区停电\n#3 厂区停电\n#4 厂区停电"
    assert labels == ["签收 #1", "签收 #2", "签收 #3", "签收 #4"]
    assert due == to_iso(first + HOLD)  # a minute after its first line, not after its last
    async with db.reading():
        assert await repo.due(clock.now()) == []  # held: no sender reads it yet
    clock.advance(timedelta(seconds=30))
    async with db.reading():
        (due_row,) = await repo.due(clock.now())
    assert due_row.id == held_id

    # Due now (a sender may have read it): left as it is, and a new one starts.
    await collect(outbox, db, 5)
    rows = await pending(db)
    assert [(r[0], r[1]) for r in rows[:1]] == [(held_id, text)]
    assert rows[1][1:3] == ("新工单：\n#5 厂区停电", ["签收 #5"])
    async with db.reading():
        assert [item.id for item in await repo.due(clock.now())] == [held_id]


async def test_a_full_message_starts_another(db: Database, clock: FixedClock) -> None:
    outbox = Outbox(db, clock)
    for n in range(COLLECT_BUTTONS + 1):
        await collect(outbox, db, n)
    rows = await pending(db)
    assert [len(r[2]) for r in rows] == [COLLECT_BUTTONS, 1]
    assert rows[1][1] == f"新工单：\n#{COLLECT_BUTTONS} 厂区停电"
