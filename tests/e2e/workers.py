"""Several real bot processes (workers) on one PostgreSQL database, behind a test reverse proxy.

A `Worker` is the real `liaison-bot run` process (`BotProcess`) in a directory of its own, in
polling mode or in webhook mode on a port of its own. The `Balancer` stands where nginx would:
Telegram (the emulator) posts every update to it, and it forwards the delivery to one worker,
trying the next when one is down (`spread`), or to every worker at once (`tee`: each worker is
fed the same updates). Which worker leads is read from PostgreSQL itself (the lease's session
names its process). `start_workers` starts a `Fleet` of them (and its proxy) and `Fleet.stop`
tears it down: the one way the worker tests and the scale bench do both.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import aiohttp
from aiohttp import web

from sandbox.server import TelegramSandbox
from storage.postgres_lease import PostgresLease
from storage.url import parse_url
from tests.e2e.harness import BotProcess

SECRET = "workers_secret-0123456789"
HOOK_PATH = "/telegram"
FORWARD_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError)


def free_port() -> int:
    """A TCP port nobody listens on right now (for a worker's webhook server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Balancer:
    """A reverse proxy for webhook deliveries: one worker each (`spread`), or all (`tee`)."""

    upstreams: list[str] = field(default_factory=list)  # the workers' webhook URLs
    mode: Literal["spread", "tee"] = "spread"
    forwarded: Counter[str] = field(default_factory=Counter)  # 2xx answers per upstream
    fed: dict[str, set[int]] = field(default_factory=dict)  # update ids answered 2xx, each
    failed: Counter[str] = field(default_factory=Counter)  # connection errors per upstream
    port: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(HOOK_PATH, self._deliver)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, upstream: str, body: bytes, headers: dict[str, str]) -> int | None:
        """The worker's status, or None when it could not be reached (down, killed mid-way)."""
        assert self._session is not None
        try:
            async with self._session.post(upstream, data=body, headers=headers) as resp:
                await resp.read()
        except FORWARD_ERRORS:
            self.failed[upstream] += 1
            return None
        if 200 <= resp.status < 300:
            self.forwarded[upstream] += 1
            self.fed.setdefault(upstream, set()).add(int(json.loads(body)["update_id"]))
        return resp.status

    async def _deliver(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        if self.mode == "tee":
            each = [self._forward(upstream, body, headers) for upstream in self.upstreams]
            statuses = await asyncio.gather(*each)
            ok = all(status is not None and 200 <= status < 300 for status in statuses)
            return web.Response(status=200 if ok else 502)
        # As nginx with `proxy_next_upstream error timeout http_502 http_503 non_idempotent`.
        start = next(self._turn)
        for offset in range(len(self.upstreams)):
            upstream = self.upstreams[(start + offset) % len(self.upstreams)]
            status = await self._forward(upstream, body, headers)
            if status is not None and status not in (502, 503):
                return web.Response(status=status)
        return web.Response(status=502)


@dataclass
class Worker(BotProcess):
    """A bot process in webhook mode on `port` (0: polling mode)."""

    port: int = 0

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def health(self) -> dict[str, Any] | None:
        """Its /healthz answer, or None while it does not answer."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
                http.get(f"http://127.0.0.1:{self.port}/healthz") as resp,
            ):
                return dict(await resp.json())
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None

    async def wait_serving(self, timeout: float = 60.0) -> float:
        """Wait until it answers /healthz with 200 (webhook mode); return the seconds taken."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.running():
                raise AssertionError(f"worker exited early:\n{self.log_tail()}")
            health = await self.health()
            if health is not None and health.get("ok"):
                return time.monotonic() - started
            await asyncio.sleep(0.1)
        raise AssertionError(f"worker not serving after {timeout}s:\n{self.log_tail()}")


def worker(
    index: int,
    workdir: Path,
    url: str,
    *,
    api_base_url: str,
    control_url: str,
    admins: list[int],
    hook_url: str | None = None,
    delivery: dict[str, Any] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
    log_level: str = "INFO",
) -> Worker:
    """Worker `index` on the database at `url`: webhook mode when `hook_url` is given."""
    home = workdir / f"worker{index}"
    home.mkdir(parents=True, exist_ok=True)
    sections: dict[str, dict[str, Any]] = dict(extra or {})
    port = 0
    if hook_url is not None:
        port = free_port()
        sections["telegram"] = {**sections.get("telegram", {}), "mode": "webhook"}
        sections["telegram.webhook"] = {
            "url": hook_url,
            "secret_token": SECRET,
            "listen": "127.0.0.1",
            "port": port,
            "path": HOOK_PATH,
        }
    return Worker(
        home,
        api_base_url,
        control_url,
        url,
        admins=admins,
        delivery=dict(delivery or {}),
        extra=sections,
        log_level=log_level,
        port=port,
    )


async def leader_pid(url: str) -> int | None:
    """The process that holds the workers' lease on this database, read from PostgreSQL."""
    lease = PostgresLease(parse_url(url))
    try:
        return await lease.holder()
    finally:
        await lease.release()


async def wait_leader(
    url: str, among: list[Worker], *, timeout: float = 60.0, interval: float = 0.05
) -> Worker:
    """Wait until one of `among` holds the lease; return it."""
    deadline = time.monotonic() + timeout
    while True:
        pid = await leader_pid(url)
        for candidate in among:
            if candidate.running() and candidate.pid == pid:
                return candidate
        if time.monotonic() >= deadline:
            tails = "\n".join(w.log_tail(10) for w in among)
            raise AssertionError(f"no leader among the workers after {timeout}s:\n{tails}")
        await asyncio.sleep(interval)


@dataclass
class Fleet:
    """Workers started together on one database (`start_workers`), and their webhooks' proxy."""

    url: str
    workers: list[Worker]
    proxy: Balancer | None  # None in polling mode
    leader: Worker  # the lease holder once all were up (a kill moves it: see `wait_leader`)

    async def terminate(self, among: Iterable[Worker] | None = None) -> None:
        """SIGTERM each of `among` (default: all) in turn; each must exit cleanly (code 0)."""
        for each in self.workers if among is None else among:
            code, _ = await each.terminate()
            assert code == 0, each.log_tail()

    async def stop(self) -> None:
        """Teardown: no worker process left behind, the proxy closed."""
        await _stop(self.workers, self.proxy)


async def start_workers(
    count: int,
    workdir: Path,
    url: str,
    sandbox: TelegramSandbox,
    *,
    admins: list[int],
    webhook: Literal["spread", "tee"] | None = None,
    delivery: dict[str, Any] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
    log_level: str = "INFO",
) -> Fleet:
    """Start `count` workers on the database at `url`; return once one of them leads.

    Polling mode, or with `webhook` each on a port of its own behind a `Balancer` in that mode
    (the URL Telegram posts to), waited for until it serves /healthz. Should any step fail,
    whatever was started is stopped again before the error goes on.
    """
    proxy = Balancer(mode=webhook) if webhook is not None else None
    workers: list[Worker] = []
    try:
        if proxy is not None:
            await proxy.start()
        workers += [
            worker(
                i,
                workdir,
                url,
                api_base_url=sandbox.api_base_url,
                control_url=sandbox.control_url,
                admins=admins,
                hook_url=proxy.url if proxy is not None else None,
                delivery=delivery,
                extra=extra,
                log_level=log_level,
            )
            for i in range(count)
        ]
        if proxy is not None:
            proxy.upstreams = [w.hook for w in workers]
        for each in workers:
            each.start()
        if proxy is not None:
            for each in workers:
                await each.wait_serving()
        leader = await wait_leader(url, workers)
    except BaseException:
        await _stop(workers, proxy)
        raise
    return Fleet(url, workers, proxy, leader)


async def _stop(workers: list[Worker], proxy: Balancer | None) -> None:
    for each in workers:
        await each.ensure_stopped()
    if proxy is not None:
        await proxy.stop()
