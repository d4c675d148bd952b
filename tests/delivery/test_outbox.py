"""The outbox: how a long text is split, and the bound on callback data.

The sender that empties it is tested as it runs in test_sender.py; its pacing in test_limiter.py.
"""

from __future__ import annotations

import pytest

from bot.delivery.outbox import Button, split_text


def test_split_text_on_line_boundaries() -> None:
    lines = [f"第{i}行 " + "字" * 50 for i in range(200)]
    text = "\n".join(lines)
    chunks = split_text(text, limit=1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "\n".join(chunks) == text
    assert all(not c.startswith("\n") for c in chunks)
    assert split_text("短") == ["短"]
    long_line = "x" * 2500
    assert "".join(split_text(long_line, limit=1000)) == long_line


def test_callback_data_over_64_bytes_is_a_bug() -> None:
    with pytest.raises(ValueError):
        Button("按钮", "t:" + "长" * 30)
