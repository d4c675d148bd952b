"""Find contact details typed into free text, so public posts can keep them private.

The logistics exchange shares contacts only once both sides accept a match, so a phone number or
a WeChat id typed into a cargo name, a price note or a place must not reach the group post or the
proposal. People hide them in any spelling, so the text is normalised first
(`bot.domain.textnorm.fold`, separators kept: NFKC, the digits of every script, keycaps, circled
numbers, invisible characters gone; here also the Chinese numerals 一二三, 〇零, 幺, 壹贰叁).

This is finding, not reading: a number a person gives the bot is read by `bot.domain.numbers`,
which refuses `①` and `٣`; a number hidden from other people is looked for in every spelling.

A phone number is found by its digits, not by its separators: the text's digit groups are
chained over whatever short junk stands between them (`138，0000，0001`, `138*0000*0002`,
`1 3 8 ...`, `138★0000★0003`, the same letter repeated `138x0000x0004`), and a chain whose digits
read as a Chinese mobile, a landline, a 400/800 number or one of them behind +86/0086 is a phone.
What keeps ordinary numbers out: a letter or a character between two numbers ends a chain (`3.5吨
12方`, `5000元 10:30`); a plate and a `#123` reference never join one; a phone never cuts a
date, a month and a day, a time of day or a quantity with its unit in two, nor ends with one
(`2026-02-08 13:30`, `08:00-12:00，13:30-17:30`); and the digits must have a phone's exact length
and prefix.

Besides phones: e-mail addresses in their spoken spellings (`name(at)example。com`, `艾特`,
`点com`), ids after a label (`微信`, `VX`, `wx`, `QQ`, `TG`, `电报` ...) and Telegram handles
(`@name`, `t.me/name`). Every match is a range of the original text, so it can be masked or
handed over as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from bot.domain.textnorm import fold, invisible, merge_spans

# Chinese numerals people use to slip a number past a filter, as digits (one for one).
_NUMERALS = str.maketrans("〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789")

# -- phone numbers, by their digits ---------------------------------------------------------------
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")
_SERVICE = re.compile(r"[48]00\d{7}")
_NO_ZERO = re.compile(r"[1-9]\d{8,10}")  # a landline after +86 drops the 0 of its area code
_MOST_DIGITS = 15
# Between two digit groups of one number: at most this many characters besides spaces (and at
# most _SPACED in all), none of them a letter or a character, unless every gap is the same.
_GAP = 3
_SPACED = 8
_UNITS = (
    r"(?:元|块|角|万|千|百|吨|公斤|斤|克|米|厘米|毫米|公里|方|立方|升|件|托|箱|包|袋|卷|个|台|辆|"
    r"车|趟|次|人|名|位|岁|年|月|日|号|天|周|点|时|小时|分|分钟|秒|度|℃|%|"
    r"(?:t|kg|g|m|cm|mm|km|m3|l|h|min|s|pcs|yuan|rmb)(?![a-z]))"
)
# Numbers that are what they look like, each standing alone: a date, a month and a day, a time
# of day, a quantity or a range with its unit (3.5吨, 12 吨, 5000-8000元, 6.8m, 12月). A phone
# never cuts one, nor ends with one (08:00-12:00，13:30-17:30 is a shift, not a landline).
_TOKENS = re.compile(
    "|".join(
        (
            r"(?<![\d\-/.])(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
            r"(?!\d)(?![-/.]\d)",
            r"(?<![\d\-/.])(?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01])(?!\d)(?![-/.]\d)",
            r"(?<![\d:.])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?!\d)(?!:\d)",
            rf"(?<![\d.])(?:\d+(?:\.\d+)?\s?[-~～]\s?)?\d+(?:\.\d+)?\s?{_UNITS}",
        )
    )
)
# Numbers that never join another: a plate (豫A12345, 苏E·D12345), a reference (#123; but a #
# after a digit, or one before the next #, is junk between digits: 138#0000#0001).
_WORDS = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-z][·•]?[a-z0-9]{5,6}"
    r"(?![a-z0-9])"
    r"|(?<!\d)#\d+(?!\d)(?!#\d)"
)
_PHONE_LABEL = (
    r"(?:(?:联系)?(?:电话|手机|手机号|方式)|联系人?|电联|致电|座机|热线|tel|phone|call|mobile)"
)
_SEP = r"[\s:：\-—=.·,，()]{0,3}"  # between a label and its value
# What may stand before a phone's first digit and belongs to it: its label, `(`, `+`.
_LEAD = re.compile(rf"(?:{_PHONE_LABEL}{_SEP})?(?:[(\[（]\s?)?(?:\+\s?)?(?:\(\s?)?$")


def _shape(probe: str) -> str:
    """One class per character: d digit, space, s junk, h a word character, a plate, a `#12`."""
    shape = []
    for char in probe:
        if "0" <= char <= "9":
            shape.append("d")
        elif char.isspace():
            shape.append(" ")
        elif char.isalnum():
            shape.append("h")
        else:
            shape.append("s")
    for match in _WORDS.finditer(probe):
        shape[match.start() : match.end()] = "h" * (match.end() - match.start())
    return "".join(shape)


def _phone_digits(digits: str, *, plus: bool) -> bool:
    """True when `digits` (a chain's, prefix included) make one phone number."""
    for prefix in ("0086", "86", ""):
        if not digits.startswith(prefix):
            continue
        rest = digits[len(prefix) :]
        if _MOBILE.fullmatch(rest):
            return True
        if prefix == "86" and not plus:
            continue  # a bare 86 counts only before a mobile number (8613800001111)
        if _LANDLINE.fullmatch(rest) or _SERVICE.fullmatch(rest):
            return True
        if prefix and _NO_ZERO.fullmatch(rest):
            return True
    return False


def _gap(shape: str, text: str) -> tuple[bool, str | None]:
    """(soft, junk) of the characters between two digit groups.

    Soft: short, and no letter or character in it. Junk: short, one or two letters or characters
    and no number; a chain crosses junk only when every gap in it is the same (`138x0000x0001`).
    """
    if len(shape.replace(" ", "")) > _GAP or len(shape) > _SPACED:
        return False, None
    if "h" not in shape:
        return True, None
    number = any(
        "0" <= c <= "9" or (s == "h" and not c.isalpha()) for s, c in zip(shape, text, strict=True)
    )
    return False, None if number or len(text.strip()) > 2 else text


class _Chains:
    """The digit groups of a probe, the gaps between them and the numbers that stand alone."""

    def __init__(self, probe: str) -> None:
        shape = _shape(probe)
        self.groups = [m.span() for m in re.finditer("d+", shape)]
        self.gaps = [
            _gap(shape[a[1] : b[0]], probe[a[1] : b[0]])
            for a, b in zip(self.groups, self.groups[1:], strict=False)
        ]
        # Each token as the (first, last) digit groups it holds; a group in none is bare.
        self.tokens: list[tuple[int, int]] = []
        self.bare = [True] * len(self.groups)
        for match in _TOKENS.finditer(probe):
            held = [
                g
                for g, (start, end) in enumerate(self.groups)
                if start < match.end() and match.start() < end
            ]
            if held:
                self.tokens.append((held[0], held[-1]))
                for g in held:
                    self.bare[g] = False

    def whole(self, first: int, last: int) -> bool:
        """True when groups first..last end with a bare number and cut no token in two.

        Digits split as a time or a date still make a phone (`13:12 3456 789`), but one never
        ends in a quantity: in `010 2000000 3吨` the 3 is the load's.
        """
        return self.bare[last] and not any(a < first <= b or a <= last < b for a, b in self.tokens)


def _phones(probe: str) -> Iterator[tuple[int, int]]:
    """The probe ranges of the phone numbers in it.

    Every run of groups that reads as a phone is a candidate; of overlapping candidates the set
    that hides the most digits wins, so a price before a phone (`运费800 138 0000 1111`) cannot
    take the phone's first digits as a 400/800 number and leave its last four in the open.
    """
    chains = _Chains(probe)
    groups, gaps = chains.groups, chains.gaps
    leads = [_LEAD.search(probe, 0, start) for start, _ in groups]
    ends: list[list[int]] = [[] for _ in groups]  # the candidates' last groups, by first group
    for first in range(len(groups)):
        digits = ""
        soft, junk = True, gaps[first][1] if first < len(gaps) else None
        lead = leads[first]
        plus = lead is not None and "+" in lead[0]
        for last in range(first, len(groups)):
            if last > first:
                gap_soft, gap_junk = gaps[last - 1]
                soft = soft and gap_soft
                junk = junk if gap_junk == junk else None
                if not soft and junk is None:
                    break
            digits += probe[groups[last][0] : groups[last][1]]
            if len(digits) > _MOST_DIGITS:
                break
            chained = soft or last - first >= 2  # junk alone joins three groups or more
            if chained and chains.whole(first, last) and _phone_digits(digits, plus=plus):
                ends[first].append(last)
    # The most digits hidden from group i on, and the candidate that starts the best choice.
    counts = [0]
    for start, end in groups:
        counts.append(counts[-1] + end - start)
    best = [0] * (len(groups) + 1)
    pick: list[int | None] = [None] * len(groups)
    for first in reversed(range(len(groups))):
        best[first] = best[first + 1]
        for last in ends[first]:
            hidden = counts[last + 1] - counts[first] + best[last + 1]
            if hidden > best[first]:
                best[first], pick[first] = hidden, last
    first = 0
    while first < len(groups):
        chosen = pick[first]
        if chosen is None:
            first += 1
            continue
        lead = leads[first]
        yield (lead.start() if lead is not None else groups[first][0]), groups[chosen][1]
        first = chosen + 1


# -- ids after a label, addresses, handles --------------------------------------------------------
_S = r"[^\w\n]{0,2}"  # between the digits of an id after a label: any short junk


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
_WECHAT_ID = r"(?:@?[a-z][-_a-z0-9]{5,19}|1[3-9](?:\D{0,2}\d){9}|\d{5,12}(?![\d\-/.]))"
_WECHAT = (
    rf"(?<![a-z]){_WECHAT_LABEL}(?:号码?|id)?{_SEP}{_WECHAT_ID}"
    # V alone is a label only with a colon after it: `V：abc123`, never the v of a word.
    rf"|(?<![a-z])v\s{{0,2}}[:：]{_SEP}{_WECHAT_ID}"
)
_QQ = (
    rf"(?<![a-z]){_spaced('qq', '扣扣', '企鹅', 'q号', '球球')}(?:号码?)?{_SEP}"
    rf"\d(?:{_S}\d){{4,11}}(?!\d)"
)
_TELEGRAM_LABEL = _spaced("telegram", "tg", "电报", "纸飞机", "飞机号")
_TELEGRAM = (
    rf"(?<![a-z]){_TELEGRAM_LABEL}(?:号|id)?{_SEP}(?:@\s?[a-z0-9_]{{1,32}}|[a-z][a-z0-9_]{{4,31}}"
    r"|\d{5,15})"
    r"|(?<![\w@])@[a-z][a-z0-9_]{4,31}|t\.me/[a-z0-9_+/]{5,64}"
)
# `@`, and its spellings: (at) [at] 艾特 圈a; `.`, and its: 。 点 (dot) [.] .
_AT = r"(?:\s?@\s?|\s?[(\[{（【<]\s?(?:at|@|艾特)\s?[)\]}）】>]\s?|\s?(?:艾特|圈a)\s?)"
_DOT = r"(?:\s?[.。]\s?|\s?点\s?|\s?[(\[{（【<]\s?(?:dot|点|\.)\s?[)\]}）】>]\s?)"
_TLD = (
    r"(?:com|cn|net|org|edu|gov|info|biz|io|me|co|cc|top|xyz|vip|club|site|online|tech|hk|tw|"
    r"mo|jp|kr|uk|de|fr|us|ru|sg|mobi)"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = (
    r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    rf"|[a-z0-9][a-z0-9._%+-]*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}{_TLD}(?![a-z0-9])"
)
_LABELLED = re.compile("|".join(f"(?:{p})" for p in (_EMAIL, _WECHAT, _QQ, _TELEGRAM)))


def find_contacts(text: str) -> list[tuple[int, int]]:
    """The ranges of `text` (start, end) that hold a phone number, an id or an address.

    The one finder behind every public logistics text (`mask_contacts`), the forms that take
    contacts out of a post (`strip_contacts`) and the exchange after a match (`contacts_in`).
    """
    folded = fold(text, keep_separators=True)
    probe = folded.text.translate(_NUMERALS)
    spans = [m.span() for m in _LABELLED.finditer(probe) if m[0].strip()]
    spans += list(_phones(probe))
    return [_with_marks(text, *folded.span(start, end)) for start, end in merge_spans(spans)]


def _with_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """The range, with the marks and invisible characters that trail its last character (the
    keycap of 4️⃣ is part of the 4, and must not be left behind by the mask)."""
    while end < len(text) and (invisible(text[end]) or unicodedata.category(text[end])[0] == "M"):
        end += 1
    return start, end


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
