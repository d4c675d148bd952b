"""ForceReply prompts: what the answer to each is for, kept in its own table.

A button that needs text (progress, resolve) sends a prompt the user answers by replying to it.
The prompt's purpose is stored when it is queued and found again from the message answered, so
no conversation state lives in memory or in the outbox, and a restart between the two loses
nothing. The sender records where each prompt went (`bot.delivery.marks`).
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from storage.repos.prompts import Prompt as Prompt
from storage.unit import Repositories


class Prompts:
    """Remember prompts as they are queued; say what an answer is for."""

    def __init__(self, repos: Repositories, clock: Clock) -> None:
        self.db = repos.db
        self.clock = clock
        self.repo = repos.prompts

    async def expect(self, outbox_id: int, purpose: str, ticket_id: int | None) -> None:
        """Remember that the message queued as `outbox_id` asks for an answer for `purpose`."""
        async with self.db.transaction():
            await self.repo.expect(outbox_id, purpose, ticket_id, self.clock.now())

    async def answered(self, chat_id: int, message_id: int) -> Prompt | None:
        """The prompt a reply to `message_id` in this chat answers; None if it is no prompt."""
        async with self.db.transaction():
            return await self.repo.answered(chat_id, message_id)

    async def purge(self, retention: timedelta) -> int:
        """Forget prompts older than `retention` (the sent messages' own retention)."""
        async with self.db.transaction():
            return await self.repo.purge(self.clock.now() - retention)
