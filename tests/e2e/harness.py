"""Harness for tests that run the real bot process against the in-process Telegram emulator.

The emulator (`TelegramSandbox`) lives in the test's event loop; the bot runs as a subprocess
(`python -m bot.cli.main --config FILE run`), exactly as in production, so SIGTERM/SIGKILL, restarts
and the durable inbox/outbox are exercised for real. Worlds (roster, cadres, bound groups) are
written into the SQLite file before the bot starts; assertions read it back read-only.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import to_iso
from sandbox.client import SandboxClient
from storage.open import open_database
from storage.unit import Repositories
from tests.databases import query

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "100002:E2E-token-not-secret-00000000000"
USERNAME = "liaison_e2e_bot"
ACK_MARK = "已登记为工单"  # the acknowledgement of a report

# Unthrottled delivery: with the emulator's flood limits off, the bot's own pacing (28/s,
# 19/min per group) would only make durability tests slow without proving anything more.
FAST_DELIVERY: dict[str, Any] = {
    "global_per_second": 1000.0,
    "group_per_minute": 1000,
    "private_interval_seconds": 0.0,
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    """Write a flat two-level TOML config (`[section] key = value`)."""
    lines: list[str] = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), "utf-8")
    return path


@dataclass
class BotProcess:
    """The real bot as a subprocess, with its config and log file in `workdir`."""

    workdir: Path
    api_base_url: str
    control_url: str
    db_path: Path | str  # the database: a SQLite file or a storage URL (tests.databases)
    admins: list[int] = field(default_factory=list)
    delivery: dict[str, Any] = field(default_factory=dict)
    # Further config sections, e.g. {"deadlines": {"sweep_seconds": 10}}.
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_level: str = "INFO"
    token: str = TOKEN
    # Extra environment for the process; None removes a variable.
    env: dict[str, str | None] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def config_path(self) -> Path:
        return self.workdir / "config.toml"

    @property
    def log_path(self) -> Path:
        return self.workdir / "bot.log"

    def write_config(self) -> Path:
        sections: dict[str, dict[str, Any]] = {
            "telegram": {
                "token": self.token,
                "api_base_url": self.api_base_url,
                "poll_timeout": 1,
            },
            "storage": {"url": str(self.db_path)},
            "park": {"name": "测试开发区", "locale": "zh_CN", "admins": self.admins},
            "logging": {"level": self.log_level},
            # A burst world's one contact per group (`build_burst_world`) stands for its whole
            # enterprise, so its bursts are no one person's: no per-person report limit here
            # (tests/handlers/tickets/test_report_limits.py tests the limit).
            "tickets": {"reports_per_person_per_hour": 0},
        }
        if self.delivery:
            sections["delivery"] = dict(self.delivery)
        for name, values in self.extra.items():
            sections[name] = {**sections.get(name, {}), **values}
        return write_config(self.config_path, sections)

    def start(self) -> None:
        """Start the bot; its output is appended to `bot.log` (kept across restarts)."""
        assert self.proc is None or self.proc.poll() is not None, "bot already running"
        self.write_config()
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start #{self.starts} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "--config", str(self.config_path), "run"],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment(),
            )

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def made(self, call: dict[str, Any]) -> bool:
        """Whether this process made a call of the emulator's log (its User-Agent names it)."""
        return f"(pid {self.pid})" in str(call.get("agent") or "")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def wait_ready(self, timeout: float = 30.0) -> float:
        """Wait until the emulator sees this process poll (getUpdates); return seconds taken.

        The runtime replays the inbox before it starts polling, so "polling" means "caught up
        with what it stored before".
        """
        started = time.monotonic()
        async with SandboxClient(self.control_url) as client:
            since = await client.last_seq()
            while time.monotonic() - started < timeout:
                if not self.running():
                    raise AssertionError(f"bot exited early:\n{self.log_tail()}")
                if await client.calls("getUpdates", since_seq=since):
                    return time.monotonic() - started
                await asyncio.sleep(0.05)
        raise AssertionError(f"bot not polling after {timeout}s:\n{self.log_tail()}")

    async def restart(self) -> tuple[int, float]:
        """SIGTERM, then start again and wait until it polls."""
        result = await self.terminate()
        self.start()
        await self.wait_ready()
        return result

    async def terminate(self, timeout: float = 15.0) -> tuple[int, float]:
        """SIGTERM and wait; return (exit code, seconds until exit). SIGKILL on timeout."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = await self._wait(timeout)
        elapsed = time.monotonic() - started
        if code is None:
            self.proc.kill()
            code = await self._wait(5.0)
            return (code if code is not None else -9), elapsed
        return code, elapsed

    def pause(self) -> None:
        """SIGSTOP: the process freezes where it stands (a VM paused, a long stall), connected."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: a paused process goes on from where it stood."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    async def kill(self) -> int:
        """SIGKILL: no cleanup at all, like a power cut."""
        assert self.proc is not None
        self.proc.kill()
        code = await self._wait(10.0)
        return code if code is not None else -9

    async def _wait(self, timeout: float) -> int | None:
        # Poll rather than block: the emulator shares this event loop and must keep serving.
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                return code
            await asyncio.sleep(0.02)
        return None

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def ensure_stopped(self) -> None:
        """Teardown: never leave a bot process behind (a paused one is resumed first)."""
        if self.running():
            self.resume()
            await self.terminate(timeout=10.0)


