"""The kinds of update the bot asks Telegram for, and the one check an update passes before any
handler sees it.

The poller and the webhook ask for `ALLOWED_UPDATES` only, but a deployment may change what is
delivered (a webhook set by hand, a business connection, a bot added to inline mode): a business
message would otherwise be taken for an ordinary message and report a problem, and a kind
python-telegram-bot cannot read would fail the update. Whatever is not asked for is handled as
done without running a handler, read from the stored JSON before it is decoded.
"""

from __future__ import annotations

from typing import Any

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def wanted(payload: dict[str, Any]) -> bool:
    """Whether any handler is meant to see this update: one of the asked-for kinds, and a
    button press on a message the bot sent (not on an inline message, which it never sends)."""
    kinds = [kind for kind in ALLOWED_UPDATES if kind in payload]
    if len(kinds) != 1 or not isinstance(payload[kinds[0]], dict):
        return False  # none, or several at once: not an update Telegram makes
    press = payload.get("callback_query")
    return press is None or isinstance(press.get("message"), dict)
