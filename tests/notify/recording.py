"""A notifier's whole world without a database: a recording outbox behind a real `Voice`.

A notifier reads nothing and writes nothing but outbox calls, so its tests build the outcome by
hand and read what it queued here: each call with its chat, text, buttons, purpose and hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.delivery.outbox import Keyboard, Outbox
from bot.notify.voice import Voice

PARK_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Call:
    method: str  # send_message | edit_text | send_photo_bytes | withdraw
    chat_id: int
    text: str = ""
    purpose: str = ""
    keyboard: Keyboard | None = None
    not_before: datetime | None = None
    message_id: int | None = None

    @property
    def buttons(self) -> list[str]:
        return [b.text for row in self.keyboard or [] for b in row]


@dataclass
class RecordingOutbox:
    """Records the outbox calls a notifier makes; the ids it returns count up from 1."""

    calls: list[Call] = field(default_factory=list)

    def _id(self) -> int:
        return len(self.calls)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        purpose: str = "",
        not_before: datetime | None = None,
        **rest: Any,
    ) -> list[int]:
        self.calls.append(
            Call("send_message", chat_id, str(text), purpose, keyboard, not_before=not_before)
        )
        return [self._id()]

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, *, purpose: str = "edit", **rest: Any
    ) -> int:
        self.calls.append(Call("edit_text", chat_id, str(text), purpose, message_id=message_id))
        return self._id()

    async def send_photo_bytes(
        self,
        chat_id: int,
        png: bytes,
        *,
        caption: str | None = None,
        purpose: str = "",
        **rest: Any,
    ) -> int:
        self.calls.append(Call("send_photo_bytes", chat_id, str(caption or ""), purpose))
        return self._id()

    async def withdraw(self, purpose: str) -> int:
        self.calls.append(Call("withdraw", 0, purpose=purpose))
        return 0

    def to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id]


def voice(outbox: RecordingOutbox, locale: str = "zh_CN") -> Voice:
    """The park's voice (Chinese, Shanghai time) over the recording outbox."""
    return Voice(cast(Outbox, outbox), locale=locale, tz=PARK_TZ)
