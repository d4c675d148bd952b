"""The job-post wording check: discriminatory restrictions and bait, as patterns, not words.

Posts must not discriminate on the grounds of the Employment Promotion Law (就业促进法): ethnicity
and race, sex (pregnancy and marriage with it), religion, disability, health (乙肝 and other
pathogen carriers), household registration (户籍) or region; and must not bait (高薪, 保录, 包过,
月入十万). A list of literal words is bypassed by spelling (`限 男`, `僅限男性`, `ｌｉｍｉｔ`,
`𝐧𝐨 𝐰𝐨𝐦𝐞𝐧`, a Kangxi radical `⼥`) and by phrasing (`只招女工`, `女士优先`, `河南人勿扰`,
`限苏州籍`). So the text is folded first (`bot.domain.textnorm.fold`: NFKC, case folding, Latin
lookalikes, traditional → simplified, spaces, punctuation and invisible characters gone), then
read with patterns of the restriction frames, each over every ground: a limiting word and a group
(`限/只要/不要/不招/谢绝 … 男/汉族/孕妇/残疾人/乙肝/本地人/X籍`), a need and a person (`要男的`),
a group and a verdict (`… 优先/勿扰/免谈`), a negated condition (`无残疾`, `非乙肝携带者`), a form
label and a value (`性别：男`, `籍贯：河南`), English `no|only … women|locals|…` and `… only`.
Bait is a promise frame (`保证|包|稳 … 录取|入职|过`) and an income claim above a sane bound for
its period (`月入十万`; `月薪5000-8000元` is fine). Phrases that say the post does *not* restrict
(`性别不限`, `男女不限`, `不限户籍`, `欢迎残疾人应聘`) are blanked out before the patterns run.
A hit is reported in the user's own spelling, by reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.domain.textnorm import BOUNDARY, Folded, fold, merge_spans

REASONS: tuple[str, ...] = (
    "ethnicity",
    "sex",
    "religion",
    "disability",
    "health",
    "household",
    "region",
    "bait",
)
_FILLER = "\ue001"  # stands in for a blanked allowed phrase; no pattern names it

# Words that make a restriction of what follows: 限 (not 有限/无限/不限/期限...), 只招, 不要 ...
_LIMIT = (
    r"(?:(?<![有无不受上下年期时权界极额局])限(?:于|招|聘|收)?|仅限|只限|只招|仅招|只要|只收|仅收"
    r"|仅要|不招|不要|不收|不录用?|谢绝|拒绝|拒收|婉拒)"
)
# Weaker words that restrict only when a person word follows: 招, 需, 要, 要求 (not 不仅, 不只,
# 主要, 重要) ...
_NEED = (
    r"(?:急招|招聘|诚聘|招收|招募|招工|招|需要?|要求|(?<![主重想需只不])要|必须|须|(?<!不)仅"
    r"|(?<!不)只|限定|最好是?)"
)
# What turns a group into a refusal or a preference when it follows the group.
_VERDICT = (
    r"(?:优先|勿扰|免谈|莫扰|勿投|慎投|请绕行|绕行|绕道|除外|不要|不招|不收|不考虑|谢绝|婉拒|only)"
)
_STRONG = r"(?:勿扰|免谈|莫扰|勿投|请绕行|绕行|绕道|不要|不招|谢绝)"
# A verdict that refuses (not 优先: 残疾人优先 is the preference the law asks for).
_REFUSE = (
    r"(?:勿扰|免谈|莫扰|勿投|慎投|请绕行|绕行|绕道|除外|不要|不招|不收|不考虑|谢绝|婉拒|不录用?)"
)
# Words that deny a condition: 无残疾, 非乙肝携带者, 不能有传染病.
_DENY = r"(?:无|非|没有|不是|不能是|不得是|不能有|不得有|不可有|排除)(?:任何)?"
_WHO = r"(?:员工|人员|人士|工人|求职者|应聘者|者|的)?"

_PERSON = (
    r"(?:男性|女性|男士|女士|男生|女生|男工|女工|男同志|女同志|男的|女的"
    r"|帅哥|美女|小伙子?|姑娘|宝妈)"
)
# 男/女 alone, but never the 男 or 女 of 男女 (both sexes), 女装 (clothing), 子女 (children).
_SEX = rf"(?:{_PERSON}|男(?![女装])|(?<![男妇子儿])女(?![男装鞋包儿]))"
_ETHNIC = (
    r"(?:少数民族|汉族|汉人|回族|回民|维吾尔族?|维族|藏族|藏民|蒙古族|蒙族|壮族|苗族|彝族|土家族|"
    r"满族|朝鲜族|哈萨克族|侗族|瑶族|白族|傣族|黎族|畲族|黑种人|白种人|黄种人|有色人种|黑人|白人)"
)
# Pregnancy and marriage: sex discrimination in the law's words (妇女权益保障法).
_MARITAL = (
    r"(?:已婚已育|已婚未育|未婚未育|已婚|未婚|已育|未育|离异|单身|孕妇|怀孕|孕期|哺乳期|备孕"
    r"|二胎|三胎)"
)
_DISABLED = (
    r"(?:残疾人士|残疾人|残疾|残障人士|残障人?|伤残|肢残|肢体残疾|身体残疾|聋哑人?|聋人|盲人|"
    r"智障|精神病人?|坐轮椅)"
)
_HEALTH = (
    r"(?:乙肝(?:病毒)?(?:携带者?|患者|病人|阳性)?|乙肝两对半|乙肝五项|大三阳|小三阳"
    r"|(?:传染病)?病原(?:体)?携带者?|病毒携带者?|携带者"
    r"|传染病(?:患者|病人|史)?|艾滋病?(?:患者|病人|感染者)?|hiv|肝炎(?:患者|病人)?|结核病?)"
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
        rf"{_LIMIT}{_MARITAL}",
        rf"{_NEED}(?:是|为)?{_MARITAL}",
        rf"{_MARITAL}(?:者|人员|女性|妇女|员工)?{_VERDICT}",
        r"不(?:得|能|准|可)(?:怀孕|生育|结婚)",
        rf"{_NUMBER}年内?不(?:得|能|准|可)?(?:生育|怀孕|要孩子|生孩子|结婚)",
    ),
    "ethnicity": (
        rf"{_LIMIT}{_ETHNIC}",
        rf"{_ETHNIC}{_WHO}{_VERDICT}",
        r"(?:民族|种族|肤色)(?:要求|限制|限)?(?:为|是)?(?:汉|回|藏|维|蒙|壮|苗|满|黄|白|黑)",
        r"非汉族",
    ),
    "religion": (
        rf"{_LIMIT}(?:有)?{_FAITH}",
        rf"{_FAITH}{_WHO}{_VERDICT}",
        r"(?:无|没有|不得有|不能有)宗教信仰|不(?:得|能|准|可)?信(?:教|仰宗教)",
    ),
    "disability": (
        rf"{_LIMIT}(?:有|非)?{_DISABLED}",
        rf"{_DISABLED}{_WHO}{_REFUSE}",
        rf"{_DENY}{_DISABLED}",
        r"(?:四肢|肢体|身体|五官)(?:健全|完好|无缺陷)",
    ),
    "health": (
        rf"{_LIMIT}(?:有|非)?{_HEALTH}",
        rf"{_HEALTH}{_WHO}{_REFUSE}",
        rf"{_DENY}{_HEALTH}",
        r"(?:查|检查|检测|筛查|化验|体检含?)(?:乙肝|两对半|hiv|艾滋)",
        r"(?:乙肝|hiv|艾滋病?)(?:五项|两对半)?(?:检查|检测|筛查|化验)?(?:须|需|必须|要求)?(?:为)?阴性",
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
        rf"{_NEED}(?:是|为)?(?:{_LOCAL}|{_PROVINCES})(?:省|市|地区)?(?:本地)?(?:人员|人士|人|籍|求职者)",
        # X籍: a native place (限苏州籍, 苏州籍优先), never 国籍, 学籍, 党籍, 书籍, 户籍.
        rf"{_LIMIT}[\u4e00-\u9fff]{{1,4}}?(?<![国学党书典古户入原])籍(?!贯)",
        rf"[\u4e00-\u9fff]{{1,3}}?(?<![国学党书典古户入原])籍{_WHO}{_VERDICT}",
        r"籍贯(?:要求|限制|限|必须|须|需)?(?:为|是)?"
        rf"(?:{_PROVINCES}|{_LOCAL}|{_SHORT}|[\u4e00-\u9fff]{{1,3}}?(?:省|市|县|区|人))",
    ),
    "bait": (
        r"(?<![提升])高(?:薪|工资|收入|回报)",
        # Promises: 保证录取, 包过, 稳上岗, 百分百入职 (but 包入职体检, 包过路费 are benefits).
        r"(?:保证|确保|承诺|包|保|稳|一定|百分百|百分之百|100)"
        r"(?:录取|录用|入职(?!体检|培训|费|手续)|上岗(?!培训|证)|通过|过(?![年节夜路桥境户程来去期关]))"
        r"|保录(?![音像制])",
        rf"(?:日|天|每天|每日|周)(?:结|入|赚|挣|薪|收入)(?:过|上|破|超)?{_NUMBER}?万(?:元|块)?",
        rf"(?:月入|月薪|月收入|月结|年薪|年入)(?:轻松)?(?:过|上|破|超){_NUMBER}?万(?:元|块)?",
        r"轻松(?:月入|日入|年入|赚钱?|挣钱?)|躺赚|稳赚|包赚|日进斗金",
    ),
}

# English, on the folded text (no spaces): `no women`, `only locals`, `males only`, `no HBV`.
# A match must not start or end inside a typed word (`no managers` is not `no man`).
_ENGLISH: dict[str, str] = {
    "sex": r"(?:wo)?m[ae]n|(?:fe)?males?|lad(?:y|ies)|girls?|boys?|mothers|moms|pregnant(?:women)?"
    r"|married(?:women|people)?|singles",
    "ethnicity": r"(?:black|white|asian|african)s|(?:black|white|asian)people|minorities|uyghurs",
    "religion": r"muslims?|christians?|religiouspeople|believers",
    "disability": r"disabled(?:people|persons)?|handicapped|wheelchairusers?",
    "health": r"hepatitisb?(?:carriers)?|hbv(?:carriers)?|hivpositive|hiv",
    "region": r"(?:non)?locals?(?:candidates|people|residents)?|outsiders|migrants",
}
_EN_LIMIT = r"(?<!not)(?:only|no|not|notfor|onlyfor|without|except|excluding|exclude)"
_EN_VERDICT = (
    r"(?:only|preferred|first|notwelcome|notaccepted|notallowed|neednotapply|neednapply"
    r"|pleasedonotapply|donotapply)"
)
for _reason, _ground in _ENGLISH.items():
    _PATTERNS[_reason] += (
        rf"{_EN_LIMIT}(?:{_ground})",
        rf"(?:{_ground})(?:are|is)?{_EN_VERDICT}",
    )

_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    reason: tuple(re.compile(p) for p in patterns) for reason, patterns in _PATTERNS.items()
}

# -- income claims ---------------------------------------------------------------------------------
# The most a post may promise per period, in yuan; more is bait (月入十万, 日赚五千, 年薪百万).
INCOME_BOUNDS: dict[str, int] = {
    "hour": 500,
    "day": 3000,
    "week": 20000,
    "month": 50000,
    "year": 800000,
}
_PERIODS = {"天": "day", "日": "day", "周": "week", "月": "month", "年": "year"}
# 几万, 数万: "several", read as the most it can mean.
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {
    "〇": 0,
    "两": 2,
    "几": 9,
    "数": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "k": 1000, "w": 10000, "万": 10000}
_CN_AMOUNT = "零〇一二两三四五六七八九几数十百千万"
_INCOME = re.compile(
    # Per period, not over a count of them: 每天, 日, 月 but not 10天, 3个月, 2026年.
    r"(?<![0-9零〇一二两三四五六七八九十百几数个])(?:每|一)?"
    r"(?:(?P<period>天|日|周|月|年)(?:入|薪|收入|赚|挣|结|工资|薪资|收|均)|(?P<hourly>小?时)薪)"
    r"(?:轻松|可达|能达|高达|最高|最多|至少|可以|可|能|达|到|有|超|过|破|上|约)*"
    rf"(?P<amount>[0-9{_CN_AMOUNT}]+(?:[kw](?![a-z]))?)"
)
_NUMBER_IN = re.compile(rf"\d+(?:,\d{{3}})*(?:\.\d+)?[{_CN_AMOUNT}kw]*|[{_CN_AMOUNT}kw]+")


def _chinese_number(text: str) -> float:
    """十万 → 100000, 一万五 → 15000, 三千五 → 3500, 1.5万 → 15000, 8k → 8000."""
    lead = re.match(r"\d+(?:\.\d+)?", text)
    total, section, number = 0.0, 0.0, float(lead[0]) if lead else 0.0
    last_unit = 1
    for char in text[lead.end() if lead else 0 :]:
        if char in _CN_DIGITS:
            number = _CN_DIGITS[char]
        elif _CN_UNITS.get(char, 0) >= 10000:
            total += (section + number) * _CN_UNITS[char]
            section, number, last_unit = 0.0, 0.0, _CN_UNITS[char]
        elif char in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[char]
            number, last_unit = 0.0, _CN_UNITS[char]
    # A digit after the last unit is a tenth of it: 一万五 is 15000, 三千五 is 3500.
    return total + section + (number * last_unit / 10 if last_unit > 1 else number)


def _amount(typed: str) -> float:
    """The largest amount in `typed`, as a person writes it: `5000-8000`, `1.5万`, `10,000`."""
    text = re.sub(r"\s", "", fold(typed, keep_separators=True).text)
    return max(
        (_chinese_number(m[0].replace(",", "")) for m in _NUMBER_IN.finditer(text)), default=0
    )


def _income_claims(folded: Folded, blanked: str) -> list[tuple[int, int]]:
    """The income claims above the bound of their period."""
    spans = []
    for match in _INCOME.finditer(blanked):
        period = _PERIODS[match["period"]] if match["period"] else "hour"
        if _amount(folded.source(*match.span("amount"))) > INCOME_BOUNDS[period]:
            spans.append(match.span())
    return spans


_CRITERIA = (
    r"(?:性别|男女|户籍|户口|民族|种族|地域|籍贯|宗教|信仰|地区|国籍|年龄|婚否|婚姻状况|婚育)"
)
_OPEN = r"(?:不限|均可|皆可|都可以?|都行|无要求|无限制|不做要求|不作要求|无)"
# Phrases that say the post does not restrict; blanked before the patterns run.
ALLOWED = re.compile(
    rf"{_CRITERIA}(?:要求|限制)?{_OPEN}"
    rf"|(?:不限|不要求|不限制|不看|不论|不问)(?:{_CRITERIA})(?:要求|限制)?"
    rf"|(?:无|没有)(?:{_CRITERIA})(?:要求|限制)"
    r"|男女(?:工|生|性)?(?:均可|皆可|都可以?|都行|不限|老少)"
    rf"|(?:欢迎|不歧视|鼓励|支持)(?:{_SEX}|{_ETHNIC}|{_LOCAL}|{_DISABLED}|{_HEALTH}|{_MARITAL}|{_FAITH})"
)


def _blank(folded: str, phrases: Iterable[str]) -> str:
    """Replace allowed phrases by filler of the same length (positions must not move)."""
    text = ALLOWED.sub(lambda m: _FILLER * len(m[0]), folded)
    for phrase in sorted((fold(p).text for p in phrases), key=len, reverse=True):
        if phrase:
            text = text.replace(phrase, _FILLER * len(phrase))
    return text


def _latin(char: str) -> bool:
    return "a" <= char <= "z"


def _whole_words(folded: Folded, start: int, end: int) -> bool:
    """False when a match starts or ends inside a typed Latin word (`no managers` ≠ `no man`).

    The folded text has no spaces, so this asks the original: two letters are one word when
    nothing stood between them there.
    """
    text = folded.text

    def joined(left: int, right: int) -> bool:
        return (
            _latin(text[left]) and _latin(text[right]) and folded.starts[right] <= folded.ends[left]
        )

    return not (start > 0 and joined(start - 1, start)) and not (
        end < len(text) and joined(end - 1, end)
    )


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
        spans = [
            m.span()
            for p in _COMPILED[reason]
            for m in p.finditer(blanked)
            if m[0] and _whole_words(folded, *m.span())
        ]
        if reason == "bait":
            spans += _income_claims(folded, blanked)
        for word in (extra_words or {}).get(reason, ()):
            needle = fold(word).text
            start = blanked.find(needle) if needle else -1
            while start >= 0:
                spans.append((start, start + len(needle)))
                start = blanked.find(needle, start + 1)
        fresh = [
            (s, e) for s, e in merge_spans(spans) if not any(a <= s and e <= b for a, b in claimed)
        ]
        claimed += fresh
        words = [folded.source(s, e).strip() for s, e in fresh]
        if words:
            found[reason] = list(dict.fromkeys(words))
    return found
