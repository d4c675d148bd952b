"""Keyword inference of category, kind and urgency."""

from __future__ import annotations

from bot.domain import taxonomy as tx


def test_category_by_earliest_keyword() -> None:
    kw = tx.DEFAULT_CATEGORY_KEYWORDS
    assert tx.infer_category("厂区停电了", kw) == "utilities"
    assert tx.infer_category("想申请贷款，顺便问下停电补偿", kw) == "finance"
    assert tx.infer_category("随便说说", kw) == "other"


def test_kind_and_urgency() -> None:
    assert tx.infer_kind("请问补贴怎么申报？", tx.DEFAULT_KIND_KEYWORDS) == "question"
    assert tx.infer_kind("我要投诉噪音", tx.DEFAULT_KIND_KEYWORDS) == "complaint"
    assert tx.infer_kind("厂区停电", tx.DEFAULT_KIND_KEYWORDS) == "help"
    assert tx.infer_urgency("厂区停电", tx.DEFAULT_URGENT_KEYWORDS) == "urgent"
    assert tx.infer_urgency("补贴没到账", tx.DEFAULT_URGENT_KEYWORDS) == "normal"
