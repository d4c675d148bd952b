"""Webhook intake that never loses an update: store first, answer 200 after.

Telegram POSTs each update to `settings.path` and keeps retrying until it gets a 2xx. So the
update is committed to the inbox before the answer, a redelivered update_id is deduplicated by
the inbox and still answered 200, and a database failure answers 503 so Telegram tries again.
`GET /healthz` reports the queue depths, the database backend, this worker's role (`leader` or
`follower`, see `bot.runtime.lease`) and how many updates it received and handled, for a load
balancer or a monitoring probe. Every worker serves deliveries, whatever its role.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.config import WebhookSettings
from storage.db import Database
from storage.repos.queues import InboxRepo, OutboxRepo

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; a media group caption is far below this.
MAX_BODY = 1024 * 1024


class WebhookServer:
    """An aiohttp server that persists Telegram's webhook deliveries to the inbox."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        wakeup: asyncio.Event,
        settings: WebhookSettings,
        *,
        role: Callable[[], str] = lambda: "leader",
        handled: Callable[[], int] = lambda: 0,
    ) -> None:
        self.db = db
        self.role = role
        self.handled = handled
        self.clock = clock
        self.wakeup = wakeup
        self.settings = settings
        self.inbox = InboxRepo(db)
        self.outbox = OutboxRepo(db)
        self.received = 0
        self._secret = settings.secret_token.get_secret_value().encode()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def make_app(self) -> web.Application:
        """Build the aiohttp application (exposed for tests and embedding)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.add_routes(
            [
                web.post(self.settings.path, self._receive),
                web.get("/healthz", self._health),
            ]
        )
        return app

    async def start(self) -> None:
        """Listen on the configured address; port 0 picks a free port."""
        if self._runner is not None:
            raise RuntimeError("webhook server already started")
        # No access log: it would add nothing the intake does not log, on every update.
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.settings.listen, self.settings.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = int(runner.addresses[0][1])
        self._runner = runner
        log.info(
            "webhook server listening on %s:%d%s",
            self.settings.listen,
            self._port,
            self.settings.path,
        )

    async def stop(self) -> None:
        """Stop accepting deliveries; let the one in hand finish (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """Return the bound TCP port (after start())."""
        if self._port is None:
            raise RuntimeError("webhook server not started")
        return self._port

    def _authorised(self, request: web.Request) -> bool:
        """Check the secret header in constant time (any request passes when none is set)."""
        if not self._secret:
            return True
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self._secret)

    async def _receive(self, request: web.Request) -> web.Response:
        """Store one update, then answer; the answer is Telegram's acknowledgement."""
        if not self._authorised(request):
            # Log the peer only: the header may be someone's guess at our secret.
            log.warning("webhook request with a wrong or missing secret from %s", request.remote)
            return _answer(403, "forbidden")
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "body is not JSON")
        if not _is_update(update):
            return _answer(400, "body is not an update")
        try:
            async with self.db.transaction():
                added = await self.inbox.add(update, self.clock.now())
        except Exception as exc:  # any storage failure: Telegram must redeliver later
            log.error("could not store update %s: %r", update["update_id"], exc)
            return _answer(503, "storage unavailable")
        if added:
            self.received += 1
            self.wakeup.set()
        return _answer(200, "ok")

    async def _health(self, request: web.Request) -> web.Response:
        """Report queue counts, the backend and this worker's role; 503 without a database."""
        try:
            # A snapshot: a probe never waits for (nor holds up) the writers.
            async with self.db.reading():
                inbox = await self.inbox.counts()
                outbox = await self.outbox.counts()
        except Exception as exc:  # the probe must answer, whatever broke
            log.error("health check failed: %r", exc)
            return web.json_response(
                {
                    "ok": False,
                    "error": "database unavailable",
                    "backend": self.db.backend,
                    "role": self.role(),
                },
                status=503,
            )
        body: dict[str, Any] = {
            "ok": True,
            "backend": self.db.backend,  # "sqlite" or "postgresql"
            "role": self.role(),
            # This worker's own: updates stored from deliveries, updates handled.
            "received": self.received,
            "handled": self.handled(),
            "inbox_pending": inbox.get("pending", 0),
            "inbox_failed": inbox.get("failed", 0),
            "outbox_pending": outbox.get("pending", 0),
            "outbox_failed": outbox.get("failed", 0),
        }
        return web.json_response(body)


def _is_update(value: object) -> bool:
    """Tell whether a decoded body looks like an Update (an object with an integer update_id)."""
    if not isinstance(value, dict):
        return False
    update_id = value.get("update_id")
    return isinstance(update_id, int) and not isinstance(update_id, bool)


def _answer(status: int, text: str) -> web.Response:
    """Build a short plain-text answer; Telegram only looks at the status."""
    return web.Response(status=status, text=text)
