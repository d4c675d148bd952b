"""Generate the sample roster of a fictional park, 海澄经济技术开发区 (every name is invented).

Run `python bot/samples/make_samples.py [OUTDIR]` (default: this folder). The output is
byte-for-byte deterministic: fixed data, fixed workbook timestamps and fixed zip entry times, so a
regenerated sample only shows up in a diff when its content really changed.

Standalone on purpose (only openpyxl): the credit-code check digits are computed here by an
independent implementation of GB 32100-2015, and the import tests check them with the service's.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ENTERPRISE_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "网格",
    "包联干部",
    "备用干部",
    "联系人TelegramID",
]
CADRE_HEADERS = ["姓名", "电话", "角色", "上级", "TelegramID"]

LEADERS = ["黄振华", "钱卫东"]
ADMIN = "沈若琳"
CADRES = [
    "陈志远",
    "王晓峰",
    "李文静",
    "张海涛",
    "刘思雨",
    "周建国",
    "吴佳怡",
    "徐明辉",
    "孙丽娟",
    "朱浩然",
]
GRIDS = ["一网格", "二网格", "三网格", "四网格", "五网格"]

# (name, industry); six per grid, in grid order.
ENTERPRISES: list[tuple[str, str]] = [
    ("海澄精工机械有限公司", "装备制造"),
    ("澄江新材料科技有限公司", "新材料"),
    ("海澄恒通电子有限公司", "电子信息"),
    ("南港生物医药有限公司", "生物医药"),
    ("海澄锦程纺织有限公司", "纺织服装"),
    ("澄湾食品有限公司", "食品加工"),
    ("海澄蓝海船舶配件有限公司", "船舶海工"),
    ("东滩光伏科技有限公司", "新能源"),
    ("海澄顺达物流有限公司", "现代物流"),
    ("澄明精细化工有限公司", "化工"),
    ("海澄鼎盛五金制品有限公司", "装备制造"),
    ("潮音智能装备有限公司", "装备制造"),
    ("海澄启航新能源汽车部件有限公司", "新能源"),
    ("澄源环保科技有限公司", "节能环保"),
    ("海澄云帆信息技术有限公司", "电子信息"),
    ("北岸医疗器械有限公司", "生物医药"),
    ("海澄华织家纺有限公司", "纺织服装"),
    ("澄味调味品有限公司", "食品加工"),
    ("海澄远洋海工装备有限公司", "船舶海工"),
    ("星澄储能技术有限公司", "新能源"),
    ("海澄通衢供应链管理有限公司", "现代物流"),
    ("澄晖涂料有限公司", "化工"),
    ("海澄博睿精密模具有限公司", "装备制造"),
    ("澄芯半导体材料有限公司", "新材料"),
    ("海澄安和包装制品有限公司", "包装印刷"),
    ("临江复合材料有限公司", "新材料"),
    ("海澄康宁生物科技有限公司", "生物医药"),
    ("澄禾农产品加工有限公司", "食品加工"),
    ("海澄明德电气有限公司", "电子信息"),
    ("澄港冷链物流有限公司", "现代物流"),
]

# Enterprise index -> contact Telegram ids (two ids show the separator in one cell).
CONTACTS: dict[int, list[int]] = {
    0: [7100000001],
    1: [7100000002],
    2: [7100000003],
    7: [7100000004, 7100000005],
    15: [7100000006],
}
# Most people bind by invite link; only these have their Telegram id in the roster.
CADRE_TELEGRAM: dict[str, int] = {ADMIN: 7200000001, LEADERS[0]: 7200000002}

REGION = "320699"  # a county-level code no real county uses
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)

# GB 32100-2015 alphabet (no I O S V Z) and GB 11714 organisation-code weights.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-digit organisation code body."""
    total = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(first17: str) -> str:
    """Complete a 统一社会信用代码 with its check character (weights 3^i mod 31)."""
    total = 0
    weight = 1
    for char in first17:
        total += _USCC_ALPHABET.index(char) * weight
        weight = weight * 3 % 31
    return first17 + _USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code(index: int) -> str:
    # 9 = registered with market regulation, 1 = enterprise; the body is spread out but fixed.
    body = f"{(58_310_000 + index * 104_729) % 100_000_000:08d}"
    return uscc("91" + REGION + org_code(body))


