"""The 龙虎榜 rules of domain.md "Clarifications" on figures given directly (no database): ties
share a rank and are shown as 并列, the lists extend to ties at their last place, the yellow list
is worst first and never repeats a red cadre, named items are ordered worst first and capped, and
a 1,000-cadre park still gets a post of a few messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from matplotlib.figure import Figure

from bot.delivery.outbox import split_text
from bot.domain.figures import OpenIssue
from bot.i18n import Translator
from bot.render.airing import Style, airing_text, week_label
from bot.render.chart import _bars, _draw_bars, render_chart
from bot.services.airing import Board, NamedIssue, Standing, rank, worst_first
from bot.services.metrics import CadreMetrics, Metrics, Rate, WeekMetrics, parse_week
from tests.story import TZ, park

ZH = Translator("zh_CN")
W47 = parse_week("2026-W47", TZ)
STYLE = Style(park="测试园区", tz=TZ)


def figures(score: float | None, sample: int = 5, *, rated: int = 5) -> Metrics:
    """A cadre's figures with the given score (the rates are what a score of `score` needs)."""
    pct = int(score or 0)
    return Metrics(
        received=sample,
        response=Rate(sample, sample),
        closure=Rate(sample, sample),
        closure_ytd=Rate(sample, sample),
        on_time=Rate(sample, sample),
        solved=Rate(pct * rated // 100, rated),
        partly=Rate(0, rated),
        satisfaction=Rate(pct * rated // 100, rated),
        strict_satisfaction=Rate(0, rated),
        unrated=0,
        reopen=Rate(0, sample),
        overdue=0,
        avg_days=1.0,
        score=score,
        sample=sample,
    )


def cadres(scores: dict[str, float | None], sample: int = 5) -> list[CadreMetrics]:
    return [CadreMetrics(i, name, figures(s, sample)) for i, (name, s) in enumerate(scores.items())]


def board(scores: dict[str, float | None], issues: list[NamedIssue] | None = None) -> Board:
    ranked, insufficient, unscored = rank(cadres(scores), 2)
    places = [p for p, _ in ranked]
    standings = [Standing(c, p, None, tied=places.count(p) > 1) for p, c in ranked]
    week = WeekMetrics(W47, park(23, 9), figures(80.0), [c for _, c in ranked])
    return Board(W47, week, standings, insufficient, unscored, issues or [])


def names(standings: list[Standing]) -> list[tuple[int, str]]:
    return [(s.rank, s.cadre.name) for s in standings]


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    b = board({"甲": 90.0, "乙": 52.5, "丙": 52.5, "丁": 40.0, "戊": 30.0, "己": 20.0, "庚": 10.0})
    assert names(b.ranked)[:4] == [(1, "甲"), (2, "丙"), (2, "乙"), (4, "丁")]
    assert [s.tied for s in b.ranked[:4]] == [False, True, True, False]
    text = airing_text(b, ZH, STYLE)
    assert "2. 并列 <b>乙</b> 52.5 分 新上榜" in text and "4. <b>丁</b> 40.0 分" in text


def test_a_list_extends_to_everyone_tied_at_its_last_place() -> None:
    # The issue's case: four cadres at 52.5 on top, two at 35.0 at the bottom.
    b = board(
        {"甲": 52.5, "乙": 52.5, "丙": 52.5, "丁": 52.5, "戊": 50.0, "己": 35.0, "庚": 35.0}
        | {"辛": 60.0, "壬": 20.0}
    )
    assert names(b.red) == [(1, "辛"), (2, "丁"), (2, "丙"), (2, "乙"), (2, "甲")]
    # Worst first; 己 and 庚 share rank 7 at the list's last place: both are on it.
    assert names(b.yellow) == [(9, "壬"), (7, "己"), (7, "庚")]


def test_nobody_is_on_both_lists_with_few_cadres() -> None:
    b = board({"甲": 90.0, "乙": 80.0, "丙": 70.0, "丁": 60.0})
    assert names(b.red) == [(1, "甲"), (2, "乙"), (3, "丙")]
    assert names(b.yellow) == [(4, "丁")]
    b = board({"甲": 90.0, "乙": 80.0})
    assert names(b.red) == [(1, "甲"), (2, "乙")] and b.yellow == []
    b = board({"甲": 50.0, "乙": 50.0, "丙": 50.0, "丁": 50.0, "戊": 50.0})
    assert len(b.red) == 5 and b.yellow == []  # all tied first: nobody is last


def test_small_samples_are_listed_apart_with_their_count() -> None:
    scored = cadres({"甲": 90.0, "乙": 80.0})
    few = [CadreMetrics(7, "辛", figures(100.0, 1)), CadreMetrics(8, "壬", figures(None, 0))]
    none_rated = [CadreMetrics(9, "癸", figures(None, 3))]
    ranked, insufficient, unscored = rank(scored + few + none_rated, 2)
    assert [c.name for _, c in ranked] == ["甲", "乙"]
    assert [c.name for c in insufficient] == ["辛", "壬"]
    assert [c.name for c in unscored] == ["癸"]
    week = WeekMetrics(W47, park(23, 9), figures(80.0), scored)
    b = Board(W47, week, [Standing(c, p, None) for p, c in ranked], insufficient, unscored)
    text = airing_text(b, ZH, STYLE)
    assert "<b>样本不足</b>（本周少于 2 件，不排名）：辛 1 件、壬 0 件" in text
    assert "<b>暂无可计分数据</b>（不排名）：癸 3 件" in text


def test_a_score_with_a_component_left_out_says_so() -> None:
    unrated = replace(
        figures(100.0),
        solved=Rate(0, 0),
        satisfaction=Rate(0, 0),
        omitted=("solved", "satisfaction"),
    )
    b = board({"甲": 90.0})
    b.ranked[0] = Standing(CadreMetrics(0, "甲", unrated), 1, 0)
    text = airing_text(b, ZH, STYLE)
    assert "    响应 100.0% · 解决 — · 满意 —（得分未计解决、满意）" in text


def test_the_week_is_written_as_people_write_it() -> None:
    assert week_label(parse_week("2026-W49", TZ), ZH) == "第49周（11月30日—12月6日）"
    assert week_label(parse_week("2026-W53", TZ), ZH) == "第53周（12月28日—1月3日）"


def issue(ticket_id: int, level: int, overdue_days: int | None) -> NamedIssue:
    created = park(2) + timedelta(hours=ticket_id)
    deadline = park(30) if overdue_days is None else park(20)
    item = OpenIssue(
        ticket_id, 1, "陈志远", f"企业{ticket_id}", "utilities", "停电", created, deadline, level
    )
    return NamedIssue(item, overdue_days)


def test_named_items_worst_first_and_capped() -> None:
    items = [
        issue(1, 0, 2),
        issue(2, 1, None),
        issue(3, 0, 9),
        issue(4, 2, 1),
        issue(5, 1, 4),
        issue(6, 0, 0),
    ]
    items.sort(key=worst_first)
    assert [i.issue.ticket_id for i in items] == [4, 5, 2, 3, 1, 6]
    b = board({"甲": 90.0}, items)
    text = airing_text(b, ZH, Style(park="园区", tz=TZ, named_items=3))
    lines = text.split("\n")
    start = lines.index("<b>超期和督办工单</b>（共 6 件，督办级别高、超期久的在前）")
    assert lines[start + 1 : start + 5] == [
        "#4 🔶督办2级 企业4：要素保障（水电气暖） · 超期 1 个工作日 · 陈志远",
        "#5 🔶督办1级 企业5：要素保障（水电气暖） · 超期 4 个工作日 · 陈志远",
        "#2 🔶督办1级 企业2：要素保障（水电气暖） · 未超期 · 陈志远",
        "另有 3 件，详见问题台账",
    ]


def test_a_thousand_cadres_fit_in_a_few_messages() -> None:
    scores: dict[str, float | None] = {f"干部{i:04d}": round(i / 10, 1) for i in range(1000)}
    items = [issue(i, i % 3, i % 17) for i in range(1, 5000)]
    b = board(scores, sorted(items, key=worst_first))
    text = airing_text(b, ZH, STYLE)
    parts = split_text(text)
    assert len(parts) <= 2, [len(p) for p in parts]
    assert "其余 994 名干部的得分和各项指标见问题台账（/export）。" in text
    assert "另有 4979 件，详见问题台账" in text
    # The chart shows the two lists and counts the rest, each bar labelled with its list.
    rows = _bars(b, ZH)
    top = ["红榜 1. 干部0999", "红榜 2. 干部0998", "红榜 3. 干部0997"]
    assert [label for label, _, _ in rows][:3] == top
    assert rows[3][0] == "…… 其余 994 名 ……" and rows[3][1] is None
    assert rows[-1][0] == "黄榜 1000. 干部0000" and rows[-1][1] == 0.0
    assert render_chart(b, ZH).png.startswith(b"\x89PNG")


def test_chart_names_the_lists_and_keeps_a_zero_bar_visible() -> None:
    b = board({"甲": 90.0, "乙": 52.5, "丙": 52.5, "丁": 40.0, "戊": 0.0})
    rows = _bars(b, ZH)
    assert [label for label, _, _ in rows] == [
        "红榜 1. 甲",
        "红榜 2. 丙（并列）",
        "红榜 2. 乙（并列）",
        "黄榜 4. 丁",
        "黄榜 5. 戊",
    ]
    figure = Figure()
    axes = figure.add_subplot()
    _draw_bars(axes, b, ZH, {})
    widths = [patch.get_width() for patch in axes.patches]
    assert widths[-1] > 0 and widths[:2] == [90.0, 52.5]  # 戊's 0.0 still shows a bar
    legend = axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["红榜（先进）", "黄榜（后进）"]


def test_a_big_tie_is_one_group_in_the_text_and_one_bar_in_the_chart() -> None:
    # As at 1,000 cadres: hundreds share the last place, and every one of them is on the list.
    scores: dict[str, float | None] = {f"干部{i:04d}": 0.0 for i in range(300)}
    scores |= {"甲": 90.0, "乙": 80.0, "丙": 70.0, "丁": 60.0}
    b = board(scores)
    assert len(b.yellow) == 300 and {s.rank for s in b.yellow} == {5}
    text = airing_text(b, ZH, STYLE)
    names = "、".join(f"干部{i:04d}" for i in range(300))
    assert f"5. 并列 300 人，均为 0.0 分：{names}" in text.split("\n")
    assert len(split_text(text)) <= 2
    assert [label for label, _, _ in _bars(b, ZH)] == [
        "红榜 1. 甲",
        "红榜 2. 乙",
        "红榜 3. 丙",
        "…… 其余 1 名 ……",  # 丁, between the lists
        "黄榜 5. 并列 300 人",
    ]
