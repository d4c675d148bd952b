"""Contact details in free text: every common spelling found, ordinary logistics text left alone.

Besides the tables, two properties: a phone number keeps being found whatever separators stand
between its digits and however the digits are spelled, and texts made of the numbers logistics
and job posts are full of (dates, times, tonnages, lengths, money, plates, references) never
lose a character to the mask.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.contacts import contacts_in, find_contacts, mask_contacts
from bot.domain.logistics_forms import parse_cargo, parse_truck
from bot.domain.textnorm import fold

# (text as typed, the contact detail that must be found, as typed)
CONTACTS: list[tuple[str, str]] = [
    ("电子元件 13800001111", "13800001111"),
    ("电子元件138-0000-1111", "138-0000-1111"),
    ("138 0000 1111", "138 0000 1111"),
    ("1 3 8 0 0 0 0 1 1 1 1", "1 3 8 0 0 0 0 1 1 1 1"),
    ("138.0000.1111", "138.0000.1111"),
    ("１３８００００１１１１", "１３８００００１１１１"),
    ("+86 138 0000 1111", "+86 138 0000 1111"),
    ("＋８６－１３８００００１１１１", "＋８６－１３８００００１１１１"),
    ("0086-13800001111", "0086-13800001111"),
    ("8613800001111", "8613800001111"),
    ("(0513) 8123 4567", "(0513) 8123 4567"),
    ("0513-81234567", "0513-81234567"),
    ("010-12345678", "010-12345678"),
    ("+86 513 8123 4567", "+86 513 8123 4567"),
    ("400-820-8820", "400-820-8820"),
    ("一三八零零零零一一一一", "一三八零零零零一一一一"),
    ("幺三八 零零零零 幺幺幺幺", "幺三八 零零零零 幺幺幺幺"),
    ("电话:138 1234 5678", "电话:138 1234 5678"),
    ("運費面議 電話13900001111", "電話13900001111"),
    ("微信：abc_123", "微信：abc_123"),
    ("微信号 zhang-san88", "微信号 zhang-san88"),
    ("微 信 abc123", "微 信 abc123"),
    ("V信 abc12345", "V信 abc12345"),
    ("v 信 a1b2c3d4", "v 信 a1b2c3d4"),
    ("vx abc123", "vx abc123"),
    ("VX：Trucker_01", "VX：Trucker_01"),
    ("wx:zhangsan88", "wx:zhangsan88"),
    ("V：abc123", "V：abc123"),
    ("威信 13900001111", "威信 13900001111"),
    ("加微 zhang-san", "加微 zhang-san"),
    ("QQ 12345678", "QQ 12345678"),
    ("ＱＱ：１２３４５６７８", "ＱＱ：１２３４５６７８"),
    ("扣扣：87654321", "扣扣：87654321"),
    ("企鹅号 123456789", "企鹅号 123456789"),
    ("boss@example.com", "boss@example.com"),
    ("找 @zhang_san", "@zhang_san"),
    ("t.me/zhangsan", "t.me/zhangsan"),
    ("电子\u200b元件 138\u200b0000\u200b1111", "138\u200b0000\u200b1111"),
    # Any junk between the digits, not a list of separators.
    ("电子元件139、1234、5678", "139、1234、5678"),
    ("运费面议 159~0000~2222", "159~0000~2222"),
    ("木材137|0000|3333", "137|0000|3333"),
    ("配件 136★0000★4444 王", "136★0000★4444"),
    ("五金135#0000#5555", "135#0000#5555"),
    ("134 -- 0000 -- 6666", "134 -- 0000 -- 6666"),
    ("布料 15 9,00 00;77 77", "15 9,00 00;77 77"),
    ("电子元件133x0000x8888", "133x0000x8888"),
    ("联系189哦0000哦9999", "联系189哦0000哦9999"),
    ("0513 ~ 8123 ~ 4567", "0513 ~ 8123 ~ 4567"),
    ("021*6123*4567", "021*6123*4567"),
    ("13:12 3456 789", "13:12 3456 789"),  # digits split as a time of day are still a phone
    # Digits of other scripts and forms.
    ("1️⃣3️⃣9️⃣0️⃣0️⃣0️⃣0️⃣1️⃣2️⃣3️⃣4️⃣", "1️⃣3️⃣9️⃣0️⃣0️⃣0️⃣0️⃣1️⃣2️⃣3️⃣4️⃣"),
    ("١٣٩٠٠٠٠١٢٣٤", "١٣٩٠٠٠٠١٢٣٤"),
    ("१३९-००००-१२३४", "१३९-००००-१२३४"),
    ("①③⑨⓪⓪⓪⓪①②③④", "①③⑨⓪⓪⓪⓪①②③④"),
    ("❶❸❾⓿⓿⓿⓿❶❷❸❹", "❶❸❾⓿⓿⓿⓿❶❷❸❹"),
    ("𝟏𝟑𝟗 𝟎𝟎𝟎𝟎 𝟏𝟐𝟑𝟒", "𝟏𝟑𝟗 𝟎𝟎𝟎𝟎 𝟏𝟐𝟑𝟒"),
    ("壹叁玖，零零零零，壹贰叁肆", "壹叁玖，零零零零，壹贰叁肆"),
    ("一三九 〇〇〇〇 一二三四", "一三九 〇〇〇〇 一二三四"),
    # Addresses in their spoken spellings.
    ("zhang(at)example。com", "zhang(at)example。com"),
    ("邮箱 li.si[at]mail点cn", "li.si[at]mail点cn"),
    ("12345678 艾特 qq 点 com", "12345678 艾特 qq 点 com"),
    ("wang＠１６３．ｃｏｍ", "wang＠１６３．ｃｏｍ"),
    # Handles after a label.
    ("TG: @trucker", "TG: @trucker"),
    ("tg：@x", "tg：@x"),
    ("电报 haimen_wl", "电报 haimen_wl"),
    ("wx: wxid_abc123", "wx: wxid_abc123"),
    ("QQ: 1234*5678", "QQ: 1234*5678"),
]

# Ordinary logistics text: no contact in it, nothing may be masked.
ORDINARY: list[str] = [
    "海门 常州 4-25 3t 厢式 6.8m 经 南通,无锡",
    "海门 常州 4-24~4-26 2t 1.5m3 电子元件",
    "2026-04-25",
    "运费800元",
    "运费1300元，面议",
    "木材 10件 0.5t",
    "纺织面料 20托 13.5方",
    "电子元件",
    "微信同号",
    "联系王先生",
    "Volvo卡车配件",
    "服装 vip客户",
    "型号 X2000-300",
    "1380000111",
    "价格 12000-15000",
    "冷链 冻肉 5吨 4/25-4/27",
    "海门 维信 2026-11-25 3t 厢式",  # a place that reads like a label, then a date
    "2026-12-08 10:30 发车 3.5吨 9.6米 5000元",
    "2026年12月8日 豫A12345 12 吨 4.2m",
    "工作时间 08:00-12:00，13:30-17:30",
    "2026-02-08 13:30 #123",
    "#139 10:30 5000元",
    "08:15 13:05 5000-8000元",
    "豫A13579 #1234 #56",
    "月薪5000-8000元，12月8日前到岗",
    "运费800 单价3.5元/公斤",
    "Wechat pay accepted",
    "look at example dot com",
]


@pytest.mark.parametrize(("text", "contact"), CONTACTS)
def test_contacts_are_found_in_every_common_spelling(text: str, contact: str) -> None:
    assert contacts_in(text) == [contact]
    masked = mask_contacts(text, "〔隐藏〕")
    assert contact not in masked and "〔隐藏〕" in masked


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_logistics_text_is_left_alone(text: str) -> None:
    assert contacts_in(text) == []
    assert mask_contacts(text, "〔隐藏〕") == text


def test_the_one_line_form_takes_contacts_out_of_the_other_fields() -> None:
    today = date(2026, 4, 20)
    cargo = parse_cargo("海门 常州 4-24 2t 电子元件 微信 ab_c123 138 0000 2222 运费300", today)
    assert cargo.cargo_name == "电子元件" and cargo.price_note == "运费300"
    assert cargo.contact == "微信 ab_c123、138 0000 2222"
    truck = parse_truck("海门 常州 4-25 3t 厢式 联系:王 ＋86 139 0000 1111", today)
    assert truck.contact == "王、＋86 139 0000 1111"


# -- the properties -------------------------------------------------------------------------------

# The ways one digit is written: ASCII, full-width, Arabic-Indic, Devanagari, mathematical bold,
# circled, dingbat, keycap, Chinese numerals (small and financial).
SPELLINGS: tuple[tuple[str, ...], ...] = (
    tuple("0123456789"),
    tuple("０１２３４５６７８９"),
    tuple("٠١٢٣٤٥٦٧٨٩"),
    tuple("०१२३४५६७८९"),
    tuple("𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"),
    tuple("⓪①②③④⑤⑥⑦⑧⑨"),
    tuple("⓿❶❷❸❹❺❻❼❽❾"),
    tuple(f"{d}\ufe0f\u20e3" for d in "0123456789"),
    tuple("〇一二三四五六七八九"),
    tuple("零壹贰叁肆伍陆柒捌玖"),
)
# Junk people put between digits: punctuation of both widths, symbols, emoji, spaces and
# invisible characters. Letters are junk too, but only when the same junk stands in every gap
# (tested in the table); a `#` after a space starts a reference (#12), so it stands first.
_CANDIDATES = (
    " \u3000\u00a0\n-‐–—_.,，、。·•*×~～/\\|:;：；!！?？'\"“”‘’()（）[]【】{}<>《》+=★☆♥❤♪→←●○◆■▲※"
    "&^`😀📞☎\u200b\u200c\u200d\u2060\ufeff\u00ad"
)
SEPARATORS = "".join(c for c in _CANDIDATES if len(fold(c, keep_separators=True).text) <= 1)
BEFORE = ("", "电子元件", "联系", "运费800元 ", "王先生 ", "海门 常州 明天 3t 厢式 ", "货：布料，")
AFTER = ("", " 王先生", "，谢谢", " 3吨", "\n冷链", "（微信同号）")


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A Chinese mobile (1[3-9] and nine digits) or landline (0, area code, local number)."""
    if draw(st.booleans()):
        return (
            "1"
            + draw(st.sampled_from("3456789"))
            + draw(st.text("0123456789", min_size=9, max_size=9))
        )
    area = draw(st.sampled_from(("10", "20", "21", "22", "23", "24", "25", "27", "28", "29")))
    area = draw(st.sampled_from((area, "513", "371", "755", "571")))
    local = draw(st.text("0123456789", min_size=7, max_size=8))
    return "0" + area + draw(st.sampled_from("2345678")) + local[1:]