def phone(index: int) -> str:
    return f"139{(62_150_000 + index * 7_919_321) % 100_000_000:08d}"


def enterprise_rows() -> list[list[str]]:
    """Enterprise table rows as text, in header order."""
    rows: list[list[str]] = []
    for index, (name, industry) in enumerate(ENTERPRISES):
        primary = CADRES[index % len(CADRES)]
        # Every fifth enterprise has no backup yet: the column is optional.
        backup = "" if index % 5 == 4 else CADRES[(index + 3) % len(CADRES)]
        contacts = "；".join(str(i) for i in CONTACTS.get(index, []))
        rows.append(
            [name, credit_code(index), industry, GRIDS[index // 6], primary, backup, contacts]
        )
    return rows


def cadre_rows() -> list[list[str]]:
    """Cadre table rows as text: the admin, the two leaders, then ten cadres."""
    people = [(ADMIN, "管理员", "")]
    people += [(name, "分管领导", "") for name in LEADERS]
    people += [(name, "干部", LEADERS[i // 5]) for i, name in enumerate(CADRES)]
    return [
        [name, phone(i), role, leader, str(CADRE_TELEGRAM.get(name, ""))]
        for i, (name, role, leader) in enumerate(people)
    ]


def _typed(header: str, value: str) -> str | int | None:
    # Excel users type phones and ids as numbers; the importer must cope, so the samples do too.
    if value == "":
        return None
    if header in ("电话", "TelegramID") or (header == "联系人TelegramID" and value.isdigit()):
        return int(value)
    return value


def _fill(ws: Worksheet, headers: list[str], rows: list[list[str]]) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_typed(h, v) for h, v in zip(headers, row, strict=True)])
    for column, header in enumerate(headers, start=1):
        width = max(len(header), *(len(r[column - 1]) for r in rows)) * 2 + 2
        ws.column_dimensions[get_column_letter(column)].width = min(width, 48)
    ws.freeze_panes = "A2"


def _save(workbook: Workbook, path: Path) -> None:
    workbook.properties.creator = "liaison-bot samples"
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps the save time into core.xml and every zip entry; pin both.
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rf"\g<1>{stamp}\g<2>",
                    data.decode("utf-8"),
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


def _workbook(sheets: list[tuple[str, list[str], list[list[str]]]]) -> Workbook:
    workbook = Workbook()
    for index, (title, headers, rows) in enumerate(sheets):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        _fill(ws, headers, rows)
    return workbook


def _csv(headers: list[str], rows: list[list[str]], encoding: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def write_samples(folder: Path) -> list[Path]:
    """Write every sample file into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    enterprises, cadres = enterprise_rows(), cadre_rows()
    written: list[Path] = []
    for name, sheets in (
        ("enterprises.xlsx", [("企业", ENTERPRISE_HEADERS, enterprises)]),
        ("cadres.xlsx", [("干部", CADRE_HEADERS, cadres)]),
        (
            "roster.xlsx",
            [("企业", ENTERPRISE_HEADERS, enterprises), ("干部", CADRE_HEADERS, cadres)],
        ),
    ):
        _save(_workbook(sheets), folder / name)
        written.append(folder / name)
    # GBK is what Excel on Chinese Windows writes for "CSV (逗号分隔)".
    (folder / "cadres.csv").write_bytes(_csv(CADRE_HEADERS, cadres, "gbk"))
    # UTF-8 with BOM is Excel's "CSV UTF-8"; the BOM lets Excel open it without mojibake.
    (folder / "enterprises.csv").write_bytes(_csv(ENTERPRISE_HEADERS, enterprises, "utf-8-sig"))
    written += [folder / "cadres.csv", folder / "enterprises.csv"]
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    for path in write_samples(folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
