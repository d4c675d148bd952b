"""What one Bot API call carries: its parameters with any stored upload, the wait a 429 asks
for, whether anyone is told when it fails for good, and what makes it (`ApiCaller`)."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any, Protocol

from telegram import InputFile
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.outbox import UPLOAD_KEY
from storage.repos.queues import OutboxItem


class ApiCaller(Protocol):
    """What makes a Bot API call: python-telegram-bot's Bot, or the leader's fenced one."""

    async def do_api_request(
        self,
        endpoint: str,
        api_kwargs: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """Call one Bot API method."""
        ...


# Calls whose permanent failure the admins are not told of: a button's answer, an edit, a menu.
SILENT_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "editMessageReplyMarkup",
        "editMessageText",
        "setMyCommands",
        "setChatMenuButton",
    }
)


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds to wait after a 429, whichever type this PTB version returns."""
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def api_kwargs(item: OutboxItem) -> dict[str, Any]:
    """The call's parameters, with stored bytes turned into a multipart upload."""
    if item.upload is None:
        return item.params
    params = dict(item.params)
    spec = params.pop(UPLOAD_KEY, None) or {}
    field = str(spec.get("field", "document"))
    params[field] = InputFile(item.upload, filename=str(spec.get("name", "file")), attach=True)
    return params
