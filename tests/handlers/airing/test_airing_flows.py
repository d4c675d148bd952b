"""/airing and /export through the real Application and the emulator, uploads included."""

from __future__ import annotations

import asyncio
import io
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx
from bot.services.ledger import Ledger
from storage.repos.ledger import LedgerRepo
from tests.handlers.world import World, report


async def test_airing_preview_sends_text_and_chart_privately(world: World) -> None:
    await report(world)
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")  # the admin opens a private chat
    await world.say(world.group, world.admin, "/airing 2026-W47")
    text = (await world.expect(world.admin, "企业服务周晾晒", since=since))[0]["text"]
    assert "第47周（11月16日—11月22日）" in text and "预览" in text
    photo = await world.upload(world.admin, "photo", since=since)
    assert photo["method"] == "sendPhoto" and "办结率" in photo["text"]  # the caption
    png = await world.download(photo["photo"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # Queued with the preview in one transaction, so counted by now if there were any.
    for purpose in ("airing", "airing_preview"):
        assert await world.queued(world.group, purpose=purpose) == 0
    assert await world.queued(world.admin, purpose="airing_preview") == 2  # text and chart
    services = world.runtime.services
    assert services is not None
    async with services.db.transaction():
        assert await services.db.fetchval("SELECT COUNT(*) FROM airing_weeks") == 0


async def test_airing_and_export_refusals(world: World) -> None:
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/airing")
    await world.expect(world.cadre, "只有管理员可以预览", since=since)
    await world.say(world.cadre, world.cadre, "/export")
    await world.expect(world.cadre, "只有管理员和分管领导", since=since)
    await world.say(world.admin, world.admin, "/airing 2026-W99")
    await world.expect(world.admin, "不是有效的周", since=since)
    await world.say(world.admin, world.admin, "/export 2026-13-01 2026-11-30")
    await world.expect(world.admin, "「2026-13-01」不是有效日期", since=since)
    await world.say(world.admin, world.admin, "/export 2026-11-30 2026-11-01")
    await world.expect(world.admin, "晚于结束日期", since=since)
    await world.say(world.admin, world.admin, "/export 2026-11-01")
    await world.expect(world.admin, "用法：/export", since=since)


async def test_export_sends_a_workbook_that_reads_back(world: World) -> None:
    ticket_id, _ = await report(world, "#诉求 厂区停电了，请尽快处理")
    since = await world.seq()
    await world.say(world.admin, world.admin, "/start")
    await world.say(world.admin, world.admin, "/export")
    document = await world.upload(world.admin, "document", since=since)
    assert document["method"] == "sendDocument" and "共 1 件" in document["text"]
    book = load_workbook(io.BytesIO(await world.download(document["document"])))
    assert book.sheetnames == ["问题台账", "指标", "办理记录"]
    sheet = book["问题台账"]
    assert sheet["A1"].value.startswith("开发区 问题台账（")
    headers = [c.value for c in sheet[2]]
    assert headers[:6] == ["序号", "编号", "企业", "分类", "类型", "诉求内容"]
    assert headers[-2:] == ["督办级别", "来源"] and sheet.freeze_panes == "A3"
    assert sheet[2][0].font.bold
    row = [c.value for c in sheet[3]]
    assert row[:3] == [1, ticket_id, "海澄精工机械有限公司"] and row[6] == "陈志远"
    assert "停电" in row[5] and row[11] == "待签收"
    events = [[c.value for c in r] for r in book["办理记录"].iter_rows(min_row=3)]
    assert [e[5] for e in events][:2] == ["登记", "分派给陈志远"]


async def test_reports_are_handled_while_an_export_is_read_and_rendered(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leader's export holds neither the writer nor the intake: reports go through meanwhile.

    Fences, no timing: the export's read is held open (inside its reader snapshot) and then its
    render (in its thread), and a report is acknowledged while each is held. (With no renderer
    given, the bot reads and renders in a child process: see test_export_sends_a_workbook...)
    """
    runtime = world.runtime
    assert runtime.deferred is not None
    loop = asyncio.get_running_loop()
    reading, rendering = asyncio.Event(), asyncio.Event()
    read_release, render_release = asyncio.Event(), threading.Event()
    read_events = LedgerRepo.events

    async def held_read(self: LedgerRepo, *args: Any, **kwargs: Any) -> Any:
        found = await read_events(self, *args, **kwargs)
        reading.set()
        await read_release.wait()  # inside the reader's snapshot
        return found

    def held_render(ledger: Ledger, tr: Translator, tz: ZoneInfo) -> bytes:
        loop.call_soon_threadsafe(rendering.set)
        render_release.wait()
        return ledger_xlsx(ledger, tr, tz)

    monkeypatch.setattr(LedgerRepo, "events", held_read)
    runtime.deferred.render_ledger = held_render
    await world.say(world.admin, world.admin, "/start")
    since = await world.seq()
    try:
        await world.say(world.admin, world.admin, "/export")
        await reading.wait()
        first, _ = await report(world, "#诉求 导出进行中，厂区停电了")
        read_release.set()
        await rendering.wait()
        second, _ = await report(world, "#诉求 导出渲染中，污水管道堵了")
    finally:
        read_release.set()
        render_release.set()
    document = await world.upload(world.admin, "document", since=since)
    assert (first, second) == (1, 2)
    # One snapshot, taken before either report: neither is in the ledger.
    assert "共 0 件" in document["text"]
