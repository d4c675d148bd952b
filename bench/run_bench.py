"""Benchmark: liaison-bot against a minimal python-telegram-bot echo bot, on the emulator.

Per bot and repetition (fresh emulator, world and database each time):
  (i)   throughput: N reports over G groups injected as fast as possible; reports fully handled
        per second = N / (time until the last acknowledgement was delivered). For liaison-bot an
        acknowledgement is only queued in the transaction that commits the ticket, so "ack
        delivered" implies "ticket committed".
  (ii)  latency: reports paced at R/s; injection → acknowledgement (emulator's call timestamp),
        WHILE a leader runs /export of a year's ledger (365 days, every ticket of the run) and
        the deadline sweep is due (1,000 open tickets marked due just before; the sweep runs
        every 10 s). For liaison-bot, how long the ledger took to arrive and whether the sweep
        took every due ticket within the window are recorded too.
  (iii) peak RSS of the bot process, and of it with its child processes, sampled every 50 ms.
Medians over the repetitions go to bench/results/latest.json and a Markdown table.

Usage: .venv/bin/python bench/run_bench.py [--reports 5000] [--groups 300] [--rate 50]
       [--latency-seconds 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the e2e harness (tests.e2e.harness) is shared with the tests

from bot.clock import to_iso  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import TelegramSandbox  # noqa: E402
from storage.sqlite import SqliteDatabase  # noqa: E402
from storage.unit import Repositories  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    ACK_MARK,
    FAST_DELIVERY,
    TOKEN,
    USERNAME,
    BotProcess,
    SentLog,
    build_burst_world,
    inject_reports,
    settle_world,
)

RESULTS = ROOT / "bench" / "results" / "latest.json"
PARK_TZ = ZoneInfo("Asia/Shanghai")
DUE_TICKETS = 1000  # open tickets made due for the sweep just before the paced window
EXPORT_AFTER = 1.0  # seconds into the paced window when the leader sends /export


@dataclass
class RunResult:
    throughput: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float
    peak_tree_mb: float  # with the bot's child processes
    # CPU time (user + system, all threads) the bot spent per report in the throughput phase:
    # unlike reports/s, it hardly moves with what else the shared machine runs.
    cpu_ms: float
    # liaison-bot only: seconds from /export to the ledger's arrival; due tickets left unswept.
    export_s: float | None = None
    unswept: int | None = None


async def add_leader(db_path: Path, leader: int, cadres: list[int]) -> None:
    """A leader (分管领导) over every cadre of the burst world, reachable in private."""
    db = SqliteDatabase(db_path)
    await db.connect()
    try:
        repos = Repositories(db)
        now = to_iso(datetime.now(UTC))
        async with db.transaction():
            leader_id = await repos.cadres.upsert_cadre(
                name="分管领导", phone=None, role="leader", telegram_id=leader, now=now
            )
            await repos.users.touch_user(leader, "分管领导", None, now, private_chat=True)
            for telegram_id in cadres:
                cadre = await repos.cadres.cadre_by_telegram(telegram_id)
                assert cadre is not None
                await repos.cadres.set_cadre_leader(cadre.id, leader_id)
    finally:
        await db.close()


def make_due(db_path: Path, count: int) -> str:
    """Mark `count` open tickets due for the deadline sweep now; return the moment used."""
    now = to_iso(datetime.now(UTC))
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        with conn:
            conn.execute(
                "UPDATE tickets SET next_step_at = ? WHERE id IN"
                " (SELECT id FROM tickets WHERE status = 'new' ORDER BY id LIMIT ?)",
                (now, count),
            )
    finally:
        conn.close()
    return now


def unswept(db_path: Path, moment: str) -> int:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM tickets WHERE next_step_at <= ?", (moment,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


async def export_year(client: SandboxClient, leader: int) -> None:
    """The leader asks for a year's ledger, a second into the paced window."""
    await asyncio.sleep(EXPORT_AFTER)
    today = datetime.now(PARK_TZ).date()
    start = today - timedelta(days=364)
    await client.send_message(leader, leader, f"/export {start.isoformat()} {today.isoformat()}")


