"""Webhook intake: the secret, store-before-200, deduplication, 503 on storage failure, health.

The last test runs the real `Runtime` in webhook mode against the Telegram emulator, which
delivers updates by POSTing them to the bot's webhook with the secret header.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.clock import FixedClock
from bot.config import ConfigError, WebhookSettings, load_settings
from bot.ingest.webhook import SECRET_HEADER, WebhookServer
from bot.runtime.process import Runtime
from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from storage.db import Database
from storage.open import open_database
from tests.databases import BACKEND, ON_POSTGRES, database_url

SECRET = "s3cret_Token-1"
TOKEN = "100002:WEBHOOK-token-not-secret-000000"


def update(update_id: int, text: str = "hello") -> dict[str, Any]:
    """Build a minimal private-chat message update."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "A"},
            "from": {"id": 42, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real database on a temporary file."""
    database = open_database(database_url(tmp_path))
    await database.connect()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def server(file_db: Database, clock: FixedClock) -> AsyncIterator[WebhookServer]:
    """A started webhook server on a free port."""
    # model_copy skips validation: port 0 (any free port) is for tests only.
    settings = WebhookSettings(secret_token=SecretStr(SECRET)).model_copy(update={"port": 0})
    srv = WebhookServer(file_db, clock, asyncio.Event(), settings)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def http(server: WebhookServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client pointed at the server."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client


async def inbox_rows(db: Database) -> list[tuple[int, str]]:
    """Return (update_id, status) for every inbox row."""
    async with db.transaction():
        rows = await db.fetchall("SELECT update_id, status FROM inbox ORDER BY update_id")
    return [(int(r[0]), str(r[1])) for r in rows]


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: "é".encode()}])
async def test_wrong_or_missing_secret_is_refused(
    http: httpx.AsyncClient, file_db: Database, headers: dict[str, str | bytes]
) -> None:
    resp = await http.post("/telegram", json=update(1), headers=headers)
    assert resp.status_code == 403
    assert await inbox_rows(file_db) == []


async def test_good_update_is_stored_before_200_and_wakes_the_processor(
    http: httpx.AsyncClient, server: WebhookServer, file_db: Database
) -> None:
    resp = await http.post("/telegram", json=update(7), headers={SECRET_HEADER: SECRET})
    assert resp.status_code == 200
    assert await inbox_rows(file_db) == [(7, "pending")]
    assert server.wakeup.is_set()


async def test_redelivery_is_answered_200_and_stored_once(
    http: httpx.AsyncClient, file_db: Database
) -> None:
    for _ in range(2):
        resp = await http.post("/telegram", json=update(8), headers={SECRET_HEADER: SECRET})
        assert resp.status_code == 200
    assert await inbox_rows(file_db) == [(8, "pending")]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x"}', b"\xff"])
async def test_garbage_is_400(http: httpx.AsyncClient, file_db: Database, body: bytes) -> None:
    resp = await http.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert resp.status_code == 400
    assert await inbox_rows(file_db) == []


async def test_other_paths_and_methods_are_not_served(http: httpx.AsyncClient) -> None:
    assert (await http.post("/other", json=update(1))).status_code == 404
    assert (await http.get("/telegram")).status_code == 405


async def test_database_down_is_503_so_telegram_retries(
    http: httpx.AsyncClient, server: WebhookServer, file_db: Database
) -> None:
    await file_db.close()
    resp = await http.post("/telegram", json=update(9), headers={SECRET_HEADER: SECRET})
    assert resp.status_code == 503
    assert not server.wakeup.is_set()
    health = await http.get("/healthz")
    assert health.status_code == 503
    assert SECRET not in health.text


async def test_healthz_reports_pending_counts(http: httpx.AsyncClient) -> None:
    for update_id in (1, 2):
        await http.post("/telegram", json=update(update_id), headers={SECRET_HEADER: SECRET})
    resp = await http.get("/healthz")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ok"] is True and body["backend"] == BACKEND
    assert body["inbox_pending"] == 2
    assert body["outbox_pending"] == 0


async def test_no_secret_configured_accepts_any_request(
    file_db: Database, clock: FixedClock
) -> None:
    settings = WebhookSettings().model_copy(update={"port": 0})
    srv = WebhookServer(file_db, clock, asyncio.Event(), settings)
    await srv.start()
    try:
        async with httpx.AsyncClient() as client:
            resp = await client.post(f"http://127.0.0.1:{srv.port}/telegram", json=update(3))
        assert resp.status_code == 200
    finally:
        await srv.stop()


def free_port() -> int:
    """Ask the OS for a port that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_runtime_in_webhook_mode_answers_help(tmp_path: Path) -> None:
    sandbox = TelegramSandbox(webhook_retry_base=0.05, webhook_retry_max=0.5)
    await sandbox.start()
    port = free_port()
    settings = load_settings(
        None,
        telegram={
            "token": TOKEN,
            "api_base_url": sandbox.api_base_url,
            "mode": "webhook",
            "webhook": {
                "listen": "127.0.0.1",
                "port": port,
                "url": f"http://127.0.0.1:{port}/telegram",
                "secret_token": "s3cret",
            },
        },
        storage={"url": database_url(tmp_path)},
        park={"locale": "en"},
    )
    try:
        async with SandboxClient(sandbox.control_url) as client:
            await client.create_bot(TOKEN, "liaison_webhook_bot")
            runtime = Runtime(settings)
            await runtime.start()
            try:
                calls = await client.calls("setWebhook")
                assert calls and calls[-1]["params"]["secret_token"] == "s3cret"
                user = await client.create_user("Alice", username="alice")
                before = await client.last_seq()
                await client.send_message(user["id"], user["id"], "/help")
                sent = await client.wait_sent(user["id"], since_seq=before, timeout=10)
                assert sent[0]["text"]
                assert await client.pending_updates(TOKEN) == 0
            finally:
                await runtime.stop()
            # Stopping removes the webhook, so Telegram keeps updates until the next start; on
            # PostgreSQL other workers may still serve it, so it stays.
            assert bool(await client.calls("deleteWebhook")) is not ON_POSTGRES
    finally:
        await sandbox.stop()


@pytest.mark.parametrize(
    ("webhook", "key"),
    [
        ({"url": "", "secret_token": "ok"}, "telegram.webhook.url"),
        ({"url": "http://example.com/telegram", "secret_token": "ok"}, "telegram.webhook.url"),
        ({"url": "https://bot.example.com/telegram", "secret_token": ""}, "secret_token"),
        ({"url": "https://bot.example.com/telegram", "secret_token": "no spaces!"}, "secret"),
        ({"url": "https://bot.example.com/t", "secret_token": "x" * 257}, "secret_token"),
    ],
)
def test_webhook_mode_needs_https_url_and_a_valid_secret(webhook: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, telegram={"mode": "webhook", "webhook": webhook})
    assert len(caught.value.lines) == 1
    assert key in caught.value.lines[0]
    assert "no spaces!" not in str(caught.value)


def test_webhook_settings_accepted_in_webhook_mode_and_ignored_in_polling() -> None:
    for url in ("https://bot.example.com/telegram", "http://localhost:8443/telegram"):
        settings = load_settings(
            None, telegram={"mode": "webhook", "webhook": {"url": url, "secret_token": "a_B-1"}}
        )
        assert settings.telegram.webhook.url == url
    assert load_settings(None, telegram={"mode": "polling"}).telegram.webhook.url == ""
