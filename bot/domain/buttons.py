"""Buttons as plain data: what a message offers to press, before any transport sees it.

Render builds keyboards from these; the outbox turns them into Bot API JSON at enqueue time, so
neither render nor the services import telegram. Callback data is at most 64 bytes (checked
here) and never trusted by whoever receives it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    text: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > 64:
            raise ValueError(f"callback data over 64 bytes: {self.data!r}")


@dataclass(frozen=True)
class WebAppButton:
    """A button that opens a Mini App (private chats only: Telegram refuses it in groups)."""

    text: str
    url: str  # https

    def __post_init__(self) -> None:
        if not self.url.startswith("https://"):
            raise ValueError("a Web App button needs an https URL")


Keyboard = Sequence[Sequence[Button | WebAppButton]]
