"""The real `liaison-bot run` process in the situations an operator meets on the first day:
a token Telegram rejects, a second instance on the same database, a stop while Telegram is
unreachable, and Telegram reachable only through the proxy in HTTPS_PROXY."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url, display, sqlite_only
from tests.e2e.harness import TOKEN, BotProcess
from tests.e2e.proxy import CA_FILE, TLS_HOST, CountingProxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

PROXY_VARIABLES = [
    f"{name}{suffix}" for name in ("http", "https", "all", "no") for suffix in ("_proxy", "_PROXY")
]
NO_PROXY_ENV: dict[str, str | None] = {name.upper(): None for name in PROXY_VARIABLES} | {
    name: None for name in PROXY_VARIABLES
}


def bot_in(workdir: Path, sandbox: TelegramSandbox, **kw: object) -> BotProcess:
    """A bot process with its own config and log in `workdir` (the database may be shared)."""
    workdir.mkdir(parents=True, exist_ok=True)
    options: dict[str, object] = {"env": dict(NO_PROXY_ENV), **kw}
    if "db_path" not in options:  # a fresh database (on PostgreSQL: emptied for this bot)
        options["db_path"] = database_url(workdir)
    return BotProcess(
        workdir=workdir,
        api_base_url=sandbox.api_base_url,
        control_url=sandbox.control_url,
        **options,  # type: ignore[arg-type]
    )


async def wait_exit(bot: BotProcess, timeout: float) -> tuple[int | None, float]:
    """Wait for the process to end by itself; (exit code or None, seconds waited)."""
    started = time.monotonic()
    code = await bot._wait(timeout)
    return code, time.monotonic() - started


async def wait_log(bot: BotProcess, text: str, timeout: float = 30.0) -> None:
    """Wait until the bot's log contains `text` (presence, never absence)."""
    deadline = time.monotonic() + timeout
    while text not in bot.log_text():
        if not bot.running():
            raise AssertionError(f"bot exited before logging {text!r}:\n{bot.log_tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged after {timeout}s:\n{bot.log_tail()}")
        await asyncio.sleep(0.05)


async def test_a_rejected_token_is_one_redacted_line_and_a_prompt_exit(
    sandbox: TelegramSandbox, workdir: Path
) -> None:
    rejected = "100009:REJECTED-token-value-00000000000"  # not registered: the API answers 401
    bot = bot_in(workdir, sandbox, token=rejected)
    bot.start()
    try:
        code, _ = await wait_exit(bot, timeout=15.0)
    finally:
        await bot.ensure_stopped()
    log = bot.log_text()
    assert code == 4, log
    assert "retrying" not in log  # a rejected token is final: no retry loop
    assert rejected not in log and rejected.split(":")[1] not in log
    assert "Traceback" not in log
    critical = [line for line in log.splitlines() if " CRITICAL " in line]
    assert len(critical) == 1 and "Telegram 拒绝了机器人令牌" in critical[0], log


@sqlite_only("one process per file; on PostgreSQL workers share it (tests/e2e/test_workers.py)")
async def test_a_second_run_on_the_same_database_refuses_until_the_first_is_gone(
    sandbox: TelegramSandbox, workdir: Path
) -> None:
    first = bot_in(workdir / "first", sandbox)
    second = bot_in(workdir / "second", sandbox, db_path=first.db_path)
    first.start()
    try:
        await first.wait_ready()
        second.start()
        code, _ = await wait_exit(second, timeout=20.0)
        log = second.log_text()
        assert code == 5, log
        assert f"pid {first.pid}" in log and display(str(first.db_path)) in log
        assert "正在使用数据库" in log and "Traceback" not in log
        assert first.running()
        # A crash frees the lock: the kernel drops it with the process, no stale lock file.
        await first.kill()
        second.start()
        # Its own log, not the emulator's: the killed process's last long poll may still be
        # answered and counted there.
        await wait_log(second, "liaison-bot started as")
        assert (await second.terminate())[0] == 0
    finally:
        await first.ensure_stopped()
        await second.ensure_stopped()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port where nothing listens: bound but not listening, so it stays ours."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


async def test_sigterm_interrupts_the_retry_wait_while_telegram_is_unreachable(
    sandbox: TelegramSandbox, workdir: Path, closed_port: int
) -> None:
    bot = bot_in(workdir, sandbox)
    bot.api_base_url = f"http://127.0.0.1:{closed_port}/bot"
    bot.start()
    try:
        await wait_log(bot, "Telegram unreachable at start")
        # Let the retry delay grow (1, 2, 4, 8 s): a stop that waited it out would still be
        # sleeping when the harness gives up below and kills the process (exit code -9).
        await wait_log(bot, "retrying in 8s", timeout=30.0)
        code, _ = await bot.terminate(timeout=6.0)
    finally:
        await bot.ensure_stopped()
    assert code == 0, bot.log_tail()
    assert "liaison-bot stopped" in bot.log_text()


async def test_every_api_call_goes_through_the_proxy_in_https_proxy(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    proxy = CountingProxy(tls_hosts={TLS_HOST: ("127.0.0.1", sandbox.port)})
    await proxy.start()
    env = dict(NO_PROXY_ENV)
    env.update({"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(CA_FILE)})
    # A host name nobody can resolve: the bot can only reach it through the proxy.
    bot = bot_in(workdir, sandbox, env=env)
    bot.api_base_url = f"https://{TLS_HOST}/bot"
    try:
        bot.start()
        await bot.wait_ready()
        user = (await client.create_user("访客"))["id"]
        since = await client.last_seq()
        await client.send_message(user, user, "/help")
        await client.wait_sent(chat_id=user, since_seq=since, timeout=15)
        assert (await bot.terminate())[0] == 0
    finally:
        await bot.ensure_stopped()
        await proxy.stop()
    assert proxy.tunnels[f"{TLS_HOST}:443"] >= 1, proxy.tunnels
    assert set(proxy.tunnels) == {f"{TLS_HOST}:443"}
    calls = await client.calls()
    assert {"getMe", "getUpdates", "sendMessage"} <= {c["method"] for c in calls}
    assert TOKEN not in bot.log_text()
