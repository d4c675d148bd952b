"""The daily brief: a dated title, each ticket once under its most urgent heading, days in
working days as the deadlines count them, and no message when there is nothing to report."""

from __future__ import annotations

from bot.clock import FixedClock
from bot.i18n import Translator
from bot.render.deadlines import brief as render_brief
from storage.db import Database
from tests.story import LEADER, Story, park


async def test_each_ticket_once_under_its_most_urgent_heading_in_working_days(
    db: Database, clock: FixedClock
) -> None:
    story = await Story.open(db, clock, cadres=["陈志远", "王晓峰"])
    # Due Mon 23 Nov 18:00 (5 working days); supervised, and overdue too: listed as 督办 only.
    supervised = story.report("陈志远", park(16, 9)).claim(park(16, 10)).supervise(park(24))
    overdue = story.report("王晓峰", park(16, 9), "厂房漏水").claim(park(16, 10))
    # Reopened (and new) since yesterday's brief: listed once, as reopened.
    reopened = story.report("陈志远", park(29, 10), "道路破损").claim(park(29, 10, 10))
    reopened.resolve(park(29, 11)).rate(park(29, 12), "unsolved", "dissatisfied")
    new = story.report("王晓峰", park(30, 7), "缺少停车位")
    await story.play()
    clock.set(park(30, 8, 30))  # Monday; the weekend of 28-29 Nov is not counted
    (brief,) = await story.services.briefs.due()
    assert brief.leader.name == LEADER
    ids = {name: [i.view.ticket.id for i in items] for name, items in brief.sections}
    assert ids == {
        "escalated": [supervised.id],
        "overdue": [overdue.id],
        "reopened": [reopened.id],
        "new": [new.id],
    }
    assert [(i.overdue_days, i.days_open) for i in brief.escalated] == [(5, 10)]
    assert [(i.overdue_days, i.days_open) for i in brief.reopened] == [(None, 1)]
    assert [(i.overdue_days, i.days_open) for i in brief.new] == [(None, 0)]
    lines = render_brief(brief, Translator("zh_CN")).split("\n")
    assert lines == [
        f"☀️ <b>每日简报</b> · 11月30日 · {LEADER}",
        "",
        "<b>督办</b>：1 件",
        f"#{supervised.id} 🔶督办1级 陈志远包联企业：食堂网络不通（陈志远，超期 5 个工作日）",
        "",
        "<b>逾期</b>：1 件",
        f"#{overdue.id} 王晓峰包联企业：厂房漏水（王晓峰，超期 5 个工作日）",
        "",
        "<b>重办</b>：1 件",
        f"#{reopened.id} 陈志远包联企业：道路破损（陈志远，已登记 1 个工作日）",
        "",
        "<b>新工单</b>：1 件",
        f"#{new.id} 王晓峰包联企业：缺少停车位（王晓峰，已登记 0 个工作日）",
    ]


async def test_nothing_to_report_sends_nothing(db: Database, clock: FixedClock) -> None:
    story = await Story.open(db, clock, cadres=["陈志远"])
    done = story.report("陈志远", park(23, 9)).claim(park(23, 10)).contact(park(23, 11))
    done.resolve(park(23, 15)).rate(park(23, 16), "solved", "satisfied")
    await story.play()
    clock.set(park(25, 8, 30))
    assert await story.services.briefs.due() == []
    # The day is used up: a ticket later that morning waits for tomorrow's brief.
    later = story.report("陈志远", park(25, 9))
    await story.play()
    clock.set(park(25, 10))
    assert await story.services.briefs.due() == []
    clock.set(park(26, 8, 30))
    (brief,) = await story.services.briefs.due()
    assert [i.view.ticket.id for i in brief.new] == [later.id]
