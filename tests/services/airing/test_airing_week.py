"""A scripted week for nine cadres, played through the real services, then read three ways: the
/airing preview, `liaison-bot airing --week` and the ledger's 指标 sheet. Every figure must equal
the independent count over the script (`oracle` of the metrics property test), and the ranking
must follow domain.md's rules computed here from those counts.

The week (W47, 16-22 Nov 2026), by cadre:
- 甲: three tickets, all 已解决 + 满意.
- 乙: three, one of them 部分解决 + 基本满意.
- 丙: two; one rated 未解决 (reopened), resolved again and re-rated 部分解决 + 基本满意.
- 丁: two; progress posted before 已联系 (the progress is the response), 基本满意, 部分解决.
  丙 and 丁 tie at 82.5 on the red list's last place.
- 戊: two, contacted late (响应 0 %, under 70 %).
- 己: three; two rated 未解决 + 不满意 and still open (overdue, one supervised).
- 庚: two, 部分解决 + 基本满意.
- 辛: a single ticket (样本不足, 1 件); 壬: none (样本不足, 0 件).
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import airing as cli_airing
from bot.clock import FixedClock
from bot.config import load_settings
from bot.i18n import Translator
from bot.render.ledger import ledger_xlsx
from bot.render.text import plain_text
from bot.services.metrics import parse_week
from storage.open import open_database
from tests.databases import database_url
from tests.services.airing.test_metrics_stories import Expected, check, half_up, oracle
from tests.story import ADMIN_TG, TZ, Story, TicketScript, park

W47 = parse_week("2026-W47", TZ)
CADRES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬"]
GOOD = ("solved", "satisfied")


async def play_week(story: Story) -> None:
    def ticket(cadre: str, hour: int, text: str = "食堂网络不通") -> TicketScript:
        return story.report(cadre, park(16, hour), text).claim(park(16, hour, 30))

    for hour in (9, 10, 11):
        ticket("甲", hour).contact(park(16, 14)).resolve(park(17)).rate(park(18), *GOOD)
    for hour, rating in ((9, GOOD), (10, GOOD), (11, ("partly", "basic"))):
        ticket("乙", hour).contact(park(16, 14)).resolve(park(17)).rate(park(18), *rating)
    ticket("丙", 9).contact(park(16, 14)).resolve(park(17)).rate(park(18), *GOOD)
    again = ticket("丙", 10).contact(park(16, 14)).resolve(park(17))
    again.rate(park(18), "unsolved", "dissatisfied").resolve(park(19)).rate(
        park(20), "partly", "basic"
    )
    first = ticket("丁", 9).progress(park(16, 12), "已联系供电所").contact(park(16, 15))
    first.resolve(park(17)).rate(park(18), "solved", "basic")
    ticket("丁", 10).contact(park(16, 14)).resolve(park(17)).rate(park(18), "partly", "satisfied")
    for hour in (9, 10):  # contacted two working days later: past the response limit
        ticket("戊", hour).contact(park(18, 14)).resolve(park(19)).rate(park(20), *GOOD)
    ticket("己", 9).contact(park(16, 14)).resolve(park(17)).rate(park(18), *GOOD)
    for hour in (10, 11):
        open_ = ticket("己", hour, "厂房漏水").contact(park(16, 14)).resolve(park(17))
        open_.rate(park(18), "unsolved", "dissatisfied")
    story.tickets[-1].supervise(park(19))
    for hour in (9, 10):
        rated = ticket("庚", hour).contact(park(16, 14)).resolve(park(17))
        rated.rate(park(18), "partly", "basic")
    ticket("辛", 9).contact(park(16, 14)).resolve(park(17)).rate(park(18), *GOOD)
    await story.play()


def pct(num: int, den: int) -> str:
    return "—" if den == 0 else f"{half_up(Fraction(num * 100, den)):.1f}%"


def flagged(num: int, den: int) -> str:
    text = pct(num, den)
    return text + "⚠️" if den and half_up(Fraction(num * 100, den)) < 70 else text


def score(e: Expected) -> float:
    rated = len(e.verdicts)
    parts = [
        (Fraction(30, 100), Fraction(e.responded, e.due) if e.due else None),
        (
            Fraction(35, 100),
            Fraction(sum(s == "solved" for s, _ in e.verdicts), rated) if rated else None,
        ),
        (
            Fraction(35, 100),
            Fraction(sum(h in ("satisfied", "basic") for _, h in e.verdicts), rated)
            if rated
            else None,
        ),
    ]
    present = [(w, v) for w, v in parts if v is not None]
    return half_up(sum(w * v * 100 for w, v in present) / sum(w for w, _ in present))


def rates_line(e: Expected) -> str:
    rated = len(e.verdicts)
    solved = sum(s == "solved" for s, _ in e.verdicts)
    happy = sum(h in ("satisfied", "basic") for _, h in e.verdicts)
    return (
        f"    响应 {flagged(e.responded, e.due)} · 解决 {flagged(solved, rated)}"
        f" · 满意 {flagged(happy, rated)}"
    )


@pytest.fixture
async def week(tmp_path: Path) -> AsyncIterator[tuple[Story, dict[str, Expected], str]]:
    path = database_url(tmp_path)
    db = open_database(path)
    await db.connect()
    clock = FixedClock(park(16, 8))
    story = await Story.open(db, clock, cadres=CADRES)
    await play_week(story)
    clock.set(park(25, 10))
    as_of = park(23, 9)  # the week's airing time
    found = oracle(story.tickets, as_of)
    ids = {name: await story.cadre_id(name) for name in CADRES}
    expected = {name: found[ids[name]] for name in CADRES}
    expected["park"] = found[None]
    yield story, expected, path
    await db.close()


def standings(expected: dict[str, Expected]) -> list[tuple[int, str, float]]:
    """domain.md's ranking, computed from the oracle's counts: ties share a rank."""
    eligible = [(score(e), n) for n, e in expected.items() if n != "park" and len(e.tickets) >= 2]
    scored = sorted(eligible, key=lambda item: (-item[0], item[1]))
    return [(1 + sum(s > value for s, _ in scored), name, value) for value, name in scored]


async def test_the_preview_shows_the_figures_of_the_script(
    week: tuple[Story, dict[str, Expected], str],
) -> None:
    story, expected, _ = week
    figures = await story.services.metrics.week(W47)
    check(figures.park, expected["park"])
    for cadre in figures.cadres:
        check(cadre.metrics, expected[cadre.name])
    ranked = standings(expected)
    assert [(r, n) for r, n, _ in ranked] == [
        (1, "甲"),
        (2, "乙"),
        (3, "丁"),
        (3, "丙"),
        (5, "戊"),
        (6, "庚"),
        (7, "己"),
    ]
    services = story.services
    await services.airing.preview(ADMIN_TG, W47, "zh_CN")
    async with services.db.transaction():
        params = await services.db.fetchval(
            "SELECT params FROM outbox WHERE purpose = 'airing_preview' AND method = 'sendMessage'"
        )
    posted = json.loads(params)["text"]
    lines = posted.split("\n")
    park_e = expected["park"]
    closure = flagged(park_e.closed, park_e.received)
    top = lines.index("<b>【全园区】</b>")
    received = f"受理 {park_e.received} 件，办结 {park_e.closed} 件，办结率 {closure}"
    assert lines[top + 1].startswith(received)
    assert lines[top + 2] == rates_line(park_e).strip()
    red = lines.index("<b>🔴 红榜（先进，前 3 名）</b>")
    yellow = lines.index("<b>🟡 黄榜（后进，倒数 3 名，末位在前）</b>")
    red_names = [(r, n) for r, n, _ in ranked if r <= 3]
    shown = []
    for rank_, name, value in ranked:
        tie = " 并列" if sum(r == rank_ for r, _, _ in ranked) > 1 else ""
        head = f"{rank_}.{tie} <b>{name}</b> {value:.1f} 分 新上榜"
        at = lines.index(head)
        assert lines[at + 1] == rates_line(expected[name])
        shown.append((at, name))
    assert [n for at, n in sorted(shown) if red < at < yellow] == [n for _, n in red_names]
    assert [n for at, n in sorted(shown) if at > yellow] == ["己", "庚", "戊"]  # worst first
    assert "<b>样本不足</b>（本周少于 2 件，不排名）：壬 0 件、辛 1 件" in lines
    open_ids = [t.id for t in story.tickets[-5:-3]]
    assert any(line.startswith(f"#{open_ids[1]} 🔶督办1级 己包联企业") for line in lines)


async def test_the_cli_and_the_ledger_agree_with_the_script(
    week: tuple[Story, dict[str, Expected], str], capsys: pytest.CaptureFixture[str]
) -> None:
    story, expected, path = week
    settings = load_settings(None, storage={"url": path}, park={"admins": [ADMIN_TG]})
    args = argparse.Namespace(command="airing", week="2026-W47", png=None)
    assert await cli_airing.run(settings, args) == 0
    printed = capsys.readouterr().out.split("\n")
    for _, name, value in standings(expected):
        head = next(line for line in printed if f" {name} {value:.1f} 分" in line)
        assert printed[printed.index(head) + 1] == plain_text(rates_line(expected[name]))

    ledger = await story.services.ledger.ledger(None, W47.monday, W47.monday + timedelta(days=6))
    book = load_workbook(io.BytesIO(ledger_xlsx(ledger, Translator("zh_CN"), TZ)))
    sheet = book["指标"]
    headers = [c.value for c in sheet[2]]
    table = {
        row[1]: dict(zip(headers, row, strict=True))
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if isinstance(row[0], int)
    }
    for name, e in expected.items():
        row = table["全园区" if name == "park" else name]
        rated = len(e.verdicts)
        assert row["受理数"] == e.received and row["办结数"] == e.closed
        for header, num, den in (
            ("办结率", e.closed, e.received),
            ("响应率", e.responded, e.due),
            ("按期办结率", e.in_time, e.resolved),
            ("解决率", sum(s == "solved" for s, _ in e.verdicts), rated),
            ("满意率", sum(h in ("satisfied", "basic") for _, h in e.verdicts), rated),
            ("重办率", e.reopened, e.resolved_once),
        ):
            if den == 0:
                assert row[header] == "—", (name, header)
            else:
                assert row[header] == pytest.approx(half_up(Fraction(num, den) * 100) / 100)
        assert row["综合得分"] == (score(e) if e.tickets else "—"), name
