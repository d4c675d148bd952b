"""Telegram Mini App launch data (initData): check Telegram's signature and its age.

Telegram signs the launch data with the bot token: secret_key = HMAC-SHA256(key="WebAppData",
msg=token); the hash is HMAC-SHA256(key=secret_key, msg=data_check_string) in hex, where the
data-check-string is every received field except `hash`, sorted by key, as `key=value` lines
(values URL-decoded). https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
Nothing the page sends is trusted until this check passes; the user id then goes through the
same role lookup as every chat update.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

# Launch data from a clock slightly ahead of ours is fine; far in the future is forged.
FUTURE_SKEW_SECONDS = 60
MAX_INIT_DATA = 8192


class InitDataError(Exception):
    """The launch data is missing, malformed, not signed with our token, or too old."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # missing | malformed | forged | stale (for the log; never secret)
        super().__init__(reason)


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> bytes:
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash").encode()


def sign_init_data(fields: dict[str, str], token: str) -> str:
    """Sign `fields` as Telegram does and return the query string (tests, benchmarks)."""
    digest = hmac.new(_secret(token), _check_string(fields), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def verify_init_data(init_data: str, token: str, *, max_age: int, now: datetime) -> WebAppUser:
    """Return the signed user, or raise if the data is not Telegram's, fresh, for this bot.

    Args:
        init_data: `Telegram.WebApp.initData` as the page sent it (a query string).
        token: the bot token the data must be signed with.
        max_age: seconds since `auth_date` after which the data is refused.
        now: the current time.

    Raises:
        InitDataError: missing, malformed, forged (constant-time comparison) or stale.
    """
    if not init_data:
        raise InitDataError("missing")
    if len(init_data) > MAX_INIT_DATA:
        raise InitDataError("malformed")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise InitDataError("malformed")
    expected = hmac.new(_secret(token), _check_string(fields), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), fields["hash"].encode("utf-8", "replace")):
        raise InitDataError("forged")
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InitDataError("malformed") from None
    age = now.timestamp() - auth_date
    if age > max_age or age < -FUTURE_SKEW_SECONDS:
        raise InitDataError("stale")
    language = user.get("language_code")
    return WebAppUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
    )
