"""The job-post wording check against a corpus of realistic phrasings, refused and allowed.

The refused lines are the ways employers actually write a restriction (and the ways the
adversarial passes got around the old word lists: spaces, full-width and mathematical letters,
Kangxi radicals, zero-width characters, traditional characters, separators, synonyms, grounds
the list did not name). The allowed lines are ordinary posts that mention the same words
without restricting, and must pass. A property: spelling a refused line differently (spaces,
invisible characters, full-width or bold letters between and for its characters) never lets
it through.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import wording
from bot.domain.textnorm import fold

# (text as typed, reason, the phrase the refusal must name, in the typed spelling)
REFUSED: list[tuple[str, str, str]] = [
    ("仅限男性，身体健康", "sex", "仅限男性"),
    ("限 男", "sex", "限 男"),
    ("限\u200b男", "sex", "限\u200b男"),
    ("限.男.性", "sex", "限.男.性"),
    ("限-男", "sex", "限-男"),
    ("僅限男性", "sex", "僅限男性"),
    ("只招女工，手脚麻利", "sex", "只招女工"),
    ("急招女工20名", "sex", "急招女工"),
    ("招男5名，搬运", "sex", "招男"),
    ("女士优先", "sex", "女士优先"),
    ("男 性 优 先", "sex", "男 性 优 先"),
    ("男性員工優先", "sex", "男性員工優先"),
    ("性别：男", "sex", "性别：男"),
    ("性別：女", "sex", "性別：女"),
    ("要求女性，形象好", "sex", "要求女性"),
    ("美女优先，底薪加提成", "sex", "美女优先"),
    ("女性勿扰", "sex", "女性勿扰"),
    ("不要女的", "sex", "不要女的"),
    ("已婚已育优先", "sex", "已婚已育优先"),
    ("两年内不得怀孕", "sex", "两年内不得怀孕"),
    ("Male only", "sex", "Male only"),
    ("ｍａｌｅ ｏｎｌｙ", "sex", "ｍａｌｅ ｏｎｌｙ"),
    ("限汉族", "ethnicity", "限汉族"),
    ("只招漢族", "ethnicity", "只招漢族"),
    ("少数民族勿扰", "ethnicity", "少数民族勿扰"),
    ("民族：汉", "ethnicity", "民族：汉"),
    ("维族 免谈", "ethnicity", "维族 免谈"),
    ("穆斯林勿扰", "religion", "穆斯林勿扰"),
    ("无宗教信仰", "religion", "无宗教信仰"),
    ("信教者勿扰", "religion", "信教者勿扰"),
    ("限本地户籍", "household", "限本地户籍"),
    ("需本市户口", "household", "本市户口"),
    ("本地戶口", "household", "本地戶口"),
    ("江苏户籍优先", "household", "江苏户籍优先"),
    ("户籍要求：南通", "household", "户籍要求"),
    ("农村户口", "household", "农村户口"),
    ("限本地人", "region", "限本地人"),
    ("本地人优先", "region", "本地人优先"),
    ("外地人勿扰", "region", "外地人勿扰"),
    ("河南人勿扰", "region", "河南人勿扰"),
    ("不招新疆人", "region", "不招新疆人"),
    ("东北人免谈", "region", "东北人免谈"),
    ("豫籍优先", "region", "豫籍优先"),
    ("仅限海门本地人", "region", "仅限海门本地人"),
    ("本地优先", "region", "本地优先"),
    ("海门人勿扰", "region", "海门人勿扰"),
    ("高薪诚聘普工", "bait", "高薪"),
    ("高 薪", "bait", "高 薪"),
    ("入职保录", "bait", "保录"),
    ("包录用", "bait", "包录用"),
    ("日结万元", "bait", "日结万元"),
    ("日入过万", "bait", "日入过万"),
    ("轻松月入过万", "bait", "轻松月入过万"),
    ("月薪上万", "bait", "月薪上万"),
    ("躺赚", "bait", "躺赚"),
    ("招收女工", "sex", "招收女工"),
    ("招工：男性", "sex", "招工：男性"),
    ("仅限江浙沪", "region", "仅限江浙沪"),
    ("湖南籍优先", "region", "湖南籍优先"),
    ("上海本地人优先", "region", "上海本地人优先"),
    ("月结过万", "bait", "月结过万"),
    # Frames over every ground, not phrases: a need and a person, a limit and a place of origin,
    # pregnancy, disability, health, race, promises and incomes past a sane bound.
    ("只要女的，手脚麻利", "sex", "只要女的"),
    ("要女的，形象好", "sex", "要女的"),
    ("限无锡籍", "region", "限无锡籍"),
    ("仅招温州籍员工", "region", "仅招温州籍"),
    ("无锡籍优先", "region", "无锡籍优先"),
    ("籍贯：河南", "region", "籍贯：河南"),
    ("要本地人", "region", "要本地人"),
    ("谢绝孕妇", "sex", "谢绝孕妇"),
    ("孕妇勿扰", "sex", "孕妇勿扰"),
    ("要求已婚已育", "sex", "要求已婚已育"),
    ("单身者优先", "sex", "单身者优先"),
    ("不招残疾人", "disability", "不招残疾人"),
    ("残障人士勿扰", "disability", "残障人士勿扰"),
    ("身体健康，无残疾", "disability", "无残疾"),
    ("四肢健全，能吃苦", "disability", "四肢健全"),
    ("乙肝携带者免谈", "health", "乙肝携带者免谈"),
    ("非乙肝", "health", "非乙肝"),
    ("无传染病史", "health", "无传染病史"),
    ("入职体检需查两对半", "health", "查两对半"),
    ("乙肝检测须为阴性", "health", "乙肝检测须为阴性"),
    ("不招黑人", "ethnicity", "不招黑人"),
    ("种族：白", "ethnicity", "种族：白"),
    ("保证入职", "bait", "保证入职"),
    ("稳过，包通过", "bait", "稳过，包通过"),
    ("培训包过", "bait", "包过"),
    ("月入二十万", "bait", "月入二十万"),
    ("每天收入八千", "bait", "每天收入八千"),
    ("日赚5000元", "bait", "日赚5000"),
    ("年薪两百万", "bait", "年薪两百万"),
    ("月薪8-12万", "bait", "月薪8-12万"),
    ("时薪1000元", "bait", "时薪1000"),
    # English frames, in any letters.
    ("No women", "sex", "No women"),
    ("𝐍𝐨 𝐰𝐨𝐦𝐞𝐧 please", "sex", "𝐍𝐨 𝐰𝐨𝐦𝐞𝐧"),
    ("n\u043e women", "sex", "n\u043e women"),  # a Cyrillic о
    ("𝐎𝐧𝐥𝐲 𝐦𝐞𝐧", "sex", "𝐎𝐧𝐥𝐲 𝐦𝐞𝐧"),
    ("Women need not apply", "sex", "Women need not apply"),
    ("Locals preferred", "region", "Locals preferred"),
    ("No HBV carriers", "health", "No HBV carriers"),
    ("no disabled", "disability", "no disabled"),
    ("Muslims not welcome", "religion", "Muslims not welcome"),
    # Lookalike characters: Kangxi radicals and circled ideographs are the characters.
    ("限⼥", "sex", "限⼥"),
    ("只招⼥⼯", "sex", "只招⼥⼯"),
    ("限㊚", "sex", "限㊚"),
]

ALLOWED: list[str] = [
    "性别不限",
    "男女不限",
    "性别：男女不限",
    "不限户籍",
    "户籍不限",
    "男女均可，民族不限，地域不限",
    "性 别 不 限",
    "性別不限，戶籍不限",
    "户口不限，年龄18-45周岁",
    "不要求户籍",
    "男女普工若干名，身体健康，能吃苦耐劳",
    "名额有限，男工女工都要",
    "提供男女宿舍，夫妻房",
    "员工子女优先入读园区幼儿园",
    "每年提高薪资待遇",
    "女装店导购，有经验者优先",
    "招聘服装导购，熟悉女装搭配",
    "只要踏实肯干的人都可以来",
    "有叉车证者优先",
    "本地有住房者可不住宿",
    "做过超市的优先",
    "中介勿扰",
    "中介人员勿扰",
    "联系人：王女士 13800000000",
    "工作地点：海门市临江新区",
    "包吃包住，月休4天，满勤奖200元",
    "日结300元，当天发放",
    "年龄不限，有无经验均可",
    "欢迎女性应聘",
    "欢迎少数民族员工",
    "提供清真餐",
    "需提供户口本复印件",
    "不仅女性，男性也欢迎",
    "缴纳五险一金，带薪年假，婚假产假",
    "客户以本地企业为主",
    "限时招聘，满员即止",
    "学历不限，男女不限，年龄55岁以下",
    "Men and women welcome",
    "信仰不限",
    "籍贯不限",
    "男生宿舍4人间，女生宿舍2人间",
    "月薪8000-12000元",
    "保底5000+提成，高温补贴",
    "高中及以上学历，高级技工优先",
    "招工男女不限",
    "欢迎残疾人应聘",
    "残疾人优先，提供无障碍设施",
    "不歧视乙肝携带者",
    "提供住宿",
    "要求持有叉车证",
    "月薪5000-8000元",
    "月薪1万-1.5万",
    "年薪30-50万",
    "日薪300元，12小时两班倒",
    "时薪25元",
    "10天工资5000元，做满结清",
    "每月10号发工资",
    "包入职体检费用",
    "包过路费油费",
    "过年包往返车票",
    "持健康证上岗",
    "需提供籍贯证明材料",
    "国籍不限",
    "主要负责女装店陈列",
    "重要客户接待",
    "No managers required",
    "phenomenal team, men and women welcome",
    "Not only women but men too",
    "种族不限",
]


@pytest.mark.parametrize(("text", "reason", "word"), REFUSED)
def test_restrictions_and_bait_are_refused_naming_the_typed_words(
    text: str, reason: str, word: str
) -> None:
    found = wording.find(text)
    assert reason in found, (text, found)
    assert word in found[reason], (text, found)


@pytest.mark.parametrize("text", ALLOWED)
def test_posts_that_do_not_restrict_pass(text: str) -> None:
    assert wording.find(text) == {}


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(REFUSED) >= 40 and len(ALLOWED) >= 30
    assert {reason for _, reason, _ in REFUSED} == set(wording.REASONS)


def test_a_restriction_next_to_an_allowed_phrase_is_still_refused() -> None:
    found = wording.find("性别不限，限本地户籍，男性优先")
    assert found == {"sex": ["男性优先"], "household": ["限本地户籍"]}


def test_lines_are_fields_and_never_join_into_a_match() -> None:
    assert wording.find("名额有限\n男工20名") == {}
    assert wording.find("限男") != {}


def test_configured_words_and_allowed_phrases_add_to_the_patterns() -> None:
    extra = {"region": ["临江人"]}
    assert wording.find("临 江 人优先", extra_words=extra) == {"region": ["临 江 人"]}
    assert wording.find("男士优先", extra_allowed=["男士优先"]) == {}


def test_fold_keeps_the_way_back_to_the_typed_spelling() -> None:
    folded = fold("限\u200b Ｍ男，僅")
    assert folded.text == "限m男仅"
    assert folded.source(0, 3) == "限\u200b Ｍ男"
    assert folded.source(3, 4) == "僅"


_INVISIBLE = ("", " ", "\u3000", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


def _fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


def _bold(char: str) -> str:
    if "a" <= char <= "z":
        return chr(0x1D41A + ord(char) - ord("a"))
    if "A" <= char <= "Z":
        return chr(0x1D400 + ord(char) - ord("A"))
    return char


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(REFUSED),
    fillers=st.lists(st.sampled_from(_INVISIBLE), min_size=1, max_size=40),
    forms=st.lists(st.sampled_from((str, _fullwidth, _bold)), min_size=1, max_size=40),
)
def test_a_refused_line_stays_refused_however_it_is_spelled(
    case: tuple[str, str, str], fillers: list[str], forms: list[Callable[[str], str]]
) -> None:
    text, reason, _ = case
    spelled = "".join(
        forms[i % len(forms)](char) + fillers[i % len(fillers)] for i, char in enumerate(text)
    )
    assert reason in wording.find(spelled), (text, spelled, wording.find(spelled))
