"""Failures the duty desk must hear about: a message Telegram refused for good, an update a
handler could not handle, an update set aside because not even its failure could be recorded.

The sender and the update intake call these hooks inside their own transaction (the one that
marks the message failed, or the update failed or quarantined), so the record and the admins'
notice commit together.

Identical failures (the same error type raised at the same place in our code) alert the admins
once per `REPEAT_WINDOW`: the first at once, the ones after it counted (`failure_alerts`) and told
in one follow-up when the window closes. Each person whose update failed still gets an apology.
"""

from __future__ import annotations

import hashlib
import traceback
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.domain.outcomes import Publish, Recipient, discard
from bot.domain.outcomes.desk import (
    DeliveryFailed,
    FailuresRepeated,
    HandlerFailed,
    UpdateQuarantined,
)
from bot.services.recipients import Recipients
from storage.repos.queues import OutboxItem
from storage.unit import Repositories

REPEAT_WINDOW = timedelta(minutes=10)
_ROOT = Path(__file__).resolve().parents[2]
# Our own code, where a failure's place is read: not the storage engine's or a library's frames,
# which every database error or every parse error would share.
_OWN = ("bot/", "handlers/", "storage/repos/")


class FailureService:
    """Record failures and publish what the admins (and the user) must be told."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        *,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.publish = publish
        self.recipients = recipients
        self.users = repos.users
        self.outbox = repos.outbox
        self.alerts = repos.failure_alerts

    async def delivery_failed(self, item: OutboxItem, error: str) -> None:
        """A message could not be delivered for good: note a blocked private chat, and tell
        the admins once per chat (never about a failed alert: that could loop)."""
        async with self.db.transaction():
            if item.chat_id > 0 and error.startswith("403"):
                await self.users.mark_private_unreachable(item.chat_id)
            if item.purpose.startswith("admin"):
                return
            if await self.outbox.record_failure(item.chat_id, error, item.next_attempt_at):
                target = await self.recipients.chat_name(item.chat_id)
                desk = await self.recipients.desk()
                await self.publish(
                    DeliveryFailed(item.chat_id, item.ticket_id, error, target, desk)
                )

    async def handler_failed(self, payload: dict[str, Any], error: BaseException) -> None:
        """An update could not be handled: apologise in its chat and alert the admins (once per
        window for identical failures, then their count)."""
        kind, where = type(error).__name__, failure_place(error)
        async with self.db.transaction():
            repeats = await self._repeats(f"{kind}@{where}", kind, where, quarantined=False)
            update_id = payload.get("update_id")
            chat_id = _chat_of(payload)
            await self.publish(
                HandlerFailed(
                    # The apology goes where the update came from, in the park's language.
                    chat=Recipient(chat_id) if chat_id is not None else None,
                    update_id=update_id if isinstance(update_id, int) else None,
                    error=kind,
                    where=where,
                    window=REPEAT_WINDOW,
                    desk=await self.recipients.desk() if repeats is None else (),
                    alert=repeats is None,
                )
            )
            if repeats is not None:
                await self.publish(repeats)

    async def update_quarantined(self, update_id: int, error: BaseException) -> None:
        """An update was set aside after its attempts: alert the admins (as `handler_failed`),
        from nothing but its id and the error."""
        kind, where = type(error).__name__, failure_place(error)
        async with self.db.transaction():
            repeats = await self._repeats(f"quarantined:{kind}@{where}", kind, where, True)
            desk = await self.recipients.desk() if repeats is None else ()
            await self.publish(
                UpdateQuarantined(update_id, kind, where, desk, alert=repeats is None)
            )
            if repeats is not None:
                await self.publish(repeats)

    async def _repeats(
        self, signature: str, kind: str, where: str, quarantined: bool
    ) -> FailuresRepeated | None:
        """Count this failure; None if it opens a window (alert now), else the follow-up."""
        repeats = await self.alerts.note(signature, self.clock.now(), REPEAT_WINDOW)
        if repeats is None:
            return None
        key = hashlib.sha1(signature.encode("utf-8", "replace")).hexdigest()[:12]
        return FailuresRepeated(
            key,
            kind,
            where,
            repeats.count,
            repeats.since,
            repeats.until,
            await self.recipients.desk(),
            quarantined,
        )


def failure_place(error: BaseException) -> str:
    """Where `error` was raised, as `path:line`: the deepest frame of our own code (of any code
    when none is ours), so the same bug is one place whatever the input."""
    # No source lines read: the file and line number are all it needs.
    frames = traceback.StackSummary.extract(
        traceback.walk_tb(error.__traceback__), lookup_lines=False
    )
    if not frames:
        return "?"
    named = [(_relative(frame.filename), frame.lineno) for frame in frames]
    own = [(path, line) for path, line in named if path.startswith(_OWN)]
    path, line = (own or named)[-1]
    return f"{path}:{line}"


def _relative(filename: str) -> str:
    path = Path(filename).resolve()
    if path.is_relative_to(_ROOT) and "site-packages" not in path.relative_to(_ROOT).parts:
        return path.relative_to(_ROOT).as_posix()
    return "/".join(path.parts[-2:])  # a library's: its package and module say enough


def _chat_of(payload: dict[str, Any]) -> int | None:
    """The chat an update came from (a message's, or a pressed button's message's), if any."""
    message = payload.get("message")
    press = payload.get("callback_query")
    if not isinstance(message, dict) and isinstance(press, dict):
        message = press.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return chat_id if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None
