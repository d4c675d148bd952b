"""The transport's request bodies: JSON with the parameters' own types, a form for uploads;
each request names its process."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.http import AiohttpRequest
from sandbox.server import TelegramSandbox

TOKEN = "300004:HTTP-token-not-secret-00000000000000"


class Recorder:
    """A Bot API stand-in that keeps each request's content type and body."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes]] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.match_info["method"], request.content_type, await request.read()))
        result: Any = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    await rec.start()
    try:
        yield rec
    finally:
        assert rec.runner is not None
        await rec.runner.cleanup()


async def test_parameters_go_as_json_with_their_types_and_text_as_utf8(recorder: Recorder) -> None:
    request = AiohttpRequest()
    await request.initialize()  # no getMe: the stand-in answers every call with a message
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{recorder.port}/bot", request=request)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("认领", callback_data="t:claim:7")]])
    try:
        await bot.send_message(5, "企业<诉求> & 回复", reply_markup=keyboard)
        await bot.send_document(5, b"PK\x03\x04", filename="台账.xlsx", caption="台账")
    finally:
        await request.shutdown()
    (method, ctype, body), (upload, upload_type, _) = recorder.seen
    assert (method, ctype) == ("sendMessage", "application/json")
    assert "企业".encode() in body  # UTF-8 as is, not escaped
    assert json.loads(body) == {
        "chat_id": 5,
        "text": "企业<诉求> & 回复",
        "reply_markup": {"inline_keyboard": [[{"text": "认领", "callback_data": "t:claim:7"}]]},
    }
    assert (upload, upload_type) == ("sendDocument", "multipart/form-data")


async def test_each_call_names_the_process_that_made_it() -> None:
    """Workers share one token: the User-Agent tells their calls apart (in the emulator's log,
    in a proxy's), and the emulator says when each call arrived (a long poll ends later)."""
    sandbox = TelegramSandbox()
    await sandbox.start()
    sandbox.create_bot(TOKEN, "http_bot")
    request = AiohttpRequest()
    try:
        bot = Bot(
            TOKEN, base_url=sandbox.api_base_url, request=request, get_updates_request=request
        )
        async with bot:
            await bot.get_updates(timeout=1)
        (call,) = sandbox.calls("getUpdates")
    finally:
        await request.shutdown()
        await sandbox.stop()
    assert call["agent"].startswith(f"liaison-bot (pid {os.getpid()}) python-telegram-bot")
    assert call["timestamp"] - call["received"] >= 0.9  # it waited its long poll's second