@st.composite
def spelled(draw: st.DrawFn, digits: str) -> str:
    """`digits` cut into groups with junk between them, each digit in a spelling of its own."""
    # Cut anywhere but in the last three digits: a number that ends `…:1/1` or `…12:34` ends
    # as a date or a time of day, and ordinary texts end so (08:00-12:00，13:30-17:30).
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 3), max_size=len(digits) - 3)))
    pieces = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    typed = []
    for index, piece in enumerate(pieces):
        for digit in piece:
            typed.append(draw(st.sampled_from(SPELLINGS))[int(digit)])
        if index < len(pieces) - 1:
            gap = draw(st.text(SEPARATORS, min_size=0, max_size=3))
            typed.append(draw(st.sampled_from((gap, "#" + gap.strip()[:2]))))
    return "".join(typed)


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    digits=phone_numbers(),
    before=st.sampled_from(BEFORE),
    after=st.sampled_from(AFTER),
)
def test_any_separators_between_the_digits_keep_a_phone_masked(
    data: st.DataObject, digits: str, before: str, after: str
) -> None:
    phone = data.draw(spelled(digits))
    text = before + phone + after
    start, end = len(before), len(before) + len(phone)
    spans = find_contacts(text)
    assert any(a <= start and end <= b for a, b in spans), (text, spans)
    masked = mask_contacts(text, "〔隐藏〕")
    # The rest stays as typed; a label before the number (联系) goes with it.
    assert masked.startswith(before.removesuffix("联系").rstrip()) and masked.endswith(after)


