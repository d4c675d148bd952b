"""One rule for text on both backends: a NUL is dropped, a lone surrogate becomes U+FFFD.

Before, PostgreSQL refused a text holding U+0000 (a report holding one was lost with an internal
error) while SQLite kept it, and neither stored a lone surrogate. The same rows now come back
from both, written one at a time, in a batch or by name, and found by the text that was written.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.db import Database
from storage.text import storable, storable_text

HOSTILE = "厂区\x00停电\ud800了\x00"
STORED = "厂区停电\ufffd了"


async def test_both_backends_store_a_nul_and_a_lone_surrogate_alike(db: Database) -> None:
    async with db.transaction():
        await db.execute("INSERT INTO kv (key, value) VALUES (?, ?)", ("one", HOSTILE))
        await db.executemany(
            "INSERT INTO kv (key, value) VALUES (?, ?)", [("two", HOSTILE), ("three", "\x00")]
        )
        await db.execute("INSERT INTO kv (key, value) VALUES (:k, :v)", {"k": "四", "v": HOSTILE})
        rows = await db.fetchall("SELECT key, value FROM kv ORDER BY key")
        found = await db.fetchval(
            "SELECT key FROM kv WHERE value = ? AND key = ?", (HOSTILE, "one")
        )
    assert [tuple(row) for row in rows] == [
        ("one", STORED),
        ("three", ""),
        ("two", STORED),
        ("四", STORED),
    ]
    assert found == "one"  # a lookup by the text written finds what was stored


def test_ordinary_parameters_pass_untouched() -> None:
    params = (1, "2026-11-25T02:00:00Z", "厂区停电了", None, b"\x00bytes", 2.5)
    assert storable(params) is params
    named = {"a": "ok", "b": 3}
    assert storable(named) is named


# Python keeps a lone surrogate as a code point of its own (JSON may carry one escaped).
ODD = st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff"])


@given(st.lists(st.one_of(st.characters(), ODD)).map("".join))
def test_stored_text_encodes_and_holds_no_nul(text: str) -> None:
    stored = storable_text(text)
    assert "\x00" not in stored
    stored.encode("utf-8")  # no lone surrogate left
    assert storable_text(stored) == stored
    if "\x00" not in text:
        # Only a lone surrogate changes, one code unit for one: UTF-16 offsets still hold.
        assert len(stored) == len(text)
