"""Ticket kinds, categories, urgency and ratings, with keyword inference.

Codes are stable ASCII identifiers stored in the database; the Chinese and English labels live in
the locale catalogs under `category.<code>`, `kind.<code>` and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

KINDS: tuple[str, ...] = ("question", "help", "complaint", "suggestion")  # 咨询 求助 投诉 建议
CATEGORIES: tuple[str, ...] = (
    "finance",  # 融资
    "labor",  # 用工
    "utilities",  # 要素保障(水电气暖)
    "land",  # 用地/厂房
    "approval",  # 审批手续
    "policy",  # 政策咨询/兑现
    "logistics",  # 物流交通
    "safety",  # 安全生产
    "environment",  # 环保
    "market",  # 市场监管/法律
    "amenities",  # 园区配套
    "other",  # 其他
)
SOLVED_RATINGS: tuple[str, ...] = ("solved", "partly", "unsolved")  # 已解决 部分解决 未解决
SATISFACTION_RATINGS: tuple[str, ...] = (
    "satisfied",
    "basic",
    "dissatisfied",
)  # 满意 基本满意 不满意
UNRATED = "unrated"  # 未评价: auto-closed without an answer; not counted as satisfied
SOLVED = "solved"  # 已解决: the 解决率 numerator
PARTLY = "partly"  # 部分解决: shown apart
STRICTLY_SATISFIED = "satisfied"  # 满意: the strict 满意率
# 满意率 counts 满意 and 基本满意 (domain.md); 不满意 and 未评价 are not satisfied.
SATISFIED: frozenset[str] = frozenset({"satisfied", "basic"})

DEFAULT_CATEGORY_KEYWORDS: dict[str, list[str]] = {
    "finance": ["贷款", "融资", "资金", "银行", "担保", "loan", "financing"],
    "labor": ["招工", "用工", "招聘", "工人", "社保", "hiring", "workers"],
    "utilities": [
        "停电",
        "断电",
        "停水",
        "供电",
        "用电",
        "供水",
        "燃气",
        "供气",
        "供暖",
        "电压",
        "power",
        "water",
        "gas",
        "outage",
    ],
    "land": ["用地", "厂房", "土地", "租赁", "land", "plant"],
    "approval": ["审批", "手续", "许可", "证照", "备案", "permit", "license"],
    "policy": ["政策", "补贴", "奖励", "兑现", "申报", "policy", "subsidy"],
    "logistics": ["物流", "交通", "道路", "货车", "运输", "logistics", "road"],
    "safety": ["安全", "消防", "隐患", "事故", "safety", "fire"],
    "environment": ["环保", "排污", "污水", "环评", "废气", "environment", "pollution"],
    "market": ["市场监管", "法律", "纠纷", "合同", "商标", "legal", "contract"],
    "amenities": ["食堂", "宿舍", "班车", "网络", "配套", "canteen", "dormitory"],
}
DEFAULT_KIND_KEYWORDS: dict[str, list[str]] = {
    "question": ["咨询", "请问", "怎么", "如何", "是否", "?", "？", "how", "what"],
    "complaint": ["投诉", "不满", "举报", "complain"],
    "suggestion": ["建议", "希望", "suggest"],
}
DEFAULT_URGENT_KEYWORDS: list[str] = [
    "紧急",
    "急",
    "停电",
    "断电",
    "停水",
    "火灾",
    "事故",
    "泄漏",
    "urgent",
    "emergency",
]


def infer_category(text: str, keywords: Mapping[str, Sequence[str]]) -> str:
    """Pick the category whose keywords occur earliest in the text; `other` if none match."""
    lowered = text.lower()
    best: tuple[int, int] | None = None
    chosen = "other"
    for order, code in enumerate(CATEGORIES):
        for word in keywords.get(code, ()):
            position = lowered.find(word.lower())
            if position >= 0 and (best is None or (position, order) < best):
                best, chosen = (position, order), code
    return chosen


def infer_kind(text: str, keywords: Mapping[str, Sequence[str]]) -> str:
    """Pick complaint, suggestion or question by keywords; a request for help by default."""
    lowered = text.lower()
    for code in ("complaint", "suggestion", "question"):
        if any(word.lower() in lowered for word in keywords.get(code, ())):
            return code
    return "help"


def infer_urgency(text: str, urgent_words: Sequence[str]) -> str:
    """Mark emergencies (power or water cut, safety) as urgent; everything else normal."""
    lowered = text.lower()
    return "urgent" if any(word.lower() in lowered for word in urgent_words) else "normal"