def _one_of(*options: str) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


DAYS = st.dates(date(2000, 1, 1), date(2099, 12, 31))
# What ordinary logistics and job posts are made of, and what joins it.
PIECES = st.one_of(
    DAYS.map(lambda d: f"{d:%Y-%m-%d}"),
    DAYS.map(lambda d: f"{d.month}月{d.day}日"),
    DAYS.map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    DAYS.map(lambda d: f"{d.month}-{d.day}"),
    st.times().map(lambda t: f"{t:%H:%M}"),
    st.tuples(st.integers(0, 99), st.integers(0, 9), _one_of("吨", " 吨", "t", "T")).map(
        lambda t: f"{t[0]}.{t[1]}{t[2]}" if t[1] else f"{t[0]}{t[2]}"
    ),
    st.tuples(st.integers(1, 30), st.integers(0, 9), _one_of("米", "m", " 米", "方")).map(
        lambda t: f"{t[0]}.{t[1]}{t[2]}"
    ),
    st.tuples(st.integers(1, 99999), _one_of("元", "块", " 元", "元/月", "元/天")).map(
        lambda t: f"{t[0]}{t[1]}"
    ),
    st.tuples(st.integers(1000, 20000), st.integers(0, 20000)).map(
        lambda t: f"{t[0]}-{t[0] + t[1]}元"
    ),
    st.tuples(
        _one_of(*"京沪苏浙皖鲁豫粤川鄂"), st.sampled_from("ABCDEFGH"), st.integers(0, 99999)
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]:05d}"),
    st.integers(1, 99999).map(lambda n: f"#{n}"),
    st.integers(1, 999).map(lambda n: f"{n}件"),
    st.integers(16, 60).map(lambda n: f"{n}岁"),
    _one_of("海门", "常州", "电子元件", "厢式", "冷链", "普工", "包吃包住", "发车", "运费", "面议"),
)
JOINS = _one_of(" ", "，", "、", "；", " ~ ", "\n", " 至 ", "  ")


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(PIECES, min_size=1, max_size=12),
    joins=st.lists(JOINS, min_size=11, max_size=11),
)
def test_dates_times_quantities_money_plates_and_references_are_never_masked(
    pieces: list[str], joins: list[str]
) -> None:
    text = pieces[0] + "".join(j + p for j, p in zip(joins, pieces[1:], strict=False))
    assert find_contacts(text) == [], (text, contacts_in(text))


def test_the_digit_spellings_are_the_digits() -> None:
    for spelling in SPELLINGS[:-2]:
        folded = fold("".join(spelling), keep_separators=True).text
        assert folded == "0123456789", (spelling, folded)
    assert all(unicodedata.category(c)[0] not in "LN" for c in SEPARATORS)
