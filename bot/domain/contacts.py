"""Find contact details typed into free text, so public posts can keep them private.

The logistics exchange shares contacts only once both sides accept a match, so a phone number or
a WeChat id typed into a cargo name, a price note or a place must not reach the group post or the
proposal. People write them in many ways: `138-0000-1111`, `138 0000 1111`, full-width digits,
`+86 138…`, `0086…`, `(0513) 8123 4567`, `400-820-8820`, Chinese numerals, `微信：abc_123`,
`V信 abc123`, `vx abc123`, `QQ 12345678`, `扣扣…`, an e-mail address, a Telegram `@name`.
The text is folded first (`bot.domain.textnorm.fold`, separators kept), and every match is
reported as a range of the original text, so it can be masked or handed over as typed.
"""

from __future__ import annotations

import re

from bot.domain.textnorm import fold

# Chinese numerals people use to slip a number past a filter, as digits (one for one).
_NUMERALS = str.maketrans("〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789")
_S = r"[\s\-‐‑–—.·•_/()]{0,2}"  # what people put between the digits of one number
_SEP = r"[\s:：\-—=.·,，()]{0,3}"  # between a label and its value
_PREFIX = rf"(?:(?:\+|00){_S}86{_S}|\(\+?86\){_S}|86{_S}(?=1))?"
_MOBILE = rf"1{_S}[3-9](?:{_S}\d){{9}}"
_LANDLINE = rf"0{_S}[1-9](?:{_S}\d){{8,10}}"
_SERVICE = rf"[48]{_S}0{_S}0(?:{_S}\d){{7}}"
_AREA_NO_ZERO = rf"(?:\+|00){_S}86{_S}[1-9](?:{_S}\d){{8,10}}"
_PHONE_LABEL = r"(?:(?:联系)?(?:电话|手机|手机号|方式)|联系人?|tel|phone|call|mobile)"
_PHONE = (
    rf"(?:{_PHONE_LABEL}{_SEP})?"
    rf"(?<![\d+])\(?(?:{_PREFIX}(?:{_MOBILE}|{_LANDLINE}|{_SERVICE})|{_AREA_NO_ZERO})(?!\d)"
)


def _spaced(*words: str) -> str:
    """Any of `words`, with up to two spaces between their letters (`微 信`, `v 信`)."""
    return "(?:" + "|".join(r"\s{0,2}".join(map(re.escape, w)) for w in words) + ")"


_WECHAT_LABEL = _spaced(
    "微信",
    "威信",
    "薇信",
    "徽信",
    "维信",
    "卫信",
    "v信",
    "微x",
    "wechat",
    "weixin",
    "vx",
    "wx",
    "加v",
    "加微",
)
# A WeChat id starts with a letter; a bare number after the label is a phone or a QQ-linked id,
# written without separators (a date such as 2026-04-20 after a place name is none of these).
_WECHAT_ID = rf"(?:{_MOBILE}|[a-z][-_a-z0-9]{{5,19}}|\d{{5,12}}(?![\d\-/.]))"
_WECHAT = (
    rf"{_WECHAT_LABEL}(?:号码?|id)?{_SEP}{_WECHAT_ID}"
    # V alone is a label only with a colon after it: `V：abc123`, never the v of a word.
    rf"|(?<![a-z])v\s{{0,2}}[:：]{_SEP}{_WECHAT_ID}"
)
_QQ = rf"{_spaced('qq', '扣扣', '企鹅', 'q号', '球球')}(?:号码?)?{_SEP}\d(?:{_S}\d){{4,11}}(?!\d)"
_EMAIL = r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
_TELEGRAM = r"(?<![\w@])@[a-z][a-z0-9_]{4,31}|t\.me/[a-z0-9_+/]{5,64}"
_CONTACT = re.compile("|".join(f"(?:{p})" for p in (_PHONE, _WECHAT, _QQ, _EMAIL, _TELEGRAM)))


def find_contacts(text: str) -> list[tuple[int, int]]:
    """The ranges of `text` (start, end) that hold a phone number, an id or an address."""
    folded = fold(text, keep_separators=True)
    probe = folded.text.translate(_NUMERALS)
    return [folded.span(m.start(), m.end()) for m in _CONTACT.finditer(probe) if m[0].strip()]


def contacts_in(text: str) -> list[str]:
    """The contact details in `text`, as typed (trimmed)."""
    return [text[start:end].strip() for start, end in find_contacts(text)]


def mask_contacts(text: str, mask: str) -> str:
    """`text` with every contact detail replaced by `mask`."""
    spans = find_contacts(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += [text[last:start], mask]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def strip_contacts(text: str) -> tuple[str, list[str]]:
    """Split `text` into what remains without contact details, and the details found."""
    found = contacts_in(text)
    return mask_contacts(text, " "), found
