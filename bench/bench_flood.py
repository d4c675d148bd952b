"""Benchmark: how close the sender paces to Telegram's 30 messages/s under enforced limits.

A burst of 1,000 reports over 100 groups (10 per group, under 20/min per group, so the global
limit is the ceiling) against the emulator with Telegram's flood limits on, with the production
delivery settings. Reports the median steady rate (after intake, until 95 % of the backlog is
out) over the runs, and the 429s (the goal is 0).

Usage: .venv/bin/python bench/bench_flood.py [--runs 3] [--reports 1000] [--groups 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import TelegramSandbox  # noqa: E402
from tests.e2e.flood import FloodResult, flood_burst  # noqa: E402
from tests.e2e.harness import TOKEN, USERNAME  # noqa: E402


async def one_run(reports: int, groups: int) -> FloodResult:
    sandbox = TelegramSandbox()
    await sandbox.start(port=0)
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, USERNAME)
            with tempfile.TemporaryDirectory() as folder:
                return await flood_burst(
                    sandbox, client, Path(folder), groups=groups, reports=reports
                )
    finally:
        await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=100)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        result = asyncio.run(one_run(args.reports, args.groups))
        results.append(result)
        print(
            f"run {run + 1}: steady {result.steady_rate:.1f}/s, whole run "
            f"{result.overall_rate:.1f}/s, {result.messages} messages, 429s {result.too_many}, "
            f"acknowledged {result.acknowledged}/{result.reports}"
        )
    rates = [r.steady_rate for r in results]
    median = statistics.median(rates)
    runs = ", ".join(f"{r:.1f}" for r in rates)
    print(
        f"median steady rate {median:.1f}/s ({median / 30:.0%} of 30/s; runs {runs}); "
        f"429s {sum(r.too_many for r in results)}"
    )


if __name__ == "__main__":
    main()
