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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.domain.outcomes import Outcome, Publish, discard
from storage.repos.queues import OutboxItem
from storage.unit import Repositories

REPEAT_WINDOW = timedelta(minutes=10)
_ROOT = Path(__file__).resolve().parents[2]
# Our own code, where a failure's place is read: not the storage engine's or a library's frames,
# which every database error or every parse error would share.
_OWN = ("bot/", "handlers/", "storage/repos/")


@dataclass(frozen=True)
class DeliveryFailed(Outcome):
    """The first permanent failure of a chat (later ones are recorded, not told)."""

    chat_id: int
    ticket_id: int | None
    error: str


@dataclass(frozen=True)
class HandlerFailed(Outcome):
    """An update no handler could finish: its chat gets an apology, the admins an alert (unless
    an identical failure was alerted within the window: then `alert` is False, it is counted)."""

    chat_id: int | None
    update_id: int | None
    error: str  # the exception's type name
    where: str  # its place in our code, `path:line`
    alert: bool = True


@dataclass(frozen=True)
class UpdateQuarantined(Outcome):
    """An update set aside after its attempts: not even its failure could be recorded. Only the
    admins are told (its chat may be what failed); `alert` as in `HandlerFailed`."""

    update_id: int
    error: str
    where: str
    alert: bool = True


@dataclass(frozen=True)
class FailuresRepeated(Outcome):
    """Identical failures after an alert, within its window: one follow-up with their count
    when the window closes (each one replaces the unsent follow-up before it)."""

    key: str  # a short digest of the signature: names the follow-up to replace
    error: str
    where: str
    count: int
    since: datetime
    until: datetime
    quarantined: bool = False


class FailureService:
    """Record failures and publish what the admins (and the user) must be told."""

    def __init__(self, repos: Repositories, clock: Clock, *, publish: Publish = discard) -> None:
        self.db = repos.db
        self.clock = clock
        self.publish = publish
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
                await self.publish(DeliveryFailed(item.chat_id, item.ticket_id, error))

    async def handler_failed(self, payload: dict[str, Any], error: BaseException) -> None:
        """An update could not be handled: apologise in its chat and alert the admins (once per
        window for identical failures, then their count)."""
        kind, where = type(error).__name__, failure_place(error)
        async with self.db.transaction():
            repeats = await self._repeats(f"{kind}@{where}", kind, where, quarantined=False)
            update_id = payload.get("update_id")
            await self.publish(
                HandlerFailed(
                    chat_id=_chat_of(payload),
                    update_id=update_id if isinstance(update_id, int) else None,
                    error=kind,
                    where=where,
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
            await self.publish(UpdateQuarantined(update_id, kind, where, alert=repeats is None))
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
            key, kind, where, repeats.count, repeats.since, repeats.until, quarantined
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