async def wait_document(client: SandboxClient, leader: int, since: int, timeout: float) -> float:
    """Emulator timestamp of the first document sent to the leader after `since`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in await client.calls("sendDocument", since_seq=since):
            if call["ok"] and int(call["params"]["chat_id"]) == leader:
                return float(call["timestamp"])
        await asyncio.sleep(0.5)
    raise RuntimeError("the ledger never arrived")


class EchoProcess:
    """The baseline bot as a subprocess (same start/ready/terminate shape as BotProcess)."""

    def __init__(self, workdir: Path, api_base_url: str, control_url: str) -> None:
        self.workdir, self.api_base_url, self.control_url = workdir, api_base_url, control_url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.workdir / "echo.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "echo_bot.py"), TOKEN, self.api_base_url],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def wait_ready(self) -> None:
        async with SandboxClient(self.control_url) as client:
            since = await client.last_seq()
            for _ in range(600):  # polling the emulator: no event to wait on across processes
                if await client.calls("getUpdates", since_seq=since):
                    return
                await asyncio.sleep(0.05)
        raise RuntimeError("echo bot never polled")

    async def terminate(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        for _ in range(300):  # poll, never block: the emulator shares this event loop
            if self.proc.poll() is not None:
                return
            await asyncio.sleep(0.05)
        self.proc.kill()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process so far, all its threads."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def sample_rss(pid: int, stop: asyncio.Event) -> tuple[float, float]:
    """Peak resident set size (MB) of `pid` alone, and of `pid` with its children together
    (liaison-bot reads and renders a ledger in a child process), sampled every 50 ms."""
    proc = psutil.Process(pid)
    own = tree = 0
    while not stop.is_set():
        try:
            rss = proc.memory_info().rss
            total = rss
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += child.memory_info().rss
            own, tree = max(own, rss), max(tree, total)
        except psutil.NoSuchProcess:
            break
        await asyncio.sleep(0.05)
    return own / 2**20, tree / 2**20


async def quiesce(client: SandboxClient, *, still: float = 1.0, timeout: float = 300) -> None:
    """Wait until the bot has sent nothing for `still` seconds (its queue is empty)."""

    async def sends() -> int:
        calls = (await client.stats())["calls"]
        return int(calls.get("sendMessage", 0)) + int(calls.get("sendPhoto", 0))

    deadline = time.monotonic() + timeout
    last = await sends()
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        seq = await sends()
        if seq != last:
            last, quiet_since = seq, time.monotonic()
        elif time.monotonic() - quiet_since >= still:
            return
    raise TimeoutError("the bot kept sending for the whole quiesce timeout")


async def wait_acks(log: SentLog, expected: set[tuple[int, int]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not expected <= set(log.acks):
        if time.monotonic() > deadline:
            missing = len(expected - set(log.acks))
            raise RuntimeError(f"{missing} acknowledgements missing after {timeout}s")
        await asyncio.sleep(0.2)
        await log.refresh()


def ack_times(calls: list[dict[str, Any]]) -> dict[tuple[int, int], float]:
    """Emulator timestamp of each acknowledgement, by (chat_id, replied-to message id)."""
    out: dict[tuple[int, int], float] = {}
    for call in calls:
        params = call["params"]
        if not call["ok"] or ACK_MARK not in str(params.get("text", "")):
            continue
        reply = params.get("reply_parameters") or {}
        if isinstance(reply, str):
            reply = json.loads(reply)
        target = reply.get("message_id") or params.get("reply_to_message_id")
        if target is not None:
            out.setdefault((int(params["chat_id"]), int(target)), call["timestamp"])
    return out


async def one_run(kind: str, args: argparse.Namespace) -> RunResult:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    sandbox = TelegramSandbox()
    await sandbox.start(port=0)
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, USERNAME)
            world = await build_burst_world(client, workdir / "bot.db", args.groups)
            leader = (await client.create_user("分管领导", username="leader_bench"))["id"]
            bot: BotProcess | EchoProcess
            if kind == "liaison":
                await add_leader(workdir / "bot.db", leader, world.cadres)
                # Emulator limits are off, so the bot's own flood pacing is lifted as well:
                # this measures the pipeline (intake, transaction, outbox), not Telegram's caps.
                bot = BotProcess(
                    workdir,
                    sandbox.api_base_url,
                    sandbox.control_url,
                    workdir / "bot.db",
                    admins=[world.admin],
                    delivery=FAST_DELIVERY,
                    # The sweep runs (at least) twice in every paced window.
                    extra={"deadlines": {"sweep_seconds": 10}},
                    log_level=args.log_level,
                )
            else:
                bot = EchoProcess(workdir, sandbox.api_base_url, sandbox.control_url)
            bot.start()
            stop = asyncio.Event()
            rss_task = asyncio.create_task(sample_rss(bot.pid, stop))
            try:
                await bot.wait_ready()
                await client.send_message(leader, leader, "/start")  # opens the private chat
                await settle_world(client, world)

                # (i) throughput
                since = await client.last_seq()
                log = SentLog(client, since)
                cpu0 = cpu_seconds(bot.pid)
                t0 = time.monotonic()
                injected = await inject_reports(client, world, args.reports, concurrency=32)
                await wait_acks(log, {(r.chat_id, r.message_id) for r in injected}, 900)
                throughput = args.reports / (time.monotonic() - t0)
                cpu_ms = (cpu_seconds(bot.pid) - cpu0) * 1000 / args.reports

                # (ii) latency at a paced offered load, in steady state: first let the burst's
                # remaining messages (the cadres' private notices) drain, so the paced reports
                # do not queue behind them.
                await quiesce(client)
                since = await client.last_seq()
                count = int(args.rate * args.latency_seconds)
                due_at = make_due(workdir / "bot.db", DUE_TICKETS) if kind == "liaison" else ""
                wall0, mono0 = time.time(), time.monotonic()
                exporting = asyncio.create_task(export_year(client, leader))
                paced = await inject_reports(
                    client, world, count, start=args.reports, rate=args.rate
                )
                await exporting
                log = SentLog(client, since)
                await wait_acks(log, {(r.chat_id, r.message_id) for r in paced}, 300)
                export_s = left = None
                if kind == "liaison":
                    arrived = await wait_document(client, leader, since, 300)
                    export_s = arrived - (wall0 + EXPORT_AFTER)
                    left = unswept(workdir / "bot.db", due_at)
                acked = ack_times(await client.calls("sendMessage", since_seq=since))
                timed = sorted(
                    (
                        (acked[(r.chat_id, r.message_id)] - (wall0 + r.at - mono0)) * 1000,
                        r.at - mono0,
                    )
                    for r in paced
                )
                latencies = [ms for ms, _ in timed]
                if args.worst:
                    print(
                        f"  worst ({kind}):",
                        [f"{ms:.0f}ms@{t:.2f}s" for ms, t in timed[-args.worst :]],
                    )
            finally:
                stop.set()
                peak, tree = await rss_task
                await bot.terminate()
    finally:
        await sandbox.stop()
        if args.keep:
            print(f"  kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    q = statistics.quantiles(latencies, n=100)
    return RunResult(throughput, q[49], q[98], peak, tree, cpu_ms, export_s, left)


def table(summary: dict[str, Any]) -> str:
    ours, echo, ratio = summary["liaison"], summary["echo"], summary["ratio"]
    rows = [
        ("reports handled / s", "throughput", "{:.1f}"),
        ("p50 latency @ {rate}/s (ms)", "p50_ms", "{:.1f}"),
        ("p99 latency @ {rate}/s (ms)", "p99_ms", "{:.1f}"),
        ("peak RSS, bot process (MB)", "peak_rss_mb", "{:.1f}"),
        ("peak RSS incl. child processes (MB)", "peak_tree_mb", "{:.1f}"),
        ("bot CPU per report, throughput phase (ms)", "cpu_ms", "{:.2f}"),
    ]
    lines = [
        "| metric (median of runs) | liaison-bot | PTB echo | ours/echo |",
        "|---|---|---|---|",
    ]
    for label, key, fmt in rows:
        lines.append(
            f"| {label.format(rate=summary['params']['rate'])} | {fmt.format(ours[key])} | "
            f"{fmt.format(echo[key])} | {ratio[key]:.2f}× |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    runs: dict[str, list[RunResult]] = {"liaison": [], "echo": []}
    load_start = os.getloadavg()[0]
    for rep in range(args.repeat):
        for kind in ("liaison", "echo"):
            result = await one_run(kind, args)
            runs[kind].append(result)
            print(f"run {rep + 1} {kind}: {result} load {os.getloadavg()[0]:.1f}", flush=True)
    load_end = os.getloadavg()[0]
    summary: dict[str, Any] = {
        "params": vars(args),
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            # Other work on the machine moves the wall-clock figures (not the CPU per report).
            "load_average": [round(load_start, 1), round(load_end, 1)],
        },
        "runs": {k: [r.__dict__ for r in v] for k, v in runs.items()},
    }
    for kind, results in runs.items():
        summary[kind] = {
            key: statistics.median(getattr(r, key) for r in results)
            for key in ("throughput", "p50_ms", "p99_ms", "peak_rss_mb", "peak_tree_mb", "cpu_ms")
        }
    summary["ratio"] = {k: summary["liaison"][k] / summary["echo"][k] for k in summary["echo"]}
    summary["goals"] = {
        "throughput >= 1.0x echo": summary["ratio"]["throughput"] >= 1.0,
        "p99 < 100 ms": summary["liaison"]["p99_ms"] < 100.0,
        "RSS < 150 MB (bot process)": summary["liaison"]["peak_rss_mb"] < 150.0,
        "RSS < 150 MB (with children)": summary["liaison"]["peak_tree_mb"] < 150.0,
    }
    summary["liaison"]["export_s"] = statistics.median(
        r.export_s for r in runs["liaison"] if r.export_s is not None
    )
    summary["liaison"]["unswept_max"] = max(r.unswept or 0 for r in runs["liaison"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(summary))
    print(
        f"during the paced window: /export of a year ({summary['liaison']['export_s']:.1f} s"
        f" to arrive, median), {DUE_TICKETS} tickets due for the sweep"
        f" (at most {summary['liaison']['unswept_max']} left unswept after the window)"
    )
    print(f"load average {load_start:.1f} at the start, {load_end:.1f} at the end")
    print("goals:", summary["goals"])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worst", type=int, default=0, help="print the N worst latencies")
    parser.add_argument("--log-level", default="WARNING", help="the bot's log level")
    parser.add_argument("--keep", action="store_true", help="keep each run's work directory")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
