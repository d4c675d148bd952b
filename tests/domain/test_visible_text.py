"""Text that shows nothing: spaces, zero-width and format characters, blank letters."""

from __future__ import annotations

import pytest

from bot.domain.visible_text import is_blank


@pytest.mark.parametrize(
    "text",
    ["", " \t\n", "\u200b\u200c\u200d\u2060\ufeff", "\u3000\u00a0", "\u3164\u2800\u115f", "\ufe0f"],
)
def test_blank(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["停电", " a ", "\u200b.", "😀", "1"])
def test_visible(text: str) -> None:
    assert not is_blank(text)
