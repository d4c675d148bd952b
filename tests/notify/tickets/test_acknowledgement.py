"""The report's acknowledgement is the report handler's reply to the reporter's own update
(`handlers/tickets/report.py` `acknowledge`, through `handlers.common.reply`), never a notice of
`Created`: a ticket made by the service alone owes its cadre a notice and the reporter nothing.
The handler's side (the reply in the group or privately, quoting the report) is shown by
tests/handlers/tickets/test_private_reports.py and tests/handlers/world.py `report`."""

from __future__ import annotations

from bot.clock import FixedClock
from storage.db import Database
from tests.story import Story, park


async def test_created_owes_the_reporter_no_notice(db: Database, clock: FixedClock) -> None:
    clock.set(park(23, 9))
    story = await Story.open(db, clock, cadres=["陈志远"])
    story.report("陈志远", park(23, 9, 30))
    await story.play()
    async with db.transaction():
        rows = await db.fetchall("SELECT purpose FROM outbox ORDER BY id")
    purposes = [str(r[0]) for r in rows]
    assert purposes, "the new ticket owes its cadre (or the desk) a notice"
    assert "ack" not in purposes
