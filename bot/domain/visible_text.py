"""Whether a text shows anything: zero-width, format and blank characters show nothing."""

from __future__ import annotations

import unicodedata

# Letters and symbols that render as blanks (Hangul fillers, the braille blank) and marks that
# render as nothing on their own (the grapheme joiner, variation selectors).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def _invisible(ch: str) -> bool:
    code = ord(ch)
    if ch in _BLANK or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    return ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def is_blank(text: str) -> bool:
    """True when nothing in `text` would show: only spaces and invisible characters."""
    return all(_invisible(ch) for ch in text)
