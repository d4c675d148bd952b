"""Long polling that never loses an update: store first, acknowledge after.

Each getUpdates batch is committed to the inbox before the next getUpdates call carries the
offset that tells Telegram the batch arrived. No offset is kept across restarts: Telegram resends
whatever was not acknowledged, and the inbox deduplicates by update_id.

The leader polls (`bot.runtime.lease`), through a fenced bot and under a fenced database: once its
lease is lost it neither calls getUpdates again nor stores what a call in flight brought back (the
new leader polls those updates again), and it stops without a word.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.delivery.calls import ApiCaller, retry_seconds
from bot.ingest.kinds import ALLOWED_UPDATES
from storage.db import Database
from storage.errors import LeaseLost
from storage.repos.queues import InboxRepo

log = logging.getLogger(__name__)


class PollingConflict(Exception):
    """Another process is polling with the same token (HTTP 409)."""


class Poller:
    """Fetch updates, persist them, wake the processor."""

    def __init__(
        self,
        bot: ApiCaller,
        db: Database,
        clock: Clock,
        wakeup: asyncio.Event,
        *,
        timeout: int = 30,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.inbox = InboxRepo(db)
        self.wakeup = wakeup
        self.timeout = timeout
        self.offset: int | None = None
        self.fetched = 0
        self._stopping = False

    async def fetch_once(self, timeout: int | None = None) -> int:
        """One getUpdates round: store the batch, then remember the offset to acknowledge it."""
        params: dict[str, Any] = {
            "timeout": self.timeout if timeout is None else timeout,
            "allowed_updates": ALLOWED_UPDATES,
        }
        if self.offset is not None:
            params["offset"] = self.offset
        # A long poll answers after up to `timeout` seconds: the read must wait longer than that.
        updates = await self.bot.do_api_request(
            "getUpdates", api_kwargs=params, read_timeout=params["timeout"] + 10
        )
        if not updates:
            return 0
        async with self.db.transaction():
            await self.inbox.add_many(updates, self.clock.now())
        # Only now may the next call acknowledge them.
        self.offset = max(int(u["update_id"]) for u in updates) + 1
        self.fetched += len(updates)
        self.wakeup.set()
        return len(updates)

    async def run(self) -> None:
        """Poll until stopped; back off on network errors; stop hard on a 409 conflict."""
        delay = 1.0
        while not self._stopping:
            try:
                await self.fetch_once()
                delay = 1.0
            except Conflict as exc:
                raise PollingConflict(
                    "another bot instance is polling with this token (Telegram answered 409: "
                    f"{exc.message}); stop the other instance or use webhook mode"
                ) from None
            except InvalidToken:
                raise
            except LeaseLost:
                return
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
            except (NetworkError, TelegramError) as exc:
                if self._stopping:
                    break
                log.warning("getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def acknowledge(self) -> None:
        """On a graceful stop: tell Telegram what we stored (any new update is stored too)."""
        if self.offset is None:
            return
        try:
            await self.fetch_once(timeout=0)
        except (TelegramError, LeaseLost) as exc:
            log.warning("could not acknowledge updates on stop: %s", exc)

    def stop(self) -> None:
        self._stopping = True
