"""ForceReply prompts and what an answer to each is for (conversation state, not the queue)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_iso
from storage.interface import SqlDatabase


@dataclass(frozen=True)
class Prompt:
    """What the answer to a prompt is for: its purpose and, when it asks about one, a ticket."""

    purpose: str
    ticket_id: int | None


class PromptRepo:
    """SQL for prompts; never commits."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def expect(
        self, outbox_id: int, purpose: str, ticket_id: int | None, now: datetime
    ) -> None:
        """Remember a prompt queued as `outbox_id` (its message id comes when it is sent)."""
        await self.db.execute(
            "INSERT INTO prompts (outbox_id, purpose, ticket_id, created_at) VALUES (?, ?, ?, ?)",
            (outbox_id, purpose, ticket_id, to_iso(now)),
        )

    async def sent(self, sent: Iterable[tuple[int, int, int | None]]) -> None:
        """Record where prompts went: (outbox id, chat id, Telegram message id) triples."""
        await self.db.executemany(
            "UPDATE prompts SET chat_id = ?, message_id = ? WHERE outbox_id = ?",
            [(chat_id, message_id, outbox_id) for outbox_id, chat_id, message_id in sent],
        )

    async def answered(self, chat_id: int, message_id: int) -> Prompt | None:
        """The prompt the bot sent as `message_id` in this chat, if it was one."""
        row = await self.db.fetchone(
            "SELECT purpose, ticket_id FROM prompts WHERE chat_id = ? AND message_id = ?"
            " ORDER BY outbox_id DESC LIMIT 1",
            (chat_id, message_id),
        )
        return None if row is None else Prompt(str(row[0]), row[1])

    async def purge(self, before: datetime) -> int:
        """Forget prompts queued before `before` (their answers go unmatched, as a report)."""
        return await self.db.execute("DELETE FROM prompts WHERE created_at < ?", (to_iso(before),))
