"""The one-line /job form and the wording check: property-based over numbers, ranges, units,
full-width punctuation and Chinese text; specific refusals and no false positives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Settings
from bot.domain import numbers
from bot.domain import recruiting_form as job_form
from bot.domain.recruiting import (
    DEFAULT_ALLOWED_PHRASES,
    DEFAULT_BANNED_WORDS,
    JobRules,
    WordingRefused,
    offending_words,
    validate,
)
from bot.errors import BadNumber, InvalidInput

RULES = JobRules(
    validity_choices=(7, 15, 30, 60, 90),
    max_validity_days=90,
    shifts=("长白班", "两班倒"),
    banned_words=DEFAULT_BANNED_WORDS,
    allowed_phrases=DEFAULT_ALLOWED_PHRASES,
)
FULL = str.maketrans("0123456789-~", "０１２３４５６７８９－～")
# Chinese text without the form's own separators.
chinese = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=30
)
units = st.sampled_from(
    [
        ("元/月", "month"),
        ("元/天", "day"),
        ("元/小时", "hour"),
        ("/month", "month"),
        ("每小时", "hour"),
        ("元／月", "month"),
        ("", None),
    ]
)


def line(fields: list[tuple[str, str]], *, wide: bool) -> str:
    sep, eq = ("；", "＝") if wide else (";", "=")
    return sep.join(f"{name}{eq}{value}" for name, value in fields)


@given(
    position=chinese,
    content=chinese,
    headcount=st.integers(1, 9999),
    low=st.integers(1, 50000),
    extra=st.integers(0, 50000),
    unit=units,
    wide=st.booleans(),
    english=st.booleans(),
    width_digits=st.booleans(),
)
def test_form_round_trips(
    position: str,
    content: str,
    headcount: int,
    low: int,
    extra: int,
    unit: tuple[str, str | None],
    wide: bool,
    english: bool,
    width_digits: bool,
) -> None:
    high = low + extra
    pay = f"{low}-{high}{unit[0]}" if extra else f"{low}{unit[0]}"
    count = str(headcount)
    if width_digits:
        pay, count = pay.translate(FULL), count.translate(FULL)
    names = (
        ("position", "headcount", "pay", "content") if english else ("岗位", "人数", "薪资", "内容")
    )
    raw = job_form.parse_form(
        line(list(zip(names, (position, count, pay, content), strict=True)), wide=wide)
    )
    data = job_form.form_values(raw)
    assert data["position"] == position
    assert data["content"] == content
    assert data["headcount"] == headcount
    assert (data["pay_min"], data["pay_max"]) == (low, high)
    assert data.get("pay_unit") == unit[1]


@given(low=st.integers(1, 999), high=st.integers(1, 999), mult=st.sampled_from(["k", "千", "万"]))
def test_pay_multipliers(low: int, high: int, mult: str) -> None:
    factor = 10000 if mult == "万" else 1000
    assert job_form.parse_pay(f"{low}{mult}~{high}{mult}")[:2] == (low * factor, high * factor)


def test_continuation_and_errors() -> None:
    raw = job_form.parse_form("岗位：焊工；要求=持证上岗；能吃苦；时间：8:00-17:00\n地点=二号厂房")
    assert raw["requirements"] == "持证上岗；能吃苦；时间：8:00-17:00"
    assert raw["location"] == "二号厂房"
    with pytest.raises(InvalidInput) as caught:
        job_form.parse_form("岗为=普工")
    assert caught.value.key == "jobs.err_unknown_field"
    with pytest.raises(InvalidInput) as caught:
        job_form.parse_form("岗位=普工；岗位=焊工")
    assert caught.value.key == "jobs.err_duplicate_field"
    with pytest.raises(InvalidInput) as caught:
        job_form.parse_pay("面议")
    assert caught.value.key == "jobs.err_pay_format"


def complete(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "position": "普工",
        "headcount": 10,
        "pay_min": 5000,
        "pay_max": 7000,
        "pay_unit": "month",
        "requirements": "18-45岁，性别不限，不限户籍",
        "content": "装配",
        "location": "二号厂房",
        "validity": 30,
        "contact": "王先生 13800000000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"headcount": 0}, "jobs.err_headcount"),
        ({"pay_min": 8000}, "jobs.err_pay_order"),
        ({"validity": 91}, "jobs.err_validity"),
        ({"contact": "  "}, "jobs.err_missing"),
        ({"contact": ""}, "jobs.err_missing"),
        ({"pay_unit": "week"}, "jobs.err_pay_unit"),
    ],
)
def test_validation_messages_are_specific(overrides: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate(complete(**overrides), RULES)
    assert caught.value.key in (key, "jobs.err_empty")
    if key != "jobs.err_missing":
        assert caught.value.key == key


def test_valid_post_passes_and_allowed_phrases_are_not_refused() -> None:
    fields = validate(complete(), RULES)
    assert fields.headcount == 10 and fields.validity_days == 30
    for text in ("性别：男女不限", "性别不限", "不限户籍", "男女均可，民族不限，地域不限"):
        assert offending_words(text, RULES) == {}, text


@pytest.mark.parametrize(
    ("text", "reason", "word"),
    [
        ("仅限男性，身体健康", "sex", "仅限男"),
        ("限本地户籍", "household", "本地户籍"),
        ("高薪诚聘普工", "bait", "高薪"),
        ("入职保录", "bait", "保录"),
        ("限汉族", "ethnicity", "限汉族"),
        ("外地人勿扰", "region", "外地人勿扰"),
        ("穆斯林勿扰", "religion", "穆斯林勿扰"),
    ],
)
def test_wording_refusal_names_reason_and_word(text: str, reason: str, word: str) -> None:
    with pytest.raises(WordingRefused) as caught:
        validate(complete(requirements=text), RULES)
    assert reason in caught.value.found
    assert word in caught.value.params["words"]


def test_default_config_words_match_the_domain_defaults() -> None:
    words = Settings().jobs.words
    assert words.sex == list(DEFAULT_BANNED_WORDS["sex"]) == []  # the patterns are built in
    assert words.allowed == list(DEFAULT_ALLOWED_PHRASES)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("10", numbers.HEADCOUNT, 10),
        ("１０人", numbers.HEADCOUNT, 10),
        ("10 名", numbers.HEADCOUNT, 10),
        ("30天", numbers.VALIDITY_DAYS, 30),
        ("30 days", numbers.VALIDITY_DAYS, 30),
        ("３０ｄａｙｓ", numbers.VALIDITY_DAYS, 30),
    ],
)
def test_counts_are_read_by_the_one_number_parser(
    text: str, kind: numbers.NumberKind, value: int
) -> None:
    assert job_form.parse_count(text, kind) == value


@pytest.mark.parametrize("text", ["②", "²人", "١٠", "十人", "1.5", "30天天", "人"])
def test_a_count_in_other_digits_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(BadNumber):
        job_form.parse_count(text, numbers.HEADCOUNT)
    with pytest.raises(BadNumber) as caught:
        job_form.form_values(job_form.parse_form(f"岗位=普工；人数={text}"))
    assert caught.value.params["what"] is numbers.HEADCOUNT
