"""Whole numbers people type: ticket, post and match numbers, counts, days, a page's offset.

One parser for every command argument, form answer and dashboard query that names one, and one
rule for what a digit is:

- A digit is an ASCII digit `0`-`9` or its full-width form `０`-`９`, which a Chinese input method
  types in full-width mode (a 12345 hotline takes both).
- Nothing else is a digit, although `str.isdigit` and NFKC say otherwise: not superscripts (`²`),
  circled or parenthesised numbers (`①`, `⑴`), other scripts' digits (`٣`, `३`), Roman or Chinese
  numerals (`Ⅻ`, `十二`). They come from pasted footnotes, list markers and other keyboards, not
  from the number row, so reading `①` as 1 would act on a ticket nobody named. They are refused
  with a reply that shows how the number is written, which costs the person one more message.
- White space around the number is ignored; the number of an item (a ticket, a post, a match) may
  be written `#12` or `＃12`. No sign, no separators, no decimal point, no spaces inside.
- Each kind has bounds (an id 1..2**53, the largest integer a browser's JSON keeps exact; days
  1..365; an offset 0..10**6). A number past them is refused naming them; a service may hold a
  narrower rule of its own (the days of an extension, a post's headcount) and says so itself.

The refusal is one domain error, `BadNumber`, which handlers answer in the reader's language and
the dashboard turns into HTTP 400. Nothing else is raised, whatever the text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.errors import BadNumber

MAX_ID = 2**53
# A digit as a pattern, for a form that must tell a number's word from others before it reads it.
DIGIT = "[0-9０-９]"
# Folded to ASCII before anything is read; every other character is left as it is, to be refused.
_FOLD = str.maketrans("０１２３４５６７８９＃", "0123456789#")
_ASCII_DIGITS = frozenset("0123456789")
_SHOWN = 20  # characters of the typed text echoed in a refusal


@dataclass(frozen=True)
class NumberKind:
    """What a number stands for: its bounds, its name in a refusal, and an example of it.

    A kind is `Labelled` (bot.errors): passed to a refusal, it shows as its catalog entry.
    """

    key: str  # the catalog entry naming it: `numbers.ticket` is 工单编号 / ticket number
    low: int
    high: int
    example: int
    marked: bool = False  # may be written `#12`

    @property
    def label_key(self) -> str:
        return self.key

    def parse(self, text: str) -> int:
        """The number `text` holds.

        Raises:
            BadNumber: empty, not written in digits, or outside this kind's bounds.
        """
        cleaned = fold_digits(text).strip()
        if self.marked and cleaned.startswith("#"):
            cleaned = cleaned[1:]
        if not cleaned:
            raise self._refusal("numbers.missing", text)
        if not set(cleaned) <= _ASCII_DIGITS:
            raise self._refusal("numbers.not_digits", text)
        # Compared by length first: int() of thousands of digits is slow, and refused past 4300.
        significant = cleaned.lstrip("0") or "0"
        if len(significant) > len(str(self.high)) or not self.low <= int(significant) <= self.high:
            raise self._refusal("numbers.out_of_range", text)
        return int(significant)

    def _refusal(self, key: str, text: str) -> BadNumber:
        shown = text.strip()
        if len(shown) > _SHOWN:
            shown = shown[: _SHOWN - 1] + "…"
        return BadNumber(
            key, what=self, value=shown, low=self.low, high=self.high, example=self.example
        )


def fold_digits(text: str) -> str:
    """`text` with full-width digits (and `＃`) as ASCII; every other character as it was."""
    return text.translate(_FOLD)


ID = NumberKind("numbers.id", 1, MAX_ID, 12, marked=True)
TICKET = replace(ID, key="numbers.ticket")
POST = replace(ID, key="numbers.post", example=3)
MATCH = replace(ID, key="numbers.match", example=3)
ENTERPRISE = replace(ID, key="numbers.enterprise", example=7)
CADRE = replace(ID, key="numbers.cadre", example=7)
ATTACHMENT = replace(ID, key="numbers.attachment", example=1)
COUNT = NumberKind("numbers.count", 0, 10**6, 5)
HIRED = replace(COUNT, key="numbers.hired")
HEADCOUNT = replace(COUNT, key="numbers.headcount", example=10)
PIECES = replace(COUNT, key="numbers.pieces", low=1, example=10)
DAYS = NumberKind("numbers.days", 1, 365, 3)
EXTENSION_DAYS = replace(DAYS, key="numbers.extension_days")
VALIDITY_DAYS = replace(DAYS, key="numbers.validity_days", example=30)
OFFSET = NumberKind("numbers.offset", 0, 10**6, 20)
