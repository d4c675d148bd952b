"""Failures the duty desk must hear about: a message Telegram refused for good, an update a
handler could not handle.

The sender and the update intake call these hooks inside their own transaction (the one that
marks the message failed, or the update failed), so the record and the admins' notice commit
together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.outcome import Outcome, Publish, discard
from storage.db import Database
from storage.repos.people import PeopleRepo
from storage.repos.queues import OutboxItem, OutboxRepo


@dataclass(frozen=True)
class DeliveryFailed(Outcome):
    """The first permanent failure of a chat (later ones are recorded, not told)."""

    chat_id: int
    ticket_id: int | None
    error: str


@dataclass(frozen=True)
class HandlerFailed(Outcome):
    """An update no handler could finish: its chat gets an apology, the admins an alert."""

    chat_id: int | None
    update_id: int | None
    error: str  # the exception's type name


class FailureService:
    """Record failures and publish what the admins (and the user) must be told."""

    def __init__(self, db: Database, *, publish: Publish = discard) -> None:
        self.db = db
        self.publish = publish
        self.people = PeopleRepo(db)
        self.outbox = OutboxRepo(db)

    async def delivery_failed(self, item: OutboxItem, error: str) -> None:
        """A message could not be delivered for good: note a blocked private chat, and tell
        the admins once per chat (never about a failed alert: that could loop)."""
        async with self.db.transaction():
            if item.chat_id > 0 and error.startswith("403"):
                await self.people.mark_private_unreachable(item.chat_id)
            if item.purpose.startswith("admin"):
                return
            if await self.outbox.record_failure(item.chat_id, error, item.next_attempt_at):
                await self.publish(DeliveryFailed(item.chat_id, item.ticket_id, error))

    async def handler_failed(self, payload: dict[str, Any], error: BaseException) -> None:
        """An update could not be handled: apologise in its chat and alert the admins."""
        message = payload.get("message") or (payload.get("callback_query") or {}).get("message")
        chat_id = (message or {}).get("chat", {}).get("id")
        failed = HandlerFailed(
            chat_id=int(chat_id) if chat_id is not None else None,
            update_id=payload.get("update_id"),
            error=type(error).__name__,
        )
        async with self.db.transaction():
            await self.publish(failed)
