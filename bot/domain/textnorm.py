"""Fold what people type into one canonical spelling, remembering where each character came from.

Word filters are bypassed by spelling, not by meaning: `限 男`, `限\u200b男`, `ｍａｌｅ`, `𝐦𝐚𝐥𝐞`,
`僅限男性`, `限.男`, `㊚`, a Cyrillic `о` in `nо women`, `١٣٨…` or `1️⃣3️⃣8️⃣…` for digits. `fold`
undoes all of these at once: NFKC (full-width and mathematical letters and digits, circled and
parenthesised numbers, Kangxi radicals, compatibility forms), case folding, the digits of every
script (Arabic-Indic, Devanagari, dingbat circles ...) as ASCII digits, combining marks and
variation selectors dropped (the keycap of `1️⃣`), Cyrillic and Greek letters that look Latin as
Latin, traditional → simplified characters (OpenCC's `t2s`), and, unless asked to keep them,
drops every character that is not a letter or a digit (spaces, punctuation, symbols, format and
zero-width characters). Each folded character keeps the index range of the original characters
it came from, so a match can be shown as the user spelled it.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Protocol

# Characters that render as nothing but are letters (Lo), so a category test alone keeps them.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories dropped when separators are not kept: punctuation, symbols, separators, controls,
# format characters (Cf: zero-width joiners, soft hyphen, BOM, bidi marks) and combining marks.
_DROPPED_CATEGORIES = ("P", "S", "Z", "C", "M")
# Cyrillic and Greek letters (after case folding) that pass for Latin ones in a Latin word.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕһԁɡӏкмнтвαβεηικμνορτυχζ",
    "aeopcyxijshdglkmhtbabenikmvoptuxz",
)
# Line breaks stay as this sentinel when asked: a text joined from several fields must not match
# across the join. It is a private-use character no pattern names.
BOUNDARY = "\ue000"


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    # Imported here so that modules which never fold do not load OpenCC's dictionaries.
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """Traditional → simplified, character for character (the length never changes)."""
    if text.isascii():
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length; convert one character at a time to keep positions.
    return "".join(single if len(single := _t2s().convert(c)) == 1 else c for c in text)


def invisible(char: str) -> bool:
    """True for characters that show nothing: format (Cf), zero-width and filler characters."""
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE_LETTERS


def _digit(char: str) -> str | None:
    """`char` as ASCII digits when it is a number sign of any script (`١`, `५`, `❶`, `⓫`)."""
    if not unicodedata.category(char).startswith("N") or "0" <= char <= "9":
        return None
    value = unicodedata.numeric(char, -1)
    # Fractions, and the big numbers of some scripts, are no digits a person types one by one.
    return str(int(value)) if value == int(value) and 0 <= value <= 20 else None


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the original range it came from."""

    text: str
    original: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source(self, start: int, end: int) -> str:
        """The original spelling of the folded range [start, end)."""
        if start >= end:
            return ""
        return self.original[self.starts[start] : self.ends[end - 1]]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original index range of the folded range [start, end)."""
        return self.starts[start], self.ends[end - 1]


def fold(text: str, *, keep_separators: bool = False, keep_lines: bool = False) -> Folded:
    """Fold `text` for matching (see the module docstring).

    Args:
        text: what the user typed.
        keep_separators: keep spaces and punctuation (only invisible characters go); for
            patterns that read separators themselves, such as phone numbers.
        keep_lines: keep line breaks as `BOUNDARY`, so nothing matches across two lines.

    Returns:
        The folded text with its map back to `text`.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        if keep_lines and char == "\n":
            chars.append(BOUNDARY)
            starts.append(index)
            ends.append(index + 1)
            continue
        for piece in unicodedata.normalize("NFKC", char).casefold().translate(_LOOKALIKES):
            category = unicodedata.category(piece)
            # Marks go in both modes: the keycap and variation selector of 1️⃣ stand between
            # digits as nothing, and an accent changes no word these patterns read.
            if invisible(piece) or category[0] == "M":
                continue
            if not keep_separators and category[0] in _DROPPED_CATEGORIES:
                continue
            for folded in _digit(piece) or piece:
                chars.append(folded)
                starts.append(index)
                ends.append(index + 1)
    folded = to_simplified("".join(chars))
    return Folded(folded, text, tuple(starts), tuple(ends))


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges (start, end) in order, overlapping or touching ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
