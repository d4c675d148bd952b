"""Benchmark the weekly airing on a generated database: 100,000 tickets, 1,000 cadres and
300,000 events spread over 2026. Prints the median of several runs for the metrics alone and
for the whole airing (metrics, ranking, trend, text and chart), and the peak RSS.

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

from bot.build import build_services
from bot.clock import FixedClock, to_iso
from bot.config import load_settings
from bot.services.metrics import parse_week
from storage.db import Database

TICKETS, CADRES, EVENTS = 100_000, 1_000, 300_000
START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 25 Nov, 10:00 Shanghai


async def generate(path: Path) -> None:
    db = Database(path)
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
    tickets, events = [], []
    for tid in range(1, TICKETS + 1):
        created = START + timedelta(seconds=span * tid / TICKETS)
        kind = rng.random()
        status = "closed" if kind < 0.8 else "in_progress" if kind < 0.9 else "new"
        due = created + timedelta(days=1)
        deadline = created + timedelta(days=7)
        tickets.append(
            (
                tid,
                rng.randint(1, 3000),
                1,
                -100,
                tid,
                "help",
                "utilities",
                "厂区停电，请协助",
                status,
                rng.randint(1, CADRES),
                to_iso(deadline),
                to_iso(due),
                to_iso(created),
                to_iso(created),
                int(rng.random() < 0.02),
            )
        )
        events.append((tid, "create", "{}", to_iso(created)))
        if status != "new":
            events.append((tid, "claim", "{}", to_iso(created + timedelta(hours=1))))
        if status == "closed":
            solved = rng.choice(["solved", "solved", "partly", "unsolved"])
            happy = rng.choice(["satisfied", "satisfied", "basic", "dissatisfied"])
            data = json.dumps({"solved": solved, "satisfaction": happy})
            events.append((tid, "rate", data, to_iso(created + timedelta(days=3))))
    extra = EVENTS - len(events)
    closed = [t[0] for t in tickets if t[8] == "closed"]
    for tid in rng.sample(closed, min(extra, len(closed))):
        created = START + timedelta(seconds=span * tid / TICKETS)
        events.append((tid, "resolve", "{}", to_iso(created + timedelta(days=2))))
    events.sort(key=lambda e: e[3])
    raw.executemany(
        "INSERT INTO tickets (id, enterprise_id, reporter_id, chat_id, source_message_id, kind,"
        " category, content, status, assignee_id, deadline_at, response_due_at, created_at,"
        " updated_at, supervision_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tickets,
    )
    raw.executemany(
        "INSERT INTO ticket_events (ticket_id, type, data, at) VALUES (?, ?, ?, ?)", events
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
    db = Database(path)
    await db.connect()
    services = build_services(settings, db, FixedClock(NOW))
    week = parse_week("2026-W47", settings.park.tz)
    metrics_times, total_times = [], []
    for _ in range(runs):
        began = time.perf_counter()
        figures = await services.metrics.week(week)
        metrics_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        rendered = await services.publisher.render(week, "zh_CN")
        total_times.append(time.perf_counter() - began)
    await db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"week {week.label}: {figures.park.received} received, {len(figures.cadres)} cadres,"
        f" text {len(rendered.text)} chars, chart {len(rendered.chart.png)} bytes"
    )
    print(
        f"metrics: median {statistics.median(metrics_times) * 1000:.0f} ms"
        f" (runs: {', '.join(f'{t * 1000:.0f}' for t in metrics_times)})"
    )
    print(
        f"whole airing incl. chart: median {statistics.median(total_times) * 1000:.0f} ms"
        f" (runs: {', '.join(f'{t * 1000:.0f}' for t in total_times)})"
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
