"""Guided conversations in progress (/job, /truck, /cargo), one per user and topic."""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import to_iso
from bot.domain.conversation import Conversation
from storage.interface import SqlDatabase


class ConversationRepo:
    """SQL for conversations; never commits."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def get(self, user_id: int, topic: str) -> Conversation | None:
        row = await self.db.fetchone(
            "SELECT * FROM conversations WHERE user_id = ? AND topic = ?", (user_id, topic)
        )
        if row is None:
            return None
        return Conversation(
            row["user_id"], row["topic"], row["kind"], row["step"], json.loads(row["data"])
        )

    async def save(self, conversation: Conversation, now: datetime) -> None:
        """Store the conversation as it stands (a new one replaces any of its topic)."""
        stamp = to_iso(now)
        await self.db.execute(
            "INSERT INTO conversations (user_id, topic, kind, step, data, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, topic) DO UPDATE SET"
            " kind = excluded.kind, step = excluded.step, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (
                conversation.user_id,
                conversation.topic,
                conversation.kind,
                conversation.step,
                json.dumps(conversation.data, ensure_ascii=False),
                stamp,
                stamp,
            ),
        )

    async def drop(self, user_id: int, topic: str) -> bool:
        """Forget the user's conversation of `topic`; False if there was none."""
        changed = await self.db.execute(
            "DELETE FROM conversations WHERE user_id = ? AND topic = ?", (user_id, topic)
        )
        return changed > 0

    async def purge(self, topic: str, before: datetime) -> int:
        """Forget conversations of `topic` nobody touched since `before`."""
        return await self.db.execute(
            "DELETE FROM conversations WHERE topic = ? AND updated_at < ?",
            (topic, to_iso(before)),
        )
