"""A roster file within its limits, or refused naming the limit before it fills the memory; a
refusal lists 20 problems and counts the rest.

`[roster] max_file_mb` (a file's size, and 20 times that unpacked for an .xlsx) and `max_rows`
(every sheet's rows, blank ones too). The workbooks here are made the way an attacker would:
a few kilobytes that unpack into a sheet of 400,000 rows, a row of 16,385 cells, a jump to
row 1,048,576, styles of 21 MB.
"""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import pytest
from openpyxl import Workbook

from bot.cli.main import main
from bot.clock import FixedClock
from bot.services.roster.limits import RosterLimits
from bot.services.roster.service import RosterError, RosterService
from storage.db import Database
from storage.unit import Repositories
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[3]
SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
OPEN_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>'.encode()
)
CLOSE_SHEET = b"</sheetData></worksheet>"
# A row as a crafted file writes it: no r="…", so openpyxl numbers it after the one before.
ROW = '<row><c t="inlineStr"><is><t>甲公司</t></is></c></row>'.encode()

Part = Callable[[IO[bytes]], None]


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_bytes(text.getvalue().encode("utf-8"))
    return path


def workbook(path: Path, parts: dict[str, Part]) -> Path:
    """A real one-sheet workbook (企业名称 / 甲公司) with `parts` written over its own."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业"
    sheet.append(["企业名称"])
    sheet.append(["甲公司"])
    made = io.BytesIO()
    book.save(made)
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename in parts:
                with out.open(info.filename, "w", force_zip64=True) as part:
                    parts[info.filename](part)
            else:
                out.writestr(info, source.read(info.filename))
    return path


def rows_of(count: int) -> Part:
    """A sheet of the header and `count` rows, streamed into the archive."""

    def write(part: IO[bytes]) -> None:
        part.write(OPEN_SHEET)
        for _ in range(count // 1000):
            part.write(ROW * 1000)
        part.write(ROW * (count % 1000) + CLOSE_SHEET)

    return write


def fixed(data: bytes) -> Part:
    return lambda part: part.write(data)


def unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


async def refusal(
    db: Database, clock: FixedClock, path: Path, limits: RosterLimits, locale: str = "zh_CN"
) -> list[str]:
    """The problems' messages of importing `path` within `limits` (it must be refused)."""
    service = RosterService(Repositories(db), clock, limits=limits)
    with pytest.raises(RosterError) as caught:
        await service.import_files([path], locale=locale)
    return [problem.message for problem in caught.value.problems]


async def test_a_file_past_the_size_limit_is_refused_unread(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # Not text at all: read, it would be refused for its encoding instead.
    path = tmp_path / "企业.csv"
    path.write_bytes(b"\x00\xff" * (512 * 1024) + b"\x00")
    said = await refusal(db, clock, path, RosterLimits(max_mb=1))
    assert said == [
        "文件有 1.1 MB，超过了 1 MB 的上限（[roster] max_file_mb），没有读取："
        "请删除无关的工作表、图片，或把花名册拆成几个文件分别导入。"
    ]
    said = await refusal(db, clock, path, RosterLimits(max_mb=1), "en")
    assert said[0].startswith("The file is 1.1 MB, over the limit of 1 MB ([roster] max_file_mb)")


async def test_a_csv_may_hold_as_many_rows_as_the_limit_and_no_more(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    limits = RosterLimits(max_rows=30)
    fits = write_csv(tmp_path / "fits.csv", [["企业名称"], *([f"企业{i}"] for i in range(29))])
    report = await RosterService(Repositories(db), clock, limits=limits).import_files([fits])
    assert report.enterprises_created == 29
    over = write_csv(tmp_path / "over.csv", [["企业名称"], *([f"企业{i}"] for i in range(30))])
    said = await refusal(db, clock, over, limits)
    assert said == [
        "文件超过了 30 行的上限（[roster] max_rows；各工作表合计，空行也算），已停止读取："
        "请把花名册拆成几个文件分别导入；如果表格下方有大量空行，请删除后再导入。"
    ]


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        # Rows without numbers, as in the bomb below, past the limit.
        ({SHEET: rows_of(20_000)}, "文件超过了 20000 行的上限"),
        # One row far down: openpyxl would hand over a million blank rows before it.
        (
            {SHEET: fixed(OPEN_SHEET + b'<row r="1048576"><c><v>1</v></c></row>' + CLOSE_SHEET)},
            "文件超过了 20000 行的上限",
        ),
        # Wider than Excel's XFD: openpyxl would build the whole row first.
        (
            {SHEET: fixed(OPEN_SHEET + b"<row>" + b"<c/>" * 16_385 + b"</row>" + CLOSE_SHEET)},
            "这个 Excel 文件有一行超过了 16384 个单元格",
        ),
    ],
    ids=["rows", "row-number", "width"],
)
async def test_a_crafted_workbook_is_refused_before_openpyxl_opens_it(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parts: dict[str, Part],
    says: str,
) -> None:
    path = workbook(tmp_path / "roster.xlsx", parts)
    assert path.stat().st_size < 100_000

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a workbook past the limits")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    said = await refusal(db, clock, path, RosterLimits())
    assert len(said) == 1 and said[0].startswith(says)


