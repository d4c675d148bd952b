"""Fixtures for the sandbox tests: an emulator, a real PTB Bot and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
import telegram

from sandbox import SandboxClient, TelegramSandbox
from tests.emulator.bots import BOT_USERNAME, TOKEN, make_bot


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """A started emulator with one bot (full group access)."""
    sb = TelegramSandbox(webhook_retry_base=0.05, webhook_retry_max=0.2)
    sb.create_bot(TOKEN, BOT_USERNAME)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
def token() -> str:
    """Token of the fixture bot."""
    return TOKEN


@pytest.fixture
def bot_factory(sandbox: TelegramSandbox) -> Callable[[], telegram.Bot]:
    """Build extra (uninitialised) PTB Bots for the fixture bot."""
    return lambda: make_bot(sandbox)


@pytest_asyncio.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[telegram.Bot]:
    """An initialised PTB Bot."""
    b = make_bot(sandbox)
    await b.initialize()
    yield b
    await b.shutdown()


@pytest_asyncio.fixture
async def client(sandbox: TelegramSandbox) -> AsyncIterator[SandboxClient]:
    """The HTTP control client of the emulator."""
    async with SandboxClient(sandbox.control_url) as c:
        yield c
