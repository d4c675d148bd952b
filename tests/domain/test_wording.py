"""The job-post wording check against a corpus of realistic phrasings, refused and allowed.

The refused lines are the ways employers actually write a restriction (and the ways the
adversarial pass got around the old word list: spaces, full-width letters, zero-width
characters, traditional characters, separators, synonyms). The allowed lines are ordinary
posts that mention the same words without restricting, and must pass.
"""

from __future__ import annotations

import pytest

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
