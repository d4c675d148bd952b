"""The weekly airing: 红榜/黄榜 with rank changes, 样本不足, flags, and posting each week once
(across restarts, and catching up after a missed Monday)."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import load_settings
from bot.context import Services
from bot.i18n import Translator
from bot.render.chart import ChartRenderer, render_chart
from bot.services.metrics import parse_week
from bot.wiring.bot import build_services
from storage.db import Database
from storage.open import open_database
from storage.repos.airing import AiringRepo
from tests.databases import database_url
from tests.story import TZ, Story, park

W47 = parse_week("2026-W47", TZ)
GROUP = -1001
PARK_GROUP = -1002


# The machine's fonts are an input: these tests draw with a font matplotlib always ships, so
# no "no CJK font" notice appears or not depending on where they run.
SHIPPED_FONT_CHART: ChartRenderer = partial(render_chart, font_finder=lambda: "DejaVu Sans")
NO_FONT_CHART: ChartRenderer = partial(render_chart, font_finder=lambda: None)


def services_for(
    db: Database, clock: FixedClock, *, chart: ChartRenderer = SHIPPED_FONT_CHART, **airing: object
) -> Services:
    settings = load_settings(
        None,
        park={"admins": [777], "name": "测试园区"},
        airing={"chat_ids": [GROUP], **airing},
    )
    return build_services(settings, db, clock, chart_renderer=chart)


async def seed_board(db: Database, clock: FixedClock) -> dict[str, int]:
    """Seven ranked cadres in W47 (scores 100, 93, 86, 72, 58, 44, 30); one with one ticket.

    Every ticket is contacted in time (响应 100 %); the ratings make the difference.
    """
    plan = {  # name: (tickets solved and satisfied, of 5; extra partly solved but 基本满意)
        "甲": (5, 0),
        "乙": (4, 0),
        "丙": (3, 0),
        "丁": (2, 0),
        "戊": (1, 0),
        "己": (0, 0),
        "庚": (4, 1),  # solved 80, satisfied 100 -> 93
    }
    story = await Story.open(db, clock, cadres=[*plan, "辛"], enterprises={"甲": "海澄精工"})
    for name, (good, half) in plan.items():
        for i in range(5):
            ticket = story.report(name, park(16)).claim(park(16, 11)).contact(park(16, 12))
            ticket.resolve(park(17))
            if i < good:
                ticket.rate(park(18), "solved", "satisfied")
            elif i < good + half:
                ticket.rate(park(18), "partly", "basic")
            else:  # reopened, resolved again and not yet rated: the 未解决 verdict stands
                ticket.rate(park(18), "unsolved", "dissatisfied").resolve(park(19))
    one = story.report("辛", park(16), "<b>停水</b>").claim(park(16, 11)).contact(park(16, 12))
    one.resolve(park(17)).rate(park(18), "solved", "satisfied")
    # An overdue ticket, named in the post.
    story.report("甲", park(16), "厂区停电").claim(park(16, 10, 1)).contact(park(16, 10, 2))
    await story.play()
    return {name: await story.cadre_id(name) for name in story.cadres}


async def test_red_and_yellow_lists_with_rank_change_and_small_samples(
    db: Database, clock: FixedClock
) -> None:
    ids = await seed_board(db, clock)
    async with db.transaction():  # what was posted for W46
        await AiringRepo(db).record(
            "2026-W46",
            as_of=park(16, 9),
            now=park(16, 9),
            chats=1,
            ranks={ids["甲"]: (3, 70.0), ids["乙"]: (1, 95.0), ids["丙"]: (2, 90.0)},
        )
    services = services_for(db, clock)
    board = await services.airing.board(W47)
    assert [(s.cadre.name, s.rank, s.change) for s in board.red] == [
        ("甲", 1, 2),
        ("庚", 2, None),
        ("乙", 3, -2),
    ]
    assert [(s.cadre.name, s.rank, s.score) for s in board.yellow] == [  # worst first
        ("己", 7, 30.0),
        ("戊", 6, 44.0),
        ("丁", 5, 58.0),
    ]
    assert [c.name for c in board.insufficient] == ["辛"]
    text = (await services.publisher.render(await services.airing.board(W47), "zh_CN")).text
    lines = text.split("\n")
    assert lines[1] == "第47周（11月16日—11月22日），统计截至 11月23日 09:00"
    # The park's figures first, then each cadre's score with the three rates that make it.
    assert lines[4] == "受理 37 件，办结 36 件，办结率 97.3%（年度累计 97.3%）"
    red = lines.index("<b>🔴 红榜（先进，前 3 名）</b>")
    assert lines[red + 1 : red + 7] == [
        "1. <b>甲</b> 100.0 分 ↑2",
        "    响应 100.0% · 解决 100.0% · 满意 100.0%",
        "2. <b>庚</b> 93.0 分 新上榜",
        "    响应 100.0% · 解决 80.0% · 满意 100.0%",
        "3. <b>乙</b> 86.0 分 ↓2",
        "    响应 100.0% · 解决 80.0% · 满意 80.0%",
    ]
    yellow = lines.index("<b>🟡 黄榜（后进，倒数 3 名，末位在前）</b>")
    assert lines[yellow + 1 : yellow + 3] == [
        "7. <b>己</b> 30.0 分 新上榜",
        "    响应 100.0% · 解决 0.0%⚠️ · 满意 0.0%⚠️",
    ]
    assert "4. <b>丙</b> 72.0 分 ↓2" in lines  # a small park lists everyone
    assert "<b>样本不足</b>（本周少于 2 件，不排名）：辛 1 件" in lines
    # The overdue ticket, named with its working days overdue.
    assert "#37 海澄精工：要素保障（水电气暖） · 超期 6 个工作日 · 甲" in lines


async def test_enterprise_detail_levels(db: Database, clock: FixedClock) -> None:
    await seed_board(db, clock)
    full = services_for(db, clock, enterprise_detail="full")
    text = (await full.publisher.render(await full.airing.board(W47), "zh_CN")).text
    assert "#37 海澄精工：厂区停电 · 超期" in text
    anon = services_for(db, clock, enterprise_detail="anonymous")
    text = (await anon.publisher.render(await anon.airing.board(W47), "zh_CN")).text
    assert "#37 某企业：要素保障" in text and "海澄精工" not in text


async def test_full_detail_hides_contacts_in_the_named_problem(
    db: Database, clock: FixedClock
) -> None:
    """The post goes to park groups: a phone in the problem's text is masked there, in any
    spelling, as in every other public post."""
    story = await Story.open(db, clock, cadres=["甲"], enterprises={"甲": "海澄精工"})
    story.report("甲", park(16), "停电 请回电138，0000＊0001").claim(park(16, 10, 1))
    await story.play()
    full = services_for(db, clock, enterprise_detail="full")
    text = (await full.publisher.render(await full.airing.board(W47), "zh_CN")).text
    assert "海澄精工：停电 请回电〔联系方式已隐藏〕" in text
    assert "0001" not in text


async def test_unknown_rank_history_is_recomputed(db: Database, clock: FixedClock) -> None:
    await seed_board(db, clock)
    board = await services_for(db, clock).airing.board(W47)
    assert all(s.change is None for s in board.ranked)  # nobody ranked in W46: all new


async def outbox_rows(db: Database) -> list[tuple[int, str, str, bytes | None]]:
    """The airing's rows (the seeded tickets queued their own acknowledgements and notices)."""
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT chat_id, method, purpose, upload FROM outbox"
            " WHERE purpose IN ('airing', 'airing_preview', 'admin_font') ORDER BY id"
        )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def test_posted_once_across_restarts_and_after_a_missed_monday(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    clock = FixedClock(park(23, 8, 59))  # Monday, a minute before the airing of W47
    db = open_database(url)
    await db.connect()
    await seed_board(db, clock)
    services = services_for(db, clock)
    admin = await services.people.actor(777)
    await services.onboarding.bind(admin, PARK_GROUP, "园区群", "park")
    # W46 (aired 16 Nov) was never posted: caught up now; W47 is not due yet.
    assert (await services.airing.post_due()) == W47.shifted(-1)
    assert await services.airing.post_due() is None
    await db.close()
    # The bot is down at 09:00 and starts again on Tuesday: W47 goes out on start, once.
    clock.set(park(24, 15))
    for _ in range(2):
        db = open_database(url)
        await db.connect()
        posted = await services_for(db, clock).airing.post_due()
        rows = await outbox_rows(db)
        await db.close()
        if _ == 0:
            assert posted == W47
        else:
            assert posted is None
    airing = [r for r in rows if r[2] == "airing"]
    # Two weeks, two chats, a text and a photo each.
    assert len(airing) == 8
    photos = [r for r in airing if r[1] == "sendPhoto"]
    assert {r[0] for r in photos} == {GROUP, PARK_GROUP}
    assert all(r[3] is not None and r[3].startswith(b"\x89PNG") for r in photos)


async def test_a_failed_post_records_nothing_and_is_retried(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(park(23, 9, 5))
    await seed_board(db, clock)
    services = services_for(db, clock)
    async with db.transaction():  # W46 was posted last week
        await AiringRepo(db).record(
            "2026-W46", as_of=park(16, 9), now=park(16, 9), chats=1, ranks={}
        )

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.outbox, "send_photo_bytes", broken)
    with pytest.raises(RuntimeError):
        await services.airing.post_due()
    assert await outbox_rows(db) == []
    async with db.transaction():
        assert not await AiringRepo(db).is_posted("2026-W47")
    monkeypatch.undo()
    assert await services.airing.post_due() == W47


async def test_preview_is_not_recorded(db: Database, clock: FixedClock) -> None:
    await seed_board(db, clock)
    services = services_for(db, clock)
    assert await services.airing.preview(42, None, "en") == W47
    rows = await outbox_rows(db)
    assert [(r[0], r[1], r[2]) for r in rows if r[2] != "admin_font"] == [
        (42, "sendMessage", "airing_preview"),
        (42, "sendPhoto", "airing_preview"),
    ]
    async with db.transaction():
        text = await db.fetchval(
            "SELECT params FROM outbox WHERE method = 'sendMessage' AND purpose = 'airing_preview'"
        )
        assert not await AiringRepo(db).is_posted("2026-W47")
    assert "Preview" in text and "Red list (best, top 3)" in text
    assert "Week 47 (11/16–11/22)" in text
    assert await services.airing.post_due() == W47  # the preview did not use the week up


async def test_chart_is_a_png_in_a_cjk_font(db: Database, clock: FixedClock) -> None:
    await seed_board(db, clock)
    board = await services_for(db, clock).airing.board(W47)
    chart = render_chart(board, Translator("zh_CN"))
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.png) > 5000
    if chart.font is None and not os.environ.get("LIAISON_REQUIRE_CJK_FONT"):
        # CI installs fonts-noto-cjk and sets LIAISON_REQUIRE_CJK_FONT, so there it must pass.
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk (see README)")
    assert chart.font is not None and ("CJK" in chart.font or "WenQuanYi" in chart.font)
    assert not chart.missing_glyphs


