"""The one-line job form, and the parsers for single answers of the guided conversation.

`/job 岗位=普工; 人数=10; 薪资=5000-7000元/月; 要求=...; 内容=...; 地点=...; 有效期=30; 联系=...`

Fields are separated by `;` `；` or new lines; a name and its value by `=` `＝` `:` or `：`.
Names may be Chinese or English (see `ALIASES`). A piece without a separator continues the
previous value (so a value may itself contain `；`). Numbers may be full-width (５０００), pay may
carry its unit (元/月, /天, 每小时, /month ...) and a multiplier (5k, 0.5万, 6千).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain import numbers
from bot.domain.numbers import NumberKind
from bot.errors import InvalidInput

ALIASES: dict[str, tuple[str, ...]] = {
    "employer": ("企业", "单位", "公司", "招聘单位", "用人单位", "employer", "company"),
    "position": ("岗位", "职位", "工种", "岗位名称", "position", "job", "title"),
    "headcount": ("人数", "招聘人数", "名额", "headcount", "count", "number"),
    "pay": ("薪资", "工资", "薪酬", "月薪", "pay", "salary", "wage"),
    "pay_unit": ("计薪", "计薪方式", "薪资单位", "unit", "pay_unit"),
    "requirements": ("要求", "任职要求", "岗位要求", "招聘要求", "requirements", "req"),
    "content": ("内容", "工作内容", "职责", "岗位职责", "content", "duties"),
    "location": ("地点", "工作地点", "地址", "location", "place"),
    "validity": ("有效期", "有效天数", "validity", "valid", "days"),
    "contact": ("联系", "联系方式", "联系人", "电话", "contact", "phone"),
    "benefits": ("福利", "福利待遇", "benefits", "welfare"),
    "shift": ("班次", "班制", "shift"),
}
_BY_NAME: dict[str, str] = {
    alias.lower(): field for field, names in ALIASES.items() for alias in names
}

_PIECES = re.compile(r"[;；\n]+")
_NAME_VALUE = re.compile(r"^\s*([^=＝:：\s]{1,12})\s*[=＝:：]\s*(.*)$", re.S)
_NUMBER = r"(\d+(?:\.\d+)?)\s*(k|K|千|w|W|万)?"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:(?:-|~|—|–|至|到|to)\s*{_NUMBER})?")
_COUNT_UNITS = frozenset({"人", "名", "位", "天", "日", "day", "days"})
_LONGEST_UNIT = max(len(unit) for unit in _COUNT_UNITS)
_MULTIPLIER = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}
# Order matters: 小时 before 时 and 天; English names before their letters.
_UNITS: tuple[tuple[str, str], ...] = (
    ("小时", "hour"),
    ("hour", "hour"),
    ("/h", "hour"),
    ("时薪", "hour"),
    ("month", "month"),
    ("月", "month"),
    ("day", "day"),
    ("天", "day"),
    ("日", "day"),
)


def normalize(text: str) -> str:
    """Fold full-width digits, letters and punctuation to their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def parse_form(text: str) -> dict[str, str]:
    """Split a one-line form into `field -> raw value` (values stripped, not yet checked).

    Raises:
        InvalidInput: a piece names a field we do not know (the name is shown), or the same
            field is given twice.
    """
    found: dict[str, str] = {}
    last: str | None = None
    for piece in _PIECES.split(text):
        if not piece.strip():
            continue
        match = _NAME_VALUE.match(piece)
        name = normalize(match.group(1)).lower() if match else None
        if match is None or name not in _BY_NAME:
            if match is not None and last is None:
                raise InvalidInput("jobs.err_unknown_field", name=match.group(1))
            if last is None:
                raise InvalidInput("jobs.err_form_start", piece=piece.strip()[:20])
            found[last] = f"{found[last]}；{piece.strip()}" if found[last] else piece.strip()
            continue
        field = _BY_NAME[name]
        if field in found:
            raise InvalidInput("jobs.err_duplicate_field", name=match.group(1))
        found[field] = match.group(2).strip()
        last = field
    return found


def _amount(number: str, multiplier: str | None) -> int:
    try:
        value = Decimal(number) * _MULTIPLIER.get((multiplier or "").lower(), 1)
    except InvalidOperation:
        raise InvalidInput("jobs.err_pay_format") from None
    return int(value.to_integral_value())


def parse_pay(text: str) -> tuple[int, int, str | None]:
    """Parse `5000-7000元/月`, `6000`, `５千～７千`, `25/hour` into (min, max, unit or None).

    Raises:
        InvalidInput: no number at the start.
    """
    cleaned = normalize(text).strip().replace(",", "").replace(" ", "")
    match = _RANGE.match(cleaned)
    if match is None:
        raise InvalidInput("jobs.err_pay_format")
    low = _amount(match.group(1), match.group(2))
    high = _amount(match.group(3), match.group(4)) if match.group(3) else low
    return low, high, parse_unit(cleaned[match.end() :])


def parse_unit(text: str) -> str | None:
    """The pay unit named in `text` (元/月, 每天, per hour ...), or None."""
    lowered = normalize(text).lower()
    if lowered.strip() in ("month", "day", "hour"):
        return lowered.strip()
    for word, unit in _UNITS:
        if word in lowered:
            return unit
    return None


def parse_count(text: str, kind: NumberKind) -> int:
    """Read a whole number like `10`, `１０人`, `30天`, `30 days` (its unit, if any, dropped).

    The number itself is read by `kind` (bot.domain.numbers), as every number people type.

    Raises:
        BadNumber: not a `kind` number once its unit is dropped.
    """
    stripped = text.rstrip()
    # Longest unit first (`days` before `s`); a unit may be typed full-width (`ｄａｙｓ`).
    for cut in range(min(len(stripped), _LONGEST_UNIT), 0, -1):
        if normalize(stripped[-cut:]).lower() in _COUNT_UNITS:
            stripped = stripped[:-cut]
            break
    return kind.parse(stripped)


def form_values(raw: dict[str, str]) -> dict[str, Any]:
    """Convert parsed form values into draft data (numbers parsed, units resolved).

    Raises:
        InvalidInput: a number or a pay range cannot be read.
    """
    data: dict[str, Any] = {}
    for field, value in raw.items():
        if field == "pay":
            low, high, unit = parse_pay(value)
            data["pay_min"], data["pay_max"] = low, high
            if unit is not None and "pay_unit" not in raw:
                data["pay_unit"] = unit
        elif field == "pay_unit":
            unit = parse_unit(value)
            if unit is None:
                raise InvalidInput("jobs.err_pay_unit")
            data["pay_unit"] = unit
        elif field == "headcount":
            data["headcount"] = parse_count(value, numbers.HEADCOUNT)
        elif field == "validity":
            data["validity"] = parse_count(value, numbers.VALIDITY_DAYS)
        else:
            data[field] = value
    return data
