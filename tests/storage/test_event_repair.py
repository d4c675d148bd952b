"""Upgrade test for 0009: a database written by release b13b632, migrated, reads right.

The old database is built the way release b13b632 built it: its migrations 0001-0005, then
the exact rows its `TicketService` wrote for a week of work (a storage test is the one place that
writes rows by hand). In that release a rating was two events: `rate` with the verdict, then an
empty `rate` (closing) or `reopen` (reopening) for the status change, and the metrics read the
empty one, so five tickets rated 已解决/满意 showed 解决 0 %, 满意 0 %.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock, to_iso
from bot.domain import events as ev
from bot.domain.lifecycle import Status
from bot.domain.work_calendar import WorkCalendar
from bot.services.metrics import MetricsService, parse_week
from storage.db import Database, load_migrations
from storage.repos.tickets import TicketRepo
from storage.sqlite import SqliteDatabase, split_sql
from storage.unit import Repositories
from tests.databases import sqlite_only
from tests.storage.schemas import schema_at
from tests.story import TZ, Story, park

pytestmark = sqlite_only("a repair made by a SQLite migration, on a SQLite file of that release")

W47 = parse_week("2026-W47", TZ)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CADRE, CONTACT = 1, 777


class OldRelease:
    """Writes rows exactly as the b13b632 services did (create, assign, moves, two-row ratings)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self.message = 0

    def event(
        self,
        ticket: int,
        type_: str,
        at: datetime,
        data: dict[str, Any],
        move: tuple[str, str] | None = None,
        actor: int | None = 1,
    ) -> None:
        self.raw.execute(
            "INSERT INTO ticket_events (ticket_id, type, actor_id, from_status, to_status, data,"
            " at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                ticket,
                type_,
                actor,
                *(m or None for m in move or ("", "")),
                json.dumps(data),
                to_iso(at),
            ),
        )

    def ticket(self, reported: datetime) -> int:
        self.message += 1
        stamp = to_iso(reported)
        cursor = self.raw.execute(
            "INSERT INTO tickets (enterprise_id, reporter_id, chat_id, source_message_id, kind,"
            " category, urgency, content, status, assignee_id, deadline_at, created_at,"
            " updated_at, claim_due_at, response_due_at)"
            " VALUES (1, ?, -100, ?, 'help', 'amenities', 'normal', '食堂网络不通', 'new', ?, ?,"
            " ?, ?, ?, ?)",
            (
                CONTACT,
                self.message,
                CADRE,
                to_iso(reported + timedelta(days=7)),
                stamp,
                stamp,
                to_iso(reported + timedelta(hours=2)),
                to_iso(reported + timedelta(days=1)),
            ),
        )
        tid = int(cursor.lastrowid or 0)
        self.event(
            tid,
            "create",
            reported,
            {"chat_id": -100, "message_id": self.message},
            ("", "new"),
            CONTACT,
        )
        self.event(tid, "assign", reported, {"cadre_id": CADRE, "route": "primary"}, actor=None)
        return tid

    def work(self, tid: int, day: int) -> None:
        self.event(tid, "claim", park(day, 11), {}, ("new", "claimed"))
        self.event(tid, "contact", park(day, 12), {}, ("claimed", "contacted"))
        self.event(tid, "resolve", park(day, 15), {"note": "已处理"}, ("contacted", "resolved"))

    def rate(
        self, tid: int, at: datetime, solved: str, happy: str, status_before: str = "resolved"
    ) -> None:
        self.event(tid, "rate", at, {"solved": solved, "satisfaction": happy}, actor=CONTACT)
        if solved == "unsolved" or happy == "dissatisfied":
            self.event(tid, "reopen", at, {}, (status_before, "in_progress"), CONTACT)
        else:
            self.event(tid, "rate", at, {}, (status_before, "closed"), CONTACT)


