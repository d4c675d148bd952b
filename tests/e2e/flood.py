"""A 100-group burst with Telegram's flood limits enforced by the emulator, measured.

Shared by the resilience test (which checks that nothing draws a 429 and everything arrives)
and `bench/bench_flood.py` (which measures how close the pacing runs to 30 messages/s, a speed
figure that belongs in a benchmark, not in a test on a loaded machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.clock import from_iso
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url
from tests.e2e.harness import (
    BotProcess,
    SentLog,
    build_burst_world,
    inject_reports,
    read_db,
    sent_messages_ok,
    settle_world,
    steady_rate,
    wait_for,
)


@dataclass(frozen=True)
class FloodResult:
    reports: int
    acknowledged: int  # reports whose acknowledgement reached their group
    messages: int  # successful sends
    too_many: int  # 429 answers from the emulator
    exit_code: int
    steady_rate: float  # messages/s after intake until 95 % of the backlog is out
    overall_rate: float  # messages/s over the 10-90 % of the whole run
    per_5s: list[float]  # messages/s in each 5 s window


async def flood_burst(
    sandbox: TelegramSandbox,
    client: SandboxClient,
    workdir: Path,
    *,
    groups: int = 100,
    reports: int = 1000,
) -> FloodResult:
    """Run the bot with the production pacing on a burst of `reports` over `groups` groups."""
    db_path = database_url(workdir)
    world = await build_burst_world(client, db_path, groups)
    bot = BotProcess(
        workdir,
        sandbox.api_base_url,
        sandbox.control_url,
        db_path,
        admins=[world.admin],
        log_level="WARNING",
    )
    await client.set_limits(True)
    bot.start()
    try:
        await bot.wait_ready()
        await settle_world(client, world)
        await client.reset_stats()
        since = await client.last_seq()
        injected = await inject_reports(client, world, reports)
        expected = {(r.chat_id, r.message_id) for r in injected}
        log = SentLog(client, since)

        async def drained() -> bool:
            await log.refresh()
            return expected <= set(log.acks) and _outbox_idle(db_path)

        await wait_for(drained, timeout=200, interval=1.0, what="burst delivered under limits")
        stats = await client.stats()
        sends = sent_messages_ok(await client.calls(since_seq=since))
        code, _ = await bot.terminate()
    finally:
        await bot.ensure_stopped()
        await client.set_limits(False)
    stamps = sorted(c["timestamp"] for c in sends)
    return FloodResult(
        reports=reports,
        acknowledged=len(expected & set(log.acks)),
        messages=len(sends),
        too_many=stats["responses"].get("429", 0),
        exit_code=code,
        steady_rate=_steady(db_path, stamps),
        overall_rate=steady_rate(stamps),
        per_5s=_per_window(stamps, 5.0),
    )


def _steady(db_path: str, stamps: list[float]) -> float:
    """The rate after the last report was handled (intake competes for the two cores with the
    emulator and the injector) until 95 % of the backlog is out (the tail is per-private-chat
    pacing, not the global limit)."""
    processed = read_db(db_path, "SELECT max(processed_at) FROM inbox")[0][0]
    intake_done = from_iso(processed).timestamp()
    end = stamps[int(len(stamps) * 0.95)]
    steady = [t for t in stamps if intake_done <= t <= end]
    if len(steady) < 2 or steady[-1] <= steady[0]:
        return 0.0
    return (len(steady) - 1) / (steady[-1] - steady[0])


def _per_window(stamps: list[float], seconds: float) -> list[float]:
    counts = [0] * (int((stamps[-1] - stamps[0]) // seconds) + 1)
    for stamp in stamps:
        counts[int((stamp - stamps[0]) // seconds)] += 1
    return [round(n / seconds, 1) for n in counts]


def _outbox_idle(db_path: str) -> bool:
    return read_db(db_path, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