# -- worlds ---------------------------------------------------------------------------------


@dataclass
class BurstWorld:
    """N enterprises, each with a bound group, one contact and its own reachable cadre."""

    groups: list[int]
    contacts: list[int]  # contacts[i] posts in groups[i]
    cadres: list[int]
    admin: int


async def build_burst_world(
    client: SandboxClient, db_path: Path | str, n_groups: int, *, prefix: str = "企业"
) -> BurstWorld:
    """Create users/groups in the emulator and the matching roster and bindings in the DB.

    Written directly through the repositories (not /bind) so a 100-group world takes well under
    a second to build and the test starts from a known state.
    """
    admin = (await client.create_user("管理员", username="admin_burst"))["id"]
    groups: list[int] = []
    contacts: list[int] = []
    cadres: list[int] = []
    for i in range(n_groups):
        cadre = await client.create_user(f"干部{i:03d}")
        contact = await client.create_user(f"联系人{i:03d}")
        chat = await client.create_chat("supergroup", title=f"{prefix}{i:03d} 企业服务群")
        await client.add_member(chat["id"], contact["id"])
        groups.append(chat["id"])
        contacts.append(contact["id"])
        cadres.append(cadre["id"])
    db = open_database(str(db_path))
    await db.connect()
    try:
        now_dt = datetime.now(UTC)
        now = to_iso(now_dt)
        repos = Repositories(db)
        async with db.transaction():
            for i, (group, contact, cadre) in enumerate(zip(groups, contacts, cadres, strict=True)):
                cadre_id = await repos.cadres.upsert_cadre(
                    name=f"干部{i:03d}", phone=None, role="cadre", telegram_id=cadre, now=now
                )
                # Reachable in private, as if the cadre had opened the bot: notices are owed.
                await repos.users.touch_user(cadre, f"干部{i:03d}", None, now, private_chat=True)
                ent = await repos.enterprises.upsert_enterprise(
                    name=f"{prefix}{i:03d}有限公司",
                    credit_code=None,
                    industry=None,
                    grid=None,
                    now=now,
                )
                await repos.enterprises.set_assignment(ent, cadre_id, None, now)
                await repos.enterprises.bind_contact(contact, ent, "invite", now)
                await repos.chats.bind(
                    group,
                    kind="enterprise",
                    enterprise_id=ent,
                    title=f"{prefix}{i:03d} 企业服务群",
                    bound_by=admin,
                    now=now_dt,
                )
    finally:
        await db.close()
    # Each cadre opens the bot in private (as they would after their invitation); without it
    # Telegram refuses private messages to them with 403, and no notice could be delivered.
    for cadre in [*cadres, admin]:
        await client.send_message(cadre, cadre, "/start")
    return BurstWorld(groups=groups, contacts=contacts, cadres=cadres, admin=admin)


async def settle_world(client: SandboxClient, world: BurstWorld, timeout: float = 60.0) -> None:
    """Wait until the bot has answered every /start of `build_burst_world`."""
    people = [*world.cadres, world.admin]
    for person in people:
        await client.wait_sent(chat_id=person, timeout=timeout)


