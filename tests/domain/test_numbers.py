"""The one parser of numbers people type: a table both ways, two properties, and a source check
that no other place decides on its own what a digit is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import numbers
from bot.domain.numbers import NumberKind
from bot.errors import BadNumber, InvalidInput
from bot.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
KINDS = (numbers.TICKET, numbers.COUNT, numbers.DAYS, numbers.OFFSET, numbers.PIECES)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (numbers.TICKET, "12", 12),
        (numbers.TICKET, "#12", 12),
        (numbers.TICKET, "＃１２", 12),
        (numbers.TICKET, " １2 ", 12),
        (numbers.TICKET, "\u300012\t", 12),  # the ideographic space a Chinese keyboard types
        (numbers.TICKET, "0012", 12),
        (numbers.TICKET, str(2**53), 2**53),
        (numbers.OFFSET, "0", 0),
        (numbers.OFFSET, "1000000", 10**6),
        (numbers.DAYS, "365", 365),
        (numbers.COUNT, "０", 0),
    ],
)
def test_reads(kind: NumberKind, text: str, value: int) -> None:
    assert kind.parse(text) == value


@pytest.mark.parametrize(
    ("kind", "text", "key"),
    [
        (numbers.TICKET, "", "numbers.missing"),
        (numbers.TICKET, "  ", "numbers.missing"),
        (numbers.TICKET, "#", "numbers.missing"),
        (numbers.TICKET, "²", "numbers.not_digits"),  # NFKC would read 2
        (numbers.TICKET, "①", "numbers.not_digits"),  # NFKC would read 1
        (numbers.TICKET, "⑴", "numbers.not_digits"),
        (numbers.TICKET, "٣", "numbers.not_digits"),  # int() would read 3
        (numbers.TICKET, "३", "numbers.not_digits"),
        (numbers.TICKET, "Ⅻ", "numbers.not_digits"),
        (numbers.TICKET, "十二", "numbers.not_digits"),
        (numbers.TICKET, "1_000", "numbers.not_digits"),  # int() would read 1000
        (numbers.TICKET, "+5", "numbers.not_digits"),
        (numbers.TICKET, "-1", "numbers.not_digits"),
        (numbers.TICKET, "1.0", "numbers.not_digits"),
        (numbers.TICKET, "1 2", "numbers.not_digits"),
        (numbers.TICKET, "1,000", "numbers.not_digits"),
        (numbers.TICKET, "12\u200b", "numbers.not_digits"),  # zero width: not white space
        (numbers.TICKET, "##12", "numbers.not_digits"),
        (numbers.TICKET, "# 12", "numbers.not_digits"),
        (numbers.TICKET, "0x1F", "numbers.not_digits"),
        (numbers.DAYS, "#3", "numbers.not_digits"),  # only the number of an item is marked
        (numbers.TICKET, "0", "numbers.out_of_range"),
        (numbers.TICKET, str(2**53 + 1), "numbers.out_of_range"),
        (numbers.TICKET, "9" * 5000, "numbers.out_of_range"),  # int() refuses past 4300 digits
        (numbers.DAYS, "0", "numbers.out_of_range"),
        (numbers.DAYS, "366", "numbers.out_of_range"),
        (numbers.OFFSET, "1000001", "numbers.out_of_range"),
        (numbers.PIECES, "0", "numbers.out_of_range"),
    ],
)
def test_refuses(kind: NumberKind, text: str, key: str) -> None:
    with pytest.raises(BadNumber) as caught:
        kind.parse(text)
    assert caught.value.key == key
    assert isinstance(caught.value, InvalidInput)  # answered as any bad input is


def test_a_refusal_names_the_kind_the_text_and_an_example_in_both_languages() -> None:
    with pytest.raises(BadNumber) as caught:
        numbers.TICKET.parse("²")
    assert caught.value.message(Translator("zh_CN")) == (
        "「²」不是有效的工单编号：请只用数字 0–9 书写，例如 12。"
    )
    assert caught.value.message(Translator("en")) == (
        "“²” is not a valid ticket number: write it with the digits 0–9 only, e.g. 12."
    )
    with pytest.raises(BadNumber) as caught:
        numbers.DAYS.parse("400")
    assert caught.value.message(Translator("zh_CN").plain) == (
        "天数应在 1 至 365 之间（例如 3），「400」不在此范围内。"
    )
    with pytest.raises(BadNumber) as caught:
        numbers.TICKET.parse("<b>" + "9" * 40)
    shown = caught.value.params["value"]
    assert len(shown) == 20 and shown.endswith("…")
    assert "&lt;b&gt;" in caught.value.message(Translator("zh_CN"))  # escaped once, as a param


def _written(value: int, wide: list[bool]) -> str:
    """`value` in digits, each ASCII or full-width as `wide` says (cycled)."""
    text = str(value)
    return "".join(c.translate(WIDE) if wide[i % len(wide)] else c for i, c in enumerate(text))


@given(
    st.sampled_from(KINDS).flatmap(
        lambda kind: st.tuples(
            st.just(kind),
            st.integers(kind.low, kind.high),
            st.lists(st.booleans(), min_size=1, max_size=4),
            st.sampled_from(("", "#", "＃")) if kind.marked else st.just(""),
            st.sampled_from(("", " ", "\u3000", "\t ")),
        )
    )
)
def test_any_number_in_bounds_written_in_ascii_or_full_width_reads_back(
    case: tuple[NumberKind, int, list[bool], str, str],
) -> None:
    kind, value, wide, mark, space = case
    assert kind.parse(f"{space}{mark}{_written(value, wide)}{space}") == value


# What the parser accepts, said independently of how it reads it.
ACCEPTED = re.compile(r"\s*(?P<mark>[#＃]?)(?P<digits>[0-9０-９]+)\s*")
NARROW = str.maketrans("０１２３４５６７８９", "0123456789")


def expected(kind: NumberKind, text: str) -> int | None:
    """The number `text` holds by the documented rule, or None if it must be refused."""
    found = ACCEPTED.fullmatch(text)
    if found is None or (found["mark"] and not kind.marked) or len(found["digits"]) > 4000:
        return None
    value = int(found["digits"].translate(NARROW))
    return value if kind.low <= value <= kind.high else None


@given(st.sampled_from(KINDS), st.text())
@example(numbers.TICKET, "²")
@example(numbers.TICKET, "١٢")
@example(numbers.TICKET, "#0")
@example(numbers.OFFSET, "1" * 4400)
@example(numbers.TICKET, "\x00")
@example(numbers.TICKET, "\ud800")
def test_anything_else_is_refused_with_the_domain_error_alone(kind: NumberKind, text: str) -> None:
    want = expected(kind, text)
    try:
        got = kind.parse(text)
    except BadNumber:
        assert want is None, text
    else:
        assert got == want, text


# Deciding what a digit is belongs to bot.domain.numbers: `isdigit` and its kin accept `²`,
# `①` and `٣`, which int() then refuses (an internal error) or reads as a number nobody typed.
PEOPLES_TEXT = ("handlers", "bot/domain", "bot/services", "bot/dashboard", "bot/render")
DIGIT_TESTS = {"isdigit", "isdecimal", "isnumeric"}


def test_no_other_place_decides_what_a_digit_is() -> None:
    offenders = []
    for folder in PEOPLES_TEXT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in DIGIT_TESTS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []
