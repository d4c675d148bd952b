"""The text a database stores, the same on both backends.

PostgreSQL refuses U+0000 in text, SQLite keeps it; neither driver encodes a lone surrogate
(JSON may carry one, escaped, in any string Telegram or a browser sends). So every text
parameter, whatever the backend, loses its NULs and has each lone surrogate replaced by U+FFFD:
a report holding either is stored, and read back, the same way on SQLite and on PostgreSQL,
and a lookup by such a text finds what a write of it stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storage.interface import Params

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _replacement(found: re.Match[str]) -> str:
    return "" if found.group() == "\x00" else "\ufffd"


def storable_text(text: str) -> str:
    """`text` as the database stores it: no NUL, no lone surrogate."""
    return _UNSTORABLE.sub(_replacement, text)


def _unstorable(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    # Most parameters are ASCII (ids, stamps, statuses): one flag check, then a byte search.
    if value.isascii():
        return "\x00" in value
    return _UNSTORABLE.search(value) is not None


def _clean(value: Any) -> Any:
    return storable_text(value) if _unstorable(value) else value


def storable(params: Params) -> Params:
    """The statement's parameters with each text made storable (the same object if none
    needs it, which is nearly always)."""
    if isinstance(params, dict):
        if any(_unstorable(v) for v in params.values()):
            return {k: _clean(v) for k, v in params.items()}
        return params
    if any(_unstorable(v) for v in params):
        return [_clean(v) for v in params]
    return params


def storable_rows(rows: Iterable[Params]) -> Iterable[Params]:
    """`storable` for each row of a batch."""
    return (storable(row) for row in rows)


def storable_record(record: tuple[Any, ...]) -> tuple[Any, ...]:
    """`storable` for a record copied as is (`port-db`)."""
    if any(_unstorable(v) for v in record):
        return tuple(_clean(v) for v in record)
    return record
