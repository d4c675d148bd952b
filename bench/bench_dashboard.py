"""Benchmark the 服务驾驶舱 on the airing benchmark's database (100,000 tickets, 1,000 cadres,
300,000 events; bench/bench_airing.py generates it): every API endpoint's latency per role, and
the 总览 page in headless Chromium from DOMContentLoaded to the chart drawn.

    .venv/bin/python bench/bench_dashboard.py [--requests 40] [--pages 10] [--db PATH]

Roles on top of the generated roster: cadres 1-10 are leaders of 99 cadres each, every cadre has
a Telegram id, enterprise 1 has a contact, and the configured admin is user 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp  # noqa: E402
from bench_airing import NOW, generate  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import DashboardSettings, load_settings  # noqa: E402
from bot.dashboard.server import DashboardServer  # noqa: E402
from bot.wiring.bot import build_services  # noqa: E402
from storage.sqlite import SqliteDatabase  # noqa: E402
from tests.dashboard.browser import ARGS, CHROMIUM, PHONE, launch_url, why_no_browser  # noqa: E402
from tests.dashboard.park import init_data  # noqa: E402

TOKEN = "200003:BENCH-token-dashboard-00000000000"
ADMIN, CONTACT = 1, 900_001
LEADER, CADRE = 100_001, 100_500  # cadre 1 (a leader) and cadre 500 (led by cadre 5)


def add_roles(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("UPDATE cadres SET telegram_id = 100000 + id")
    raw.execute("UPDATE cadres SET role = 'leader' WHERE id <= 10")
    raw.execute("UPDATE cadres SET leader_id = 1 + (id % 10) WHERE id > 10")
    raw.execute(
        "INSERT OR IGNORE INTO contacts (telegram_id, enterprise_id, created_at)"
        " VALUES (?, 1, '2026-01-01T00:00:00Z')",
        (CONTACT,),
    )
    raw.commit()
    raw.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


async def measure_api(base: str, requests: int) -> list[tuple[str, str, float, float, float]]:
    ticket = 99_999
    cases = {
        "admin": [
            "me",
            "overview",
            "overview?week=2026-W46",
            "cadres",
            "tickets",
            "tickets?overdue=1",
            "tickets?supervised=1",
            "tickets?status=new",
            "tickets?category=utilities&week=2026-W47",
            f"tickets/{ticket}",
        ],
        "leader": ["overview", "cadres", "tickets", "tickets?overdue=1"],
        "cadre": ["overview", "cadres", "tickets"],
        "contact": ["me", "tickets"],
    }
    users = {"admin": ADMIN, "leader": LEADER, "cadre": CADRE, "contact": CONTACT}
    rows = []
    async with aiohttp.ClientSession() as http:
        for role, paths in cases.items():
            for path in paths:
                times = []
                for _ in range(requests):
                    headers = {"Authorization": f"tma {init_data(users[role], NOW, TOKEN)}"}
                    began = time.perf_counter()
                    async with http.get(f"{base}/dashboard/api/{path}", headers=headers) as r:
                        await r.read()
                        assert r.status in (200, 404), (role, path, r.status)
                    times.append((time.perf_counter() - began) * 1000)
                rows.append((role, path, times[0], statistics.median(times), p95(times)))
    return rows


async def measure_page(base: str, pages: int) -> list[float]:
    from playwright.async_api import async_playwright

    loads = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(pages):
            context = await browser.new_context(viewport=PHONE)
            page = await context.new_page()
            await page.goto(launch_url(base, init_data(LEADER, NOW, TOKEN)))
            await page.wait_for_selector("body[data-charts=drawn]")
            loads.append(
                await page.evaluate(
                    "performance.getEntriesByName('charts-drawn')[0].startTime"
                    " - performance.getEntriesByType('navigation')[0].domContentLoadedEventStart"
                )
            )
            await context.close()
        await browser.close()
    return loads


async def run(path: Path, requests: int, pages: int) -> None:
    settings = load_settings(None, storage={"path": str(path)}, park={"admins": [ADMIN]})
    db = SqliteDatabase(path)
    await db.connect()
    services = build_services(settings, db, FixedClock(NOW))
    dashboard = DashboardSettings(
        enabled=True, public_url="https://bench.example/dashboard/", port=0, telegram_script=""
    )
    server = DashboardServer(services, dashboard, TOKEN)
    await server.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        began = time.perf_counter()
        await services.dashboard.warm()
        print(
            f"cold: the default week's overview (board + 8 weeks) in "
            f"{(time.perf_counter() - began) * 1000:.0f} ms, computed once, then cached"
        )
        for role, endpoint, first, median, high in await measure_api(base, requests):
            flag = "" if high < 200 else "  <-- over 200 ms"
            print(
                f"{role:8} {endpoint:42} first {first:7.1f} ms  median {median:6.1f} ms"
                f"  p95 {high:6.1f} ms{flag}"
            )
        reason = why_no_browser()
        if reason:
            print(f"page: skipped ({reason})")
        else:
            loads = await measure_page(base, pages)
            print(
                f"总览 page, DOMContentLoaded to chart drawn: median {statistics.median(loads):.0f}"
                f" ms, p95 {p95(loads):.0f} ms, max {max(loads):.0f} ms ({pages} loads)"
            )
    finally:
        await server.stop()
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint and role")
    parser.add_argument("--pages", type=int, default=10, help="page loads in the browser")
    parser.add_argument("--db", type=Path, help="reuse or create this database file")
    args: Any = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        if not path.exists():
            asyncio.run(generate(path))
            add_roles(path)
        asyncio.run(run(path, args.requests, args.pages))


if __name__ == "__main__":
    main()
