"""Benchmark: liaison-bot on SQLite and on PostgreSQL with 1, 2 and 4 workers, against the echo bot.

In one run, per repetition and configuration (fresh emulator, world and database each time):
  - echo:     the PTB echo bot (bench/echo_bot.py), polling, no database;
  - sqlite:   liaison-bot, one process, polling, a SQLite file;
  - pg-N:     liaison-bot, N webhook workers on one PostgreSQL database behind a spreading
              reverse proxy (tests/e2e/workers.py's Balancer, as nginx would), one leader sends.
Measured: (i) throughput, N reports over G groups injected as fast as possible; reports handled
per second = N / time until the last acknowledgement was delivered (an acknowledgement is
queued in the transaction that commits the ticket); (ii) p50/p99 latency of reports paced at R/s
(injection -> the acknowledgement's emulator timestamp), after the burst has drained; (iii) CPU
time of the bot processes (all workers; not PostgreSQL's server) per report in the burst.
Emulator limits off and FAST_DELIVERY, as run_bench.py: the pipeline is measured, not
Telegram's pacing. Medians over the repetitions, ratios against the echo bot of the same run.

Usage: .venv/bin/python bench/bench_scale.py --postgres URL [--reports 2000] [--groups 100]
       [--rate 50] [--latency-seconds 10] [--repeat 3] [--workers 1,2,4]
(`.ci/postgres start DIR` prints a throwaway cluster's URL.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "scale.json"


@dataclass
class ScaleResult:
    throughput: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # CPU (user + system) of the bot processes per report, burst phase


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL URL the bench may use")
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL worker counts")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # tests.databases reads the URL when imported: each configuration gets a schema of its own.
    os.environ["LIAISON_TEST_DATABASE_URL"] = ARGS.postgres
sys.path.insert(0, str(ROOT))

from run_bench import (  # noqa: E402
    EchoProcess,
    ack_times,
    cpu_seconds,
    quiesce,
    wait_acks,
)

from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import TelegramSandbox  # noqa: E402
from tests.databases import database_url, drop_schemas  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    FAST_DELIVERY,
    TOKEN,
    USERNAME,
    BotProcess,
    SentLog,
    build_burst_world,
    inject_reports,
    settle_world,
)
from tests.e2e.workers import Fleet, start_workers  # noqa: E402

Bot: TypeAlias = BotProcess | EchoProcess


async def start_bots(
    kind: str, workdir: Path, sandbox: TelegramSandbox, client: SandboxClient, groups: int
) -> tuple[list[Bot], Any, Fleet | None]:
    """Build the world in this configuration's database and start its bot process(es)."""
    if kind == "echo":
        world = await build_burst_world(client, workdir / "bot.db", groups)
        echo = EchoProcess(workdir, sandbox.api_base_url, sandbox.control_url)
        echo.start()
        await echo.wait_ready()
        return [echo], world, None
    if kind == "sqlite":
        world = await build_burst_world(client, workdir / "bot.db", groups)
        bot = BotProcess(
            workdir,
            sandbox.api_base_url,
            sandbox.control_url,
            workdir / "bot.db",
            admins=[world.admin],
            delivery=FAST_DELIVERY,
            log_level="WARNING",
        )
        bot.start()
        await bot.wait_ready()
        return [bot], world, None
    count = int(kind.removeprefix("pg-"))
    url = database_url(None, f"scale_{count}")
    world = await build_burst_world(client, url, groups)
    fleet = await start_workers(
        count,
        workdir,
        url,
        sandbox,
        admins=[world.admin],
        webhook="spread",
        delivery=FAST_DELIVERY,
        log_level="WARNING",
    )
    return list(fleet.workers), world, fleet