async def test_without_a_cjk_font_the_admins_are_told_once(db: Database, clock: FixedClock) -> None:
    await seed_board(db, clock)
    services = services_for(db, clock, chart=NO_FONT_CHART)
    await services.airing.preview(42, None, "zh_CN")
    await services.airing.preview(42, None, "zh_CN")
    rows = await outbox_rows(db)
    assert [r[0] for r in rows if r[2] == "admin_font"] == [777]
    assert sum(r[1] == "sendPhoto" for r in rows) == 2  # still posted
    clock.advance(timedelta(0))


async def test_the_boards_figures_never_wait_for_the_writer(tmp_path: Path) -> None:
    """The week's figures, the trend and last week's ranks are read on a snapshot: a write
    transaction held meanwhile (a report being handled) neither holds them up nor is held."""
    clock = FixedClock(park(23, 8, 59))
    db = open_database(database_url(tmp_path))
    await db.connect()
    try:
        await seed_board(db, clock)
        services = services_for(db, clock)
        held, release = asyncio.Event(), asyncio.Event()

        async def write() -> None:
            async with db.transaction():
                await db.execute("INSERT INTO kv VALUES ('held', '1')")
                held.set()
                await release.wait()

        writer = asyncio.create_task(write())
        await held.wait()
        try:
            board = await asyncio.wait_for(services.airing.board(W47), 10)
            assert not writer.done()
        finally:
            release.set()
            await writer
        assert board.metrics.park.received > 0 and board.ranked
    finally:
        await db.close()