# -- observation ----------------------------------------------------------------------------


def read_db(db_path: Path | str, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Query the bot's database read-only (never changes it, works after a SIGKILL)."""
    return query(str(db_path), sql, params)


def acks_by_source(sent: list[dict[str, Any]]) -> Counter[tuple[int, int]]:
    """Acknowledgements per (chat_id, reported message id)."""
    return Counter(
        (e["chat_id"], e["reply_to_message_id"])
        for e in sent
        if e["method"] == "sendMessage"
        and e.get("reply_to_message_id")
        and ACK_MARK in (e.get("text") or "")
    )


def duplicate_sends(sent: list[dict[str, Any]]) -> int:
    """Deliveries that repeat an earlier one exactly (same method, chat, reply target, text).

    Every message the bot owes here is unique (ticket numbers are in the text), so a repeat can
    only be an outbox item delivered twice: sent, then killed before it was marked sent.
    """
    keys = Counter(
        (e["method"], e["chat_id"], e.get("reply_to_message_id"), e.get("text"))
        for e in sent
        if e["method"] in ("sendMessage", "sendPhoto", "sendDocument")
    )
    return sum(n - 1 for n in keys.values() if n > 1)


async def wait_for(
    predicate: Any, *, timeout: float, interval: float = 0.25, what: str = "condition"
) -> None:
    """Await an async predicate until true; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if await predicate():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


# -- load -----------------------------------------------------------------------------------


@dataclass
class Injected:
    """One report a person posted: where, which message, and when (monotonic seconds)."""

    chat_id: int
    message_id: int
    at: float


def report_text(n: int) -> str:
    """Alternate the two report forms so both paths are exercised."""
    if n % 2:
        return f"/report 第{n}号诉求：厂区道路积水，请协调排水"
    return f"#诉求 第{n}号诉求：车间停电，请尽快恢复供电"


async def inject_reports(
    client: SandboxClient,
    world: BurstWorld,
    count: int,
    *,
    start: int = 0,
    concurrency: int = 16,
    rate: float | None = None,
) -> list[Injected]:
    """Post `count` reports round-robin over the world's groups.

    As fast as possible (bounded by `concurrency` requests in flight), or paced at `rate`/s.
    """
    out: list[Injected] = []
    sem = asyncio.Semaphore(concurrency)
    t0 = time.monotonic()

    async def one(n: int) -> None:
        if rate is not None:
            delay = t0 + (n - start) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        i = n % len(world.groups)
        async with sem:
            at = time.monotonic()
            msg = await client.send_message(world.groups[i], world.contacts[i], report_text(n))
        out.append(Injected(world.groups[i], msg["message_id"], at))

    await asyncio.gather(*(one(n) for n in range(start, start + count)))
    return out


class SentLog:
    """Incremental copy of the emulator's sent log.

    Fetching only new entries keeps observation cheap: re-reading thousands of entries every
    second would stall the emulator (same event loop) and distort the bot's latencies.
    """

    def __init__(self, client: SandboxClient, since_seq: int = 0) -> None:
        self.client = client
        self.seq = since_seq
        self.entries: list[dict[str, Any]] = []
        self.acks: Counter[tuple[int, int]] = Counter()

    async def refresh(self) -> list[dict[str, Any]]:
        new = await self.client.sent(since_seq=self.seq)
        if new:
            self.seq = max(e["seq"] for e in new)
            self.entries += new
            self.acks.update(acks_by_source(new))
        return self.entries


def sent_messages_ok(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Successful message sends (the ones that count against flood limits)."""
    return [c for c in calls if c["ok"] and c["method"] in ("sendMessage", "sendPhoto")]


def steady_rate(timestamps: list[float], trim: float = 0.1) -> float:
    """Messages per second between the `trim` and `1 - trim` quantiles (ramp-up/down cut)."""
    stamps = sorted(timestamps)
    if len(stamps) < 10:
        return 0.0
    lo, hi = int(len(stamps) * trim), int(len(stamps) * (1 - trim)) - 1
    span = stamps[hi] - stamps[lo]
    return (hi - lo) / span if span > 0 else float("inf")
