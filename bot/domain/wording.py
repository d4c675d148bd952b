"""The job-post wording check: discriminatory restrictions and bait, as patterns, not words.

Posts must not discriminate by ethnicity, sex, religion, household registration (户籍) or region,
and must not bait (高薪, 保录, 日结万元). A list of literal words is bypassed by spelling (`限 男`,
`僅限男性`, `ｌｉｍｉｔ`) and by phrasing (`只招女工`, `女士优先`, `河南人勿扰`). So the text is
folded first (`bot.domain.textnorm.fold`: NFKC, lower case, traditional → simplified, spaces,
punctuation and invisible characters gone), then read with patterns of the restriction frames:
a limiting word and a group (`限/只招/不招 … 男/汉族/本地人/户口`), a group and a verdict
(`… 优先/勿扰/免谈`), a form label and a value (`性别：男`). Phrases that say the post does *not*
restrict (`性别不限`, `男女不限`, `不限户籍`) are blanked out before the patterns run.
A hit is reported in the user's own spelling, by reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.domain.textnorm import BOUNDARY, Folded, fold

REASONS: tuple[str, ...] = ("ethnicity", "sex", "religion", "household", "region", "bait")
_FILLER = "\ue001"  # stands in for a blanked allowed phrase; no pattern names it

# Words that make a restriction of what follows: 限 (not 有限/无限/不限/期限...), 只招, 不要 ...
_LIMIT = (
    r"(?:(?<![有无不受上下年期时权界极额局])限(?:于|招|聘|收)?|仅限|只限|只招|仅招|只要|只收|仅收"
    r"|仅要|不招|不要|不收|不录用?|谢绝|拒绝|拒收|婉拒)"
)
# Weaker words that restrict only when a person word follows: 招, 需, 要求 (not 不仅, 不只) ...
_NEED = r"(?:急招|招聘|诚聘|招收|招募|招工|招|需要?|要求|必须|须|(?<!不)仅|(?<!不)只|限定|最好是?)"
# What turns a group into a refusal or a preference when it follows the group.
_VERDICT = (
    r"(?:优先|勿扰|免谈|莫扰|勿投|慎投|请绕行|绕行|绕道|除外|不要|不招|不收|不考虑|谢绝|婉拒|only)"
)
_STRONG = r"(?:勿扰|免谈|莫扰|勿投|请绕行|绕行|绕道|不要|不招|谢绝)"
_WHO = r"(?:员工|人员|人士|工人|求职者|应聘者|者|的)?"

_PERSON = (
    r"(?:男性|女性|男士|女士|男生|女生|男工|女工|男同志|女同志|男的|女的"
    r"|帅哥|美女|小伙子?|姑娘|宝妈)"
)
# 男/女 alone, but never the 男 or 女 of 男女 (both sexes), 女装 (clothing), 子女 (children).
_SEX = rf"(?:{_PERSON}|男(?![女装])|(?<![男妇子儿])女(?![男装鞋包儿]))"
_ETHNIC = (
    r"(?:少数民族|汉族|汉人|回族|回民|维吾尔族?|维族|藏族|藏民|蒙古族|蒙族|壮族|苗族|彝族|土家族|"
    r"满族|朝鲜族|哈萨克族|侗族|瑶族|白族|傣族|黎族|畲族)"
)
_FAITH = (
    r"(?:宗教信仰|信仰宗教|宗教人士|信教|宗教|穆斯林|基督徒|基督教徒?|天主教徒?|佛教徒|伊斯兰教?|"
    r"信徒|教徒)"
)
_PROVINCES = (
    "(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门|东北|"
    "西北|西南|华北|华南|华东|华中|江浙沪|江浙|苏北|苏南|皖北|豫东|川渝|潮汕|闽南|两广)"
)
_SHORT = "[京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川蜀贵黔云滇陕秦甘陇青蒙桂藏宁疆港澳台]"
_LOCAL = r"(?:本地|当地|本市|本省|本县|本区|本镇|本乡|外地|外省|外来|外乡|农村|城镇|山区)"
_PEOPLE = r"(?:人员|人士|人|籍|户籍|户口|求职者|的)"
_NUMBER = r"(?:\d+|[一二三四五六七八九十两几数]+)"
# Two characters before 人 that name no place: 中介人勿扰 refuses agents, not a region.
_NOT_PLACES = ("中介", "闲杂", "无关", "非诚", "推销", "外行", "陌生", "其他", "中年", "老年")
_NOT_PLACE = "".join(f"(?<!{w})" for w in _NOT_PLACES)

_PATTERNS: dict[str, tuple[str, ...]] = {
    "sex": (
        rf"{_LIMIT}{_SEX}",
        rf"{_NEED}(?:是|为)?{_PERSON}",
        rf"{_NEED}(?:男|(?<!男)女)(?={_NUMBER}|名|人|位|{BOUNDARY}|$)",
        rf"{_SEX}{_WHO}{_VERDICT}",
        r"性别(?:要求|限制|限)?(?:为|是)?(?:男(?!女)|女(?!男))",
        r"(?:已婚|未婚)(?:已育|未育|未孕)|(?:已婚|未婚|离异)(?:者|人员)?(?:优先|勿扰|免谈|即可)",
        rf"{_LIMIT}(?:已婚|未婚|已育|未育)",
        r"(?:已育|未育|孕妇|怀孕|孕期|哺乳期)(?:者|人员)?(?:勿扰|免谈|不要|不招|不收|优先|除外)",
        r"不(?:得|能|准|可)(?:怀孕|生育|结婚)",
        rf"{_NUMBER}年内?不(?:得|能|准|可)?(?:生育|怀孕|要孩子|生孩子|结婚)",
        r"(?:fe)?males?only|only(?:fe)?males?|(?:wo)?menonly|only(?:wo)?men|(?:fe)?malespreferred",
    ),
    "ethnicity": (
        rf"{_LIMIT}{_ETHNIC}",
        rf"{_ETHNIC}{_WHO}{_VERDICT}",
        r"民族(?:要求|限制|限)?(?:为|是)?(?:汉|回|藏|维|蒙|壮|苗|满)",
        r"非汉族",
    ),
    "religion": (
        rf"{_LIMIT}(?:有)?{_FAITH}",
        rf"{_FAITH}{_WHO}{_VERDICT}",
        r"(?:无|没有|不得有|不能有)宗教信仰|不(?:得|能|准|可)?信(?:教|仰宗教)",
    ),
    "household": (
        r"(?:本地|当地|本市|本省|本县|本区|本镇|城镇|农村|农业|非农业?|城市)(?:户口|户籍|户)(?![本簿])",
        rf"{_LIMIT}[\u4e00-\u9fff]{{0,3}}?(?:户口|户籍)(?![本簿])",
        rf"(?:{_PROVINCES}|{_SHORT})(?:户口|户籍)(?![本簿])",
        r"(?:户口|户籍)(?:所在地)?(?:要求|限制|限|必须|须|需)(?!无|不限|均可|皆可)",
        rf"[\u4e00-\u9fff]{{1,2}}?(?:户口|户籍){_WHO}(?:优先|勿扰|免谈|不要|不招)",
    ),
    "region": (
        rf"{_LIMIT}{_LOCAL}{_PEOPLE}?",
        rf"{_LIMIT}{_PROVINCES}(?:省|市|地区)?(?:本地)?{_PEOPLE}?",
        rf"{_LIMIT}(?:(?![男女])[\u4e00-\u9fff]){{1,3}}?本地{_PEOPLE}?",
        rf"{_LIMIT}{_SHORT}籍",
        rf"(?:{_LOCAL}|{_PROVINCES}|{_SHORT})(?:省|市|地区)?(?:本地)?{_PEOPLE}{_WHO}{_VERDICT}",
        rf"[\u4e00-\u9fff]{{2}}{_NOT_PLACE}人{_STRONG}",
        r"(?:本地|当地|本市|本省|外地|外省)(?:优先|勿扰|免谈|莫扰|勿投|不考虑|谢绝|除外)",
        r"locals?(?:candidates|people|residents)?only",
    ),
    "bait": (
        r"(?<![提升])高(?:薪|工资|收入|回报)",
        r"保录|保证录用|包录用|包录取|保录取|百分百录用|100录用|包入职|保入职",
        rf"(?:日|天|每天|每日|周)(?:结|入|赚|挣|薪|收入)(?:过|上|破|超)?{_NUMBER}?万(?:元|块)?",
        rf"(?:月入|月薪|月收入|月结|年薪|年入)(?:轻松)?(?:过|上|破|超){_NUMBER}?万(?:元|块)?",
        r"轻松(?:月入|日入|年入|赚钱?|挣钱?)|躺赚|稳赚|包赚|日进斗金",
    ),
}
_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    reason: tuple(re.compile(p) for p in patterns) for reason, patterns in _PATTERNS.items()
}

_CRITERIA = r"(?:性别|男女|户籍|户口|民族|地域|籍贯|宗教|信仰|地区|国籍|年龄|婚否|婚姻状况|婚育)"
_OPEN = r"(?:不限|均可|皆可|都可以?|都行|无要求|无限制|不做要求|不作要求|无)"
# Phrases that say the post does not restrict; blanked before the patterns run.
ALLOWED = re.compile(
    rf"{_CRITERIA}(?:要求|限制)?{_OPEN}"
    rf"|(?:不限|不要求|不限制|不看|不论|不问)(?:{_CRITERIA})(?:要求|限制)?"
    rf"|(?:无|没有)(?:{_CRITERIA})(?:要求|限制)"
    r"|男女(?:工|生|性)?(?:均可|皆可|都可以?|都行|不限|老少)"
    rf"|欢迎(?:{_SEX}|{_ETHNIC}|{_LOCAL})"
)


def _blank(folded: str, phrases: Iterable[str]) -> str:
    """Replace allowed phrases by filler of the same length (positions must not move)."""
    text = ALLOWED.sub(lambda m: _FILLER * len(m[0]), folded)
    for phrase in sorted((fold(p).text for p in phrases), key=len, reverse=True):
        if phrase:
            text = text.replace(phrase, _FILLER * len(phrase))
    return text


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find(
    text: str,
    *,
    extra_words: Mapping[str, Iterable[str]] | None = None,
    extra_allowed: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Return the offending phrases of `text` by reason, in the user's spelling; empty when clean.

    Args:
        text: the post's free text; line breaks separate fields and never join a match.
        extra_words: configured literal phrases per reason, matched on the folded text too.
        extra_allowed: configured phrases that are never refused.

    Returns:
        Reason code -> the phrases found, first occurrence order, without duplicates.
    """
    folded: Folded = fold(text, keep_lines=True)
    blanked = _blank(folded.text, extra_allowed)
    found: dict[str, list[str]] = {}
    # A phrase belongs to the first reason that claims it: 限本地户籍 is household, not region.
    claimed: list[tuple[int, int]] = []
    for reason in REASONS:
        spans = [m.span() for p in _COMPILED[reason] for m in p.finditer(blanked) if m[0]]
        for word in (extra_words or {}).get(reason, ()):
            needle = fold(word).text
            start = blanked.find(needle) if needle else -1
            while start >= 0:
                spans.append((start, start + len(needle)))
                start = blanked.find(needle, start + 1)
        fresh = [(s, e) for s, e in _merge(spans) if not any(a <= s and e <= b for a, b in claimed)]
        claimed += fresh
        words = [folded.source(s, e).strip() for s, e in fresh]
        if words:
            found[reason] = list(dict.fromkeys(words))
    return found