async def one_run(kind: str, args: argparse.Namespace) -> ScaleResult:
    workdir = Path(tempfile.mkdtemp(prefix=f"scale-{kind}-"))
    sandbox = TelegramSandbox()
    await sandbox.start(port=0)
    bots: list[Bot] = []
    fleet: Fleet | None = None
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, USERNAME)
            await client.set_limits(False)
            try:
                bots, world, fleet = await start_bots(kind, workdir, sandbox, client, args.groups)
                await settle_world(client, world)

                # (i) throughput
                since = await client.last_seq()
                log = SentLog(client, since)
                cpu0 = sum(cpu_seconds(b.pid) for b in bots)
                t0 = time.monotonic()
                injected = await inject_reports(client, world, args.reports, concurrency=32)
                await wait_acks(log, {(r.chat_id, r.message_id) for r in injected}, 900)
                throughput = args.reports / (time.monotonic() - t0)
                cpu_ms = (sum(cpu_seconds(b.pid) for b in bots) - cpu0) * 1000 / args.reports

                # (ii) latency at a paced rate, once the burst's private notices have drained.
                await quiesce(client)
                since = await client.last_seq()
                wall0, mono0 = time.time(), time.monotonic()
                count = int(args.rate * args.latency_seconds)
                paced = await inject_reports(
                    client, world, count, start=args.reports, rate=args.rate
                )
                await wait_acks(
                    SentLog(client, since), {(r.chat_id, r.message_id) for r in paced}, 300
                )
                acked = ack_times(await client.calls("sendMessage", since_seq=since))
                latencies = [
                    (acked[(r.chat_id, r.message_id)] - (wall0 + r.at - mono0)) * 1000
                    for r in paced
                ]
            finally:
                for bot in bots:
                    await bot.terminate()
                if fleet is not None:
                    await fleet.stop()
    finally:
        await sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    q = statistics.quantiles(latencies, n=100)
    return ScaleResult(throughput, q[49], q[98], cpu_ms)


def table(summary: dict[str, Any]) -> str:
    rate = f"{summary['params']['rate']:g}"
    lines = [
        f"| configuration | reports/s | ×echo | p50 @ {rate}/s (ms) | p99 @ {rate}/s (ms) "
        "| ×echo (p99) | bot CPU / report (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    echo = summary["median"]["echo"]
    for kind, med in summary["median"].items():
        lines.append(
            f"| {LABELS.get(kind, kind)} | {med['throughput']:.1f} | "
            f"{med['throughput'] / echo['throughput']:.2f}× | {med['p50_ms']:.1f} | "
            f"{med['p99_ms']:.1f} | {med['p99_ms'] / echo['p99_ms']:.2f}× | {med['cpu_ms']:.2f} |"
        )
    return "\n".join(lines)


LABELS = {
    "echo": "PTB echo bot (polling, no database)",
    "sqlite": "liaison-bot, SQLite, 1 process (polling)",
}


async def main_async(args: argparse.Namespace) -> int:
    kinds = ["echo", "sqlite", *(f"pg-{n}" for n in args.workers.split(","))]
    for kind in kinds[2:]:
        n = kind.removeprefix("pg-")
        LABELS[kind] = f"liaison-bot, PostgreSQL, {n} webhook worker{'s' if n != '1' else ''}"
    runs: dict[str, list[ScaleResult]] = {k: [] for k in kinds}
    load_start = os.getloadavg()
    try:
        for rep in range(args.repeat):
            for kind in kinds:
                result = await one_run(kind, args)
                runs[kind].append(result)
                print(f"run {rep + 1} {kind}: {result} load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        drop_schemas()
    load_end = os.getloadavg()
    summary: dict[str, Any] = {
        "params": {k: v for k, v in vars(args).items() if k != "postgres"},
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "load_average": [round(x, 1) for x in (*load_start, *load_end)],
        },
        "runs": {k: [r.__dict__ for r in v] for k, v in runs.items()},
        "median": {
            k: {
                key: statistics.median(getattr(r, key) for r in v)
                for key in ("throughput", "p50_ms", "p99_ms", "cpu_ms")
            }
            for k, v in runs.items()
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(summary))
    print(
        f"load average (1/5/15 min) {load_start[0]:.1f}/{load_start[1]:.1f}/{load_start[2]:.1f}"
        f" at the start, {load_end[0]:.1f}/{load_end[1]:.1f}/{load_end[2]:.1f} at the end"
    )
    return 0


if __name__ == "__main__":
    assert ARGS is not None
    sys.exit(asyncio.run(main_async(ARGS)))
