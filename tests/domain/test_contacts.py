"""Contact details in free text: every common spelling found, ordinary logistics text left alone."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.contacts import contacts_in, mask_contacts
from bot.domain.logistics_forms import parse_cargo, parse_truck

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
