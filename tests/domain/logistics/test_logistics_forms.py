"""The one-line /truck and /cargo forms, property-based over dates, units and place names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.contacts import find_contacts
from bot.domain.logistics import LENGTHS
from bot.domain.logistics_forms import (
    COLD_WORDS,
    RELATIVE_DAYS,
    VEHICLE_WORDS,
    parse_cargo,
    parse_date,
    parse_pieces,
    parse_truck,
)
from bot.errors import BadNumber, InvalidInput

TODAY = date(2026, 11, 25)
CITIES = ["海门", "常州", "南通", "无锡", "苏州", "上海", "乌鲁木齐", "呼和浩特", "张家港", "启东"]
RESERVED = set(VEHICLE_WORDS) | COLD_WORDS | set(RELATIVE_DAYS) | {"经"}

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def is_place(name: str) -> bool:
    """A name the forms read as a place: no reserved word, and no label of a contact (卫信,
    扣扣, …: an id or a number after it is a contact, which the forms take out of a post)."""
    probes = (f"{name} {after}" for after in ("abcdef1", "13800001111"))
    labelled = any(start < len(name) for probe in probes for start, _ in find_contacts(probe))
    return name not in RESERVED and not name.startswith("经") and not labelled


places = st.one_of(
    st.sampled_from(CITIES),
    st.text(cjk, min_size=1, max_size=8).filter(is_place),
)
days_ahead = st.integers(min_value=0, max_value=59)
tonnes = st.decimals(min_value="0.1", max_value="99.9", places=1).map(float)
volumes = st.decimals(min_value="0.5", max_value="199", places=1).map(float)


def date_word(day: date, style: int) -> str:
    """Write a date as the users do: ISO, M-D, M/D, M月D日, or 今天/明天/后天."""
    offset = (day - TODAY).days
    if style == 4 and offset in (0, 1, 2):
        return ["今天", "明天", "后天"][offset]
    if style == 0 or (day.year != TODAY.year and style != 4):
        return day.isoformat()
    if style == 1:
        return f"{day.month}-{day.day}"
    if style == 2:
        return f"{day.month}/{day.day}"
    return f"{day.month}月{day.day}日"


@settings(max_examples=200, deadline=None)
@given(
    origin=places,
    destination=places,
    offset=days_ahead,
    style=st.integers(0, 4),
    weight=tonnes,
    weight_unit=st.sampled_from(["t", "吨", "T"]),
    vehicle=st.sampled_from(sorted(VEHICLE_WORDS)),
    length=st.sampled_from([*LENGTHS, None]),
    volume=st.one_of(st.none(), volumes),
    volume_unit=st.sampled_from(["m3", "方", "立方"]),
    via=st.lists(st.sampled_from(CITIES), max_size=3, unique=True),
    shuffle=st.randoms(use_true_random=False),
)
def test_truck_form_round_trip(
    origin: str,
    destination: str,
    offset: int,
    style: int,
    weight: float,
    weight_unit: str,
    vehicle: str,
    length: str | None,
    volume: float | None,
    volume_unit: str,
    via: list[str],
    shuffle: object,
) -> None:
    day = TODAY + timedelta(days=offset)
    groups = [date_word(day, style), f"{weight:g}{weight_unit}", vehicle]
    if length:
        groups.append(f"{length}m")
    if volume is not None:
        groups.append(f"{volume:g}{volume_unit}")
    if via:
        groups.append("经 " + ",".join(via))
    shuffle.shuffle(groups)  # type: ignore[attr-defined]  # any order after the two places
    form = parse_truck(" ".join([origin, destination, *groups]), TODAY)
    assert (form.origin, form.destination) == (origin, destination)
    assert form.depart_date == day
    assert form.spare_tonnes == weight
    assert form.vehicle == VEHICLE_WORDS[vehicle]
    assert form.length == length
    assert form.spare_m3 == volume
    assert list(form.via) == via


@settings(max_examples=200, deadline=None)
@given(
    origin=places,
    destination=places,
    first=st.integers(0, 54),
    span=st.integers(0, 5),
    styles=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    weight=tonnes,
    volume=st.one_of(st.none(), volumes),
    cold=st.booleans(),
    pieces=st.one_of(st.none(), st.integers(1, 9999)),
    name=st.sampled_from(["电子元件", "经编面料", "家纺 床品", "机械配件", "冷冻食品"]),
    tilde=st.sampled_from(["~", "～"]),
)
def test_cargo_form_round_trip(
    origin: str,
    destination: str,
    first: int,
    span: int,
    styles: tuple[int, int],
    weight: float,
    volume: float | None,
    cold: bool,
    pieces: int | None,
    name: str,
    tilde: str,
) -> None:
    ready = TODAY + timedelta(days=first)
    latest = ready + timedelta(days=span)
    window = date_word(ready, styles[0])
    if span:
        window += tilde + date_word(latest, styles[1])
    words = [origin, destination, window, f"{weight:g}吨"]
    if volume is not None:
        words.append(f"{volume:g}方")
    if pieces is not None:
        words.append(f"{pieces}件")
    if cold:
        words.append("冷链")
    words += [name, "13912345678"]
    form = parse_cargo(" ".join(words), TODAY)
    assert (form.origin, form.destination) == (origin, destination)
    assert (form.ready_date, form.latest_date) == (ready, latest)
    assert (form.tonnes, form.m3, form.pieces, form.cold) == (weight, volume, pieces, cold)
    assert form.cargo_name == name
    assert form.contact == "13912345678"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_form_or_a_clear_refusal(text: str) -> None:
    for parse in (parse_truck, parse_cargo):
        try:
            parse(text, TODAY)
        except InvalidInput as error:
            assert error.key.startswith("logistics.")


@given(st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=300)))
def test_month_day_means_the_coming_date(day: date) -> None:
    assert parse_date(f"{day.month}-{day.day}", TODAY) == day


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("海门 常州 明天 3t 6.8m", "need_vehicle"),
        ("海门 常州 3t 厢式", "need_date"),
        ("海门 常州 明天 厢式", "need_tonnes"),
        ("海门 常州 明天~后天 3t 厢式", "truck_one_date"),
        ("海门 常州 11-20 3t 厢式", "date_past"),
        ("海门 常州 明天 3t 厢式 7m", "bad_length"),
        ("海门 常州 明天 0t 厢式", "bad_tonnes"),
        ("海门 常州 明天 300吨 厢式", "bad_tonnes"),
        ("海门 常州 2-30 3t 厢式", "bad_date"),
        ("海门 常州 明天 3t 厢式 香蕉", "unknown_word"),
        ("海门 12 明天 3t 厢式", "bad_place"),
        ("海门 常州", "too_short"),
    ],
)
def test_truck_refusals_name_the_problem(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_truck(text, TODAY)
    assert caught.value.key == f"logistics.{key}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("海门 常州 明天 2t", "need_cargo_name"),
        ("海门 常州 后天~明天 2t 布", "range_backwards"),
        ("海门 常州 明天 2t 布 厢式", "truck_words_in_cargo"),
        ("海门 常州 明天 2t 布 3000m3", "bad_m3"),
    ],
)
def test_cargo_refusals_name_the_problem(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_cargo(text, TODAY)
    assert caught.value.key == f"logistics.{key}"


def test_year_rolls_over_for_early_dates_in_december() -> None:
    assert parse_date("1-3", date(2026, 12, 28)) == date(2027, 1, 3)
    assert parse_date("12-20", date(2026, 12, 28)) == date(2026, 12, 20)
    assert parse_date("后天", date(2026, 12, 31)) == date(2027, 1, 2)


@pytest.mark.parametrize(("word", "pieces"), [("10件", 10), ("１２箱", 12), ("3托", 3), ("7个", 7)])
def test_pieces_are_read_by_the_one_number_parser(word: str, pieces: int) -> None:
    form = parse_cargo(f"海门 常州 明天 2t 布 {word}", TODAY)
    assert form.pieces == pieces and form.cargo_name == "布"
    assert parse_pieces(word) == pieces


@pytest.mark.parametrize("word", ["0件", "9999999件"])
def test_pieces_out_of_bounds_are_refused(word: str) -> None:
    with pytest.raises(BadNumber) as caught:
        parse_cargo(f"海门 常州 明天 2t 布 {word}", TODAY)
    assert caught.value.key == "numbers.out_of_range"


@pytest.mark.parametrize("answer", ["²", "٣件", "1.5", "十件", "-3"])
def test_a_typed_number_of_pieces_in_other_digits_is_refused(answer: str) -> None:
    with pytest.raises(BadNumber):
        parse_pieces(answer)