def old_database(path: Path) -> None:
    raw = schema_at(path, 5)
    stamp = "2026-01-01T00:00:00.000000Z"
    raw.execute(
        "INSERT INTO cadres (id, name, telegram_id, created_at, updated_at)"
        " VALUES (1, '陈志远', 3, ?, ?)",
        (stamp, stamp),
    )
    raw.execute(
        "INSERT INTO enterprises (id, name, created_at, updated_at) VALUES (1, '海澄精工', ?, ?)",
        (stamp, stamp),
    )
    old = OldRelease(raw)
    # Five tickets rated 已解决/满意 (the cadre); one 基本满意; one reopened and re-rated.
    for day in (16, 17, 18, 19, 20):
        tid = old.ticket(park(day, 9))
        old.work(tid, day)
        old.rate(tid, park(day, 16), "solved", "satisfied")
    tid = old.ticket(park(16, 9))
    old.work(tid, 16)
    old.rate(tid, park(17, 9), "partly", "basic")
    tid = old.ticket(park(16, 9))
    old.work(tid, 16)
    old.rate(tid, park(17, 9), "unsolved", "dissatisfied")
    old.event(tid, "resolve", park(18, 9), {"note": "再次处理"}, ("in_progress", "resolved"))
    old.rate(tid, park(18, 10), "solved", "satisfied")
    raw.execute(
        "UPDATE tickets SET status = 'closed', solved_rating = 'solved', satisfaction = 'satisfied'"
    )
    raw.close()


async def test_upgrade_merges_each_rating_into_one_event_and_corrects_the_figures(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    with sqlite3.connect(path) as raw:
        before = raw.execute("SELECT COUNT(*) FROM ticket_events").fetchone()[0]
    db = SqliteDatabase(path)
    await db.connect()  # applies 0006 and later, the repair (0009) among them
    try:
        async with db.transaction():
            repo = TicketRepo(db)
            history = [await repo.events(tid) for tid in range(1, 8)]
        # 8 ratings were two rows each; now one each.
        assert sum(len(h) for h in history) == before - 8
        first = [e for e in history[0] if e.type is ev.EventType.RATE]
        assert [(e.event, e.from_status, e.to_status) for e in first] == [
            (ev.Rate(solved="solved", satisfaction="satisfied"), Status.RESOLVED, Status.CLOSED)
        ]
        reopened = [e for e in history[6] if e.type in ev.VERDICTS]
        assert [(e.event, e.to_status) for e in reopened] == [
            # 0011 stamps the deadline then in force (the report's: this release kept it).
            (
                ev.Reopen(
                    solved="unsolved",
                    satisfaction="dissatisfied",
                    deadline_at=park(16, 9) + timedelta(days=7),
                ),
                Status.IN_PROGRESS,
            ),
            (ev.Rate(solved="solved", satisfaction="satisfied"), Status.CLOSED),
        ]
        metrics = MetricsService(Repositories(db), FixedClock(NOW), WorkCalendar(TZ))
        [cadre] = (await metrics.week(W47)).cadres
        m = cadre.metrics
        assert (m.solved.num, m.solved.den, m.solved.pct) == (6, 7, 85.7)
        assert (m.satisfaction.num, m.satisfaction.pct) == (7, 100.0)  # 基本满意 counts
        assert (m.reopen.num, m.reopen.den) == (1, 7)
        # The log is append-only again.
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction():
                await db.execute("DELETE FROM ticket_events")
    finally:
        await db.close()


async def test_repair_leaves_a_current_history_alone(db: Database) -> None:
    """The repair over rows the current writer made (one event per rating) changes nothing."""
    story = await Story.open(db, FixedClock(NOW), cadres=["陈志远"])
    twice = story.report("陈志远", park(16)).claim(park(16, 11)).resolve(park(17))
    twice.rate(park(17, 12), "unsolved", "basic").resolve(park(18)).rate(
        park(18, 12), "solved", "basic"
    )
    await story.play()
    [migration] = [m for m in load_migrations() if m.name == "event_repair"]
    async with db.transaction():
        before = await TicketRepo(db).events(twice.id)
        for statement in split_sql(migration.sql):
            await db.execute(statement)
        assert await TicketRepo(db).events(twice.id) == before
