"""TelegramSandbox: a local, strict Telegram Bot API emulator over HTTP.

Point python-telegram-bot at :attr:`TelegramSandbox.api_base_url` (it appends
``<token>/<method>``) and drive users through the control API, either
in-process (the methods of this class) or over HTTP under
:attr:`TelegramSandbox.control_url` with :class:`sandbox.client.SandboxClient`.
"""

from __future__ import annotations

import inspect
import json
from functools import partial
from typing import Any

from aiohttp import web

from sandbox.bot_api import BotApi
from sandbox.control import SandboxControl
from sandbox.observe import SandboxObserver
from sandbox.state import ControlError, SandboxState
from sandbox.webhook import WebhookManager

# Control actions reachable over HTTP: POST /sandbox/<name> with JSON kwargs.
CONTROL_ACTIONS = (
    "create_bot",
    "create_user",
    "create_chat",
    "add_member",
    "send_message",
    "send_photo",
    "send_document",
    "press_button",
    "edit_message",
    "link_chats",
    "upgrade_group",
    "block_bot",
    "unblock_bot",
    "sent",
    "calls",
    "callback_answers",
    "pending_updates",
    "stats",
    "reset_stats",
    "set_faults",
    "set_limits",
    "last_seq",
)
_dumps = partial(json.dumps, ensure_ascii=False)


class TelegramSandbox(SandboxControl, SandboxObserver):
    """An in-memory Telegram: Bot API server plus control API."""

    def __init__(self, webhook_retry_base: float = 0.1, webhook_retry_max: float = 5.0) -> None:
        self.state = SandboxState()
        self.webhooks = WebhookManager(webhook_retry_base, webhook_retry_max)
        self._bot_api = BotApi(self.state, self.webhooks)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle ------------------------------------------------------------
    def make_app(self) -> web.Application:
        """The aiohttp application (exposed for embedding in other servers)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.add_routes(self._bot_api.routes())
        app.add_routes([web.route("*", "/sandbox/{action}", self._control)])
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on *host*:*port* (0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        # Quiet access log: benchmarks make thousands of calls.
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        # With port=0 the OS picks the port; the runner knows the bound address.
        self._port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Stop webhook deliveries and the HTTP server; wake pending long polls."""
        await self.webhooks.close()
        for bot in self.state.bots.values():
            if bot.poll is not None:
                bot.poll.event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- addresses --------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound TCP port (after start())."""
        if self._port is None:
            raise RuntimeError("sandbox not started")
        return self._port

    @property
    def api_base_url(self) -> str:
        """Value for python-telegram-bot's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for python-telegram-bot's ``base_file_url``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def control_url(self) -> str:
        """Root of the HTTP control API (for SandboxClient)."""
        return f"http://127.0.0.1:{self.port}/sandbox"

    # --- HTTP control -------------------------------------------------------------
    async def _control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action not in CONTROL_ACTIONS:
            return _control_answer(404, {"ok": False, "error": f"unknown control action {action}"})
        kwargs: dict[str, Any] = {}
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _control_answer(400, {"ok": False, "error": "body must be a JSON object"})
            if not isinstance(body, dict):
                return _control_answer(400, {"ok": False, "error": "body must be a JSON object"})
            kwargs = body
        for key, value in request.query.items():
            try:
                kwargs[key] = json.loads(value)
            except ValueError:
                kwargs[key] = value
        func = getattr(self, action)
        try:
            inspect.signature(func).bind(**kwargs)
        except TypeError as exc:
            return _control_answer(400, {"ok": False, "error": f"{action}: {exc}"})
        try:
            result = func(**kwargs)
        except ControlError as exc:
            return _control_answer(exc.status, {"ok": False, "error": str(exc)})
        return _control_answer(200, {"ok": True, "result": result})


def _control_answer(status: int, payload: dict[str, Any]) -> web.Response:
    return web.json_response(payload, status=status, dumps=_dumps)
