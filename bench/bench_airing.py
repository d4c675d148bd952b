"""Benchmark the weekly airing on a generated database: 100,000 tickets, 1,000 cadres and
300,000 events spread over 2026, each row in the shape the services write (`bot.domain.events`
payloads, status moves; the `assign` rows, which no figure reads, are left out to keep the
count). Prints the median of several runs for the metrics alone and for the whole airing
(metrics, ranking, trend, text and chart), and the peak RSS.

    .venv/bin/python bench/bench_airing.py [--runs 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FixedClock, to_iso
from bot.config import load_settings
from bot.delivery.outbox import split_text
from bot.domain import events as ev
from bot.services.metrics import parse_week
from bot.wiring.bot import build_services
from storage.sqlite import SqliteDatabase

TICKETS, CADRES, EVENTS = 100_000, 1_000, 300_000
START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 25 Nov, 10:00 Shanghai
DEADLINE = timedelta(days=7)  # from the report, or from a reopen


def _row(
    tid: int, event: ev.Event, at: datetime, move: tuple[str | None, str] | None = None
) -> tuple:
    """One ticket_events row in exactly the shape TicketRepo.record writes for `event`."""
    before, after = move or (None, None)
    return (
        tid,
        event.TYPE.value,
        1,
        before,
        after,
        json.dumps(event.payload(), ensure_ascii=False),
        to_iso(at),
    )


def _story(tid: int, created: datetime, kind: str, rng: random.Random) -> tuple[list[tuple], dict]:
    """The events of one ticket and its final columns, as the services would leave them."""
    rows = [_row(tid, ev.Create(chat_id=-100, message_id=tid), created, (None, "new"))]
    columns: dict = {"status": "new"}
    if kind == "new":
        return rows, columns
    rows.append(_row(tid, ev.Claim(), created + timedelta(hours=1), ("new", "claimed")))
    if kind == "in_progress":
        rows.append(
            _row(
                tid,
                ev.Progress(note="已协调"),
                created + timedelta(days=1),
                ("claimed", "in_progress"),
            )
        )
        return rows, {"status": "in_progress"}
    resolved, deadline = created + timedelta(days=2), created + DEADLINE
    done = ev.Resolve(note="已处理", deadline_at=deadline)
    rows.append(_row(tid, done, resolved, ("claimed", "resolved")))
    columns = {"status": "resolved", "resolved_at": to_iso(resolved)}
    if kind == "resolved":
        return rows, columns
    if kind == "reopened":  # 未解决, resolved again, then rated
        reopened = created + timedelta(days=3)
        deadline = reopened + DEADLINE  # a reopen sets a fresh deadline
        satisfaction = rng.choice(["basic", "dissatisfied"])
        bad = ev.Reopen(solved="unsolved", satisfaction=satisfaction, deadline_at=deadline)
        rows.append(_row(tid, bad, reopened, ("resolved", "in_progress")))
        resolved = created + timedelta(days=4)
        again = ev.Resolve(note="再次处理", deadline_at=deadline)
        rows.append(_row(tid, again, resolved, ("in_progress", "resolved")))
        columns["deadline_at"] = to_iso(deadline)
    verdict = ev.Rate(
        solved=rng.choice(["solved", "solved", "partly"]),
        satisfaction=rng.choice(["satisfied", "satisfied", "basic"]),
    )
    closed = resolved + timedelta(days=1)
    rows.append(_row(tid, verdict, closed, ("resolved", "closed")))
    return rows, {
        **columns,
        "status": "closed",
        "resolved_at": to_iso(resolved),
        "closed_at": to_iso(closed),
        "solved_rating": verdict.solved,
        "satisfaction": verdict.satisfaction,
    }


async def generate(path: Path) -> None:
    db = SqliteDatabase(path)
    await db.connect()  # migrations
    await db.close()
    rng = random.Random(7)
    raw = sqlite3.connect(path)
    stamp = to_iso(START)
    raw.executemany(
        "INSERT INTO cadres (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [(i, f"干部{i:04d}", stamp, stamp) for i in range(1, CADRES + 1)],
    )
    raw.executemany(
        "INSERT INTO enterprises (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [(i, f"企业{i:04d}", stamp, stamp) for i in range(1, 3001)],
    )
    span = (NOW - START).total_seconds()
    # Outcomes chosen so a fifth of the tickets stay open (as before) and the log holds exactly
    # EVENTS rows: new 1 event, in progress 3, resolved and awaiting a rating 3, closed 4,
    # closed after one reopen 6.
    kinds = ["new"] * 15_000 + ["in_progress"] * 5_000 + ["resolved"] * 54_000
    kinds += ["closed"] * 24_000 + ["reopened"] * 2_000
    rng.shuffle(kinds)
    tickets, events = [], []
    for tid, kind in enumerate(kinds, start=1):
        created = START + timedelta(seconds=span * tid / TICKETS)
        rows, columns = _story(tid, created, kind, rng)
        events += rows
        tickets.append(
            (
                tid,
                rng.randint(1, 3000),
                1,
                -100,
                tid,
                "help",
                "amenities",
                "食堂网络不通，请协助",
                columns["status"],
                rng.randint(1, CADRES),
                columns.get("deadline_at", to_iso(created + DEADLINE)),
                to_iso(created + timedelta(hours=2)),
                to_iso(created + timedelta(days=1)),
                to_iso(created),
                to_iso(created),
                int(rng.random() < 0.02),
                columns.get("resolved_at"),
                columns.get("closed_at"),
                columns.get("solved_rating"),
                columns.get("satisfaction"),
            )
        )
    events.sort(key=lambda e: (e[6], e[0]))
    raw.executemany(
        "INSERT INTO tickets (id, enterprise_id, reporter_id, chat_id, source_message_id, kind,"
        " category, content, status, assignee_id, deadline_at, claim_due_at, response_due_at,"
        " created_at, updated_at, supervision_level, resolved_at, closed_at, solved_rating,"
        " satisfaction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tickets,
    )
    raw.executemany(
        "INSERT INTO ticket_events (ticket_id, type, actor_id, from_status, to_status, data, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        events,
    )
    raw.commit()
    counts = [
        raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("tickets", "cadres", "ticket_events")
    ]
    raw.close()
    print(f"generated: {counts[0]} tickets, {counts[1]} cadres, {counts[2]} events")


async def measure(path: Path, runs: int) -> None:
    settings = load_settings(None, storage={"path": str(path)})
    db = SqliteDatabase(path)
    await db.connect()
    services = build_services(settings, db, FixedClock(NOW))
    week = parse_week("2026-W47", settings.park.tz)
    metrics_times, total_times, total_cpu = [], [], []
    for _ in range(runs):
        began = time.perf_counter()
        figures = await services.metrics.week(week)
        metrics_times.append(time.perf_counter() - began)
        began, cpu = time.perf_counter(), time.process_time()
        rendered = await services.publisher.render(await services.airing.board(week), "zh_CN")
        total_times.append(time.perf_counter() - began)
        total_cpu.append(time.process_time() - cpu)  # all threads: the chart draws in one
    await db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"week {week.label}: {figures.park.received} received, {len(figures.cadres)} cadres,"
        f" text {len(rendered.text)} chars, chart {len(rendered.chart.png)} bytes"
    )
    # What one chat receives: the text as the outbox splits it, then the chart.
    messages = len(split_text(rendered.text)) + 1
    print(
        f"post: {messages} messages ({messages - 1} text + 1 chart), {len(rendered.board.issues)}"
        f" named-item candidates, {len(rendered.board.ranked)} ranked cadres"
    )
    print(
        f"metrics: median {statistics.median(metrics_times) * 1000:.0f} ms"
        f" (runs: {', '.join(f'{t * 1000:.0f}' for t in metrics_times)})"
    )
    print(
        f"whole airing incl. chart: median {statistics.median(total_times) * 1000:.0f} ms"
        f" (runs: {', '.join(f'{t * 1000:.0f}' for t in total_times)});"
        f" CPU median {statistics.median(total_cpu) * 1000:.0f} ms"
    )
    print(f"peak RSS: {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="reuse or create this database file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        if not path.exists():
            asyncio.run(generate(path))
        asyncio.run(measure(path, args.runs))


if __name__ == "__main__":
    main()
