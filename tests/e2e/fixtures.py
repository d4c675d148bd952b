"""End-to-end fixtures: a started emulator with the bot registered, a client, a work dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.e2e.harness import TOKEN, USERNAME


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """The emulator, in this test's event loop, with the bot's account created."""
    sb = TelegramSandbox()
    await sb.start(port=0)
    async with SandboxClient(sb.control_url) as c:
        await c.create_bot(TOKEN, USERNAME)
    try:
        yield sb
    finally:
        await sb.stop()


@pytest_asyncio.fixture
async def client(sandbox: TelegramSandbox) -> AsyncIterator[SandboxClient]:
    """The emulator's control client."""
    async with SandboxClient(sandbox.control_url) as c:
        yield c


@pytest_asyncio.fixture
def workdir(tmp_path: Path) -> Path:
    """Where the config, database and bot log live."""
    return tmp_path
