"""A park behind the real Application, fed from the inbox by the processor, as the running bot
is; no sender runs, so what the bot owes is read from the outbox.

The park is made through the services (`tests/story.py`: one cadre's enterprise, its bound
group `GROUP` and contact `CONTACT`); the emulator only answers the Application's getMe.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.clock import FixedClock
from bot.config import load_settings
from bot.context import BotApplication
from bot.ingest.processor import MAX_ATTEMPTS, DatabaseUnavailable, UpdateProcessor
from bot.runtime.application import build_application
from sandbox.server import TelegramSandbox
from storage.db import Database
from storage.repos.queues import InboxRepo
from tests.story import ADMIN_TG, Story, park

TOKEN = "300004:TEST-token-park-00000000000000000"
GROUP = Story.group(0)
CONTACT = Story.contact_tg(0)
REPORT_TAG = "#诉求"


@dataclass
class ParkApp:
    """The park, the real Application and the processor that feeds it from the inbox."""

    db: Database
    clock: FixedClock
    app: BotApplication
    processor: UpdateProcessor
    update_id: int = 0
    reports: int = 0

    async def feed(self, body: dict[str, Any]) -> int:
        """Store one update as the poller does and drain the inbox as the processor's task
        does (again after "the database is unavailable", without its second's wait); return
        its update_id."""
        self.update_id += 1
        async with self.db.transaction():
            await InboxRepo(self.db).add({**body, "update_id": self.update_id}, self.clock.now())
        for _ in range(MAX_ATTEMPTS):
            with contextlib.suppress(DatabaseUnavailable):
                await self.processor.drain()
                break
        return self.update_id

    async def value(self, sql: str, *params: Any) -> Any:
        async with self.db.transaction():
            return await self.db.fetchval(sql, params)

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with self.db.transaction():
            return [tuple(row) for row in await self.db.fetchall(sql, params)]

    async def status(self, update_id: int) -> str:
        return str(await self.value("SELECT status FROM inbox WHERE update_id = ?", update_id))

    async def last_outbox_id(self) -> int:
        return int(await self.value("SELECT COALESCE(MAX(id), 0) FROM outbox"))

    def message(self, chat: int, user: int, text: str, **fields: Any) -> dict[str, Any]:
        """A message as Telegram sends it, a leading command or report hashtag marked."""
        chat_type = "private" if chat > 0 else "supergroup"
        body: dict[str, Any] = {
            "message_id": 10**7 + self.update_id + 1,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": chat, "type": chat_type, "title": "群", "first_name": "人"},
            "from": {"id": user, "is_bot": False, "first_name": "人"},
            "text": text,
            **fields,
        }
        head = text.split(" ", 1)[0]
        if head.startswith(("/", "#")):
            kind = "bot_command" if head.startswith("/") else "hashtag"
            length = len(head.encode("utf-16-le")) // 2
            body["entities"] = [{"type": kind, "offset": 0, "length": length}]
        return body

    async def report_is_answered(self) -> None:
        """The contact reports in the bound group: a ticket, and its acknowledgement queued."""
        self.reports += 1
        before = await self.last_outbox_id()
        text = f"{REPORT_TAG} 第{self.reports}次报修：厂区停电了"
        message = self.message(GROUP, CONTACT, text)
        update_id = await self.feed({"message": message})
        assert await self.status(update_id) == "done"
        made = "SELECT COUNT(*) FROM tickets WHERE chat_id = ? AND source_message_id = ?"
        assert await self.value(made, GROUP, message["message_id"]) == 1
        acked = "SELECT COUNT(*) FROM outbox WHERE id > ? AND chat_id = ? AND purpose = 'ack'"
        assert await self.value(acked, before, GROUP) == 1


@asynccontextmanager
async def open_park(db: Database, clock: FixedClock) -> AsyncIterator[ParkApp]:
    """The park on `db`, its Application built as the bot builds it, the processor ready."""
    sandbox = TelegramSandbox()
    await sandbox.start()
    sandbox.create_bot(TOKEN, "park_bot")
    clock.set(park(23, 9))
    story = await Story.open(db, clock, cadres=["陈志远"])
    config = load_settings(
        None,
        telegram={"token": TOKEN, "api_base_url": sandbox.api_base_url},
        park={"admins": [ADMIN_TG]},
    )
    app: BotApplication = build_application(config)
    app.bot_data.services = story.services
    try:
        await app.initialize()
        app.bot_data.bot_username = app.bot.username or ""
        failures = story.services.failures
        processor = UpdateProcessor(
            app,
            db,
            clock,
            on_failure=failures.handler_failed,
            on_quarantine=failures.update_quarantined,
        )
        yield ParkApp(db, clock, app, processor)
    finally:
        await app.shutdown()
        await sandbox.stop()