async def test_a_workbook_within_the_limits_is_read(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # 99 rows under the header: the whole limit, all of them the same enterprise.
    path = workbook(tmp_path / "roster.xlsx", {SHEET: rows_of(99)})
    said = await refusal(db, clock, path, RosterLimits(max_rows=100))
    assert len(said) == 98 and "重复出现" in said[0]  # read, and every row checked


async def test_a_workbook_that_unpacks_too_far_is_refused_unread(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    # The styles (or the shared strings), which openpyxl reads whole when it opens a workbook.
    formats = b'<numFmt numFmtId="200" formatCode="0"/>' * 560_000
    styles = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    path = workbook(
        tmp_path / "roster.xlsx",
        {STYLES: fixed(styles + b"<numFmts>" + formats + b"</numFmts></styleSheet>")},
    )
    assert path.stat().st_size < 1024 * 1024 < 20 * 1024 * 1024 < unpacked(path)
    said = await refusal(db, clock, path, RosterLimits(max_mb=1))
    assert said == [
        "这个 Excel 文件解压后有 20.9 MB，超过了 20.0 MB 的上限（[roster] max_file_mb 的 20 倍），"
        "没有读取：它可能已损坏或并非正常的花名册；请在 Excel 或 WPS 中打开后重新「另存为」.xlsx。"
    ]


async def test_the_report_lists_twenty_unassigned_enterprises_and_counts_the_rest(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ent.csv", [["企业名称"], *([f"企业{i:02}"] for i in range(25))])
    report = await RosterService(Repositories(db), clock).import_files([path])
    line = next(line for line in report.lines("zh_CN") if line.startswith("提醒："))
    names = "、".join(f"企业{i:02}" for i in range(20))
    assert line == f"提醒：以下 25 家企业还没有包联干部：{names} 等（另有 5 家未列出）"


# Runs the command line as `python -m bot.cli.main` would, then writes the process's own peak
# (VmHWM, which exec resets) to the file named first. Not getrusage's ru_maxrss: Linux keeps the
# peak a process had before exec, so a child forked from a large test worker would report the
# worker's size, not its own.
_PEAK = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def record():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(record)
sys.argv[0] = "liaison-bot"
runpy.run_module("bot.cli.main", run_name="__main__", alter_sys=True)
"""


def cli(config: Path, *args: str) -> tuple[int, int, str]:
    """Run `liaison-bot` in a process of its own: its exit code, peak memory (KiB), output."""
    out, peak = config.with_suffix(".out"), config.with_suffix(".peak")
    with out.open("wb") as sink:
        code = subprocess.call(
            [sys.executable, "-c", _PEAK, str(peak), "--config", str(config), *args],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return code, int(peak.read_text()), out.read_text("utf-8")


@pytest.mark.timeout(120)
def test_the_cli_refuses_a_workbook_bomb_in_little_memory(tmp_path: Path) -> None:
    # 80 KB that unpack into a sheet of 400,000 rows (23 MB of XML). Read whole, as before,
    # the import took ~0.6 GB and listed 400,000 duplicates.
    bomb = workbook(tmp_path / "企业.xlsx", {SHEET: rows_of(400_000)})
    assert bomb.stat().st_size < 200_000 and unpacked(bomb) > 20_000_000
    code, peak, said = cli(config_file(tmp_path), "roster", "import", str(bomb))
    assert code == 1, said
    assert said.splitlines() == [
        "导入失败：发现 1 个问题，数据库没有做任何修改。请按提示改正后重新导入。",
        f"{bomb}：文件超过了 20000 行的上限（[roster] max_rows；各工作表合计，空行也算），"
        "已停止读取：请把花名册拆成几个文件分别导入；如果表格下方有大量空行，请删除后再导入。",
    ]
    assert 20 * 1024 < peak < 150 * 1024  # KiB: the interpreter, the bot's modules and openpyxl


def config_file(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{database_url(tmp_path)}"\n{extra}', encoding="utf-8")
    return config


async def test_the_cli_takes_its_limits_from_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["姓名", "电话"], *([f"干部{i:03}", "13900000000"] for i in range(100))]
    path = write_csv(tmp_path / "cadres.csv", rows)  # 101 rows with the header
    run = ["--config", str(config_file(tmp_path, "[roster]\nmax_rows = 100\n"))]
    # main() runs its own event loop, so it needs a thread of its own here.
    assert await asyncio.to_thread(main, [*run, "roster", "import", str(path)]) == 1
    assert "文件超过了 100 行的上限（[roster] max_rows" in capsys.readouterr().err
    write_csv(path, rows[:-1])
    assert await asyncio.to_thread(main, [*run, "roster", "import", str(path)]) == 0
    assert "干部：新增 99 人" in capsys.readouterr().out


async def test_the_cli_lists_twenty_problems_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "cadres.csv", [["姓名", "电话"], *([f"干部{i:02}", "12"] for i in range(27))]
    )
    run = ["--config", str(config_file(tmp_path)), "roster", "import", str(path)]
    assert await asyncio.to_thread(main, run) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "导入失败：发现 27 个问题，数据库没有做任何修改。请按提示改正后重新导入。"
    assert [line.split("：")[0] for line in lines[1:21]] == [
        f"{path} 第 {row} 行「电话」列" for row in range(2, 22)
    ]
    assert lines[21:] == ["……另有 7 个问题未列出：请先改正以上问题，再次导入时会列出其余问题。"]
