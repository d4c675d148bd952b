"""Telegram's launch-data signature, checked as documented (HMAC-SHA256, WebAppData key)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.dashboard.auth import InitDataError, sign_init_data, verify_init_data

TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
USER = '{"id":279058397,"first_name":"Vladislav","language_code":"ru"}'


def fields(at: datetime = NOW) -> dict[str, str]:
    return {"query_id": "AAHdF6IQ", "user": USER, "auth_date": str(int(at.timestamp()))}


def test_the_documented_algorithm() -> None:
    """Computed by hand from the documentation, independently of the module's helpers."""
    data = fields()
    check = "\n".join(f"{k}={data[k]}" for k in sorted(data)).encode()
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    signed = urlencode({**data, "hash": hmac.new(secret, check, hashlib.sha256).hexdigest()})
    user = verify_init_data(signed, TOKEN, max_age=3600, now=NOW)
    assert (user.id, user.first_name, user.language_code) == (279058397, "Vladislav", "ru")
    assert signed == sign_init_data(data, TOKEN)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("", "missing"),
        ("a=1&a=2&hash=x", "malformed"),
        ("no-equals-sign", "malformed"),
        (sign_init_data(fields(), "1:another-bots-token"), "forged"),
        (sign_init_data(fields(), TOKEN).replace("Vladislav", "Vladimir"), "forged"),
        (sign_init_data({**fields(), "user": "not json"}, TOKEN), "malformed"),
        (sign_init_data(fields(datetime(2026, 11, 25, 0, 59, tzinfo=UTC)), TOKEN), "stale"),
        (sign_init_data(fields(datetime(2026, 11, 25, 2, 5, tzinfo=UTC)), TOKEN), "stale"),
    ],
    ids=["missing", "duplicate", "garbage", "other-token", "tampered", "bad-user", "old", "future"],
)
def test_refusals(data: str, reason: str) -> None:
    with pytest.raises(InitDataError) as caught:
        verify_init_data(data, TOKEN, max_age=3600, now=NOW)
    assert caught.value.reason == reason
    assert TOKEN not in str(caught.value)


def test_every_field_is_signed_including_new_ones() -> None:
    """Fields Telegram adds later (e.g. `signature`) are part of the check string."""
    signed = sign_init_data({**fields(), "signature": "abc"}, TOKEN)
    assert verify_init_data(signed, TOKEN, max_age=3600, now=NOW).id == 279058397
    pairs = dict(parse_qsl(signed))
    pairs["signature"] = "abd"
    with pytest.raises(InitDataError):
        verify_init_data(urlencode(pairs), TOKEN, max_age=3600, now=NOW)
