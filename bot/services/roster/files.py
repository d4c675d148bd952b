"""Read roster spreadsheets (.xlsx, .csv) into recognised tables of enterprises and cadres.

Pure file handling, no database: `read_roster_files` turns files into `RosterTable`s whose rows
carry the file, sheet and row number the user sees (the header is row 1), plus `FileIssue`s for
everything that could not be read or understood. Issues hold a catalog key and parameters rather
than text, so the caller translates them into the user's language.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.domain.textnorm import to_simplified


class TableKind(StrEnum):
    ENTERPRISES = "enterprises"
    CADRES = "cadres"


# Canonical column -> accepted headers. The first alias is the canonical English name; the
# second is what the samples and error messages show Chinese users.
ENTERPRISE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "企业名称", "名称", "企业"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "industry": ("industry", "行业"),
    "grid": ("grid", "网格"),
    "primary_cadre": ("primary_cadre", "包联干部", "主包联干部"),
    "backup_cadre": ("backup_cadre", "备用干部", "备岗干部"),
    "contact_telegram_ids": (
        "contact_telegram_ids",
        "联系人TelegramID",
        "联系人Telegram ID",
        "联系人",
    ),
}
CADRE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "phone": ("phone", "电话", "手机", "手机号"),
    "role": ("role", "角色"),
    "leader": ("leader", "上级", "分管领导"),
    "telegram_id": ("telegram_id", "TelegramID", "Telegram ID"),
}
COLUMNS: dict[TableKind, dict[str, tuple[str, ...]]] = {
    TableKind.ENTERPRISES: ENTERPRISE_COLUMNS,
    TableKind.CADRES: CADRE_COLUMNS,
}
REQUIRED_COLUMN = "name"
SUPPORTED_SUFFIXES: tuple[str, ...] = (".xlsx", ".csv")

# Separators people actually type between several Telegram ids in one cell.
_ID_SEPARATORS = re.compile(r"[;；,，、\s]+")
# Pasted from WeChat or web pages; invisible, but they break exact name matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@dataclass(frozen=True)
class Label:
    """A parameter that is itself a catalog key, translated together with its message."""

    key: str


Param = str | int | Label


@dataclass(frozen=True)
class FileIssue:
    """Something wrong with a file, sheet or header, as a catalog key plus parameters.

    `blocking` issues mean rows were not read at all (missing file, unrecognised table), so
    cross-references to names that might have been in them cannot be judged.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    blocking: bool = False


@dataclass(frozen=True)
class RosterRow:
    """One data row: canonical column -> cell text (empty string for a blank cell)."""

    file: str
    sheet: str | None
    row: int
    cells: Mapping[str, str]
    # Canonical columns whose cell was a number in Excel (precision may already be lost).
    numeric: frozenset[str] = frozenset()
    # Canonical column -> header as the user wrote it, for pointing at the column in messages.
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def has(self, column: str) -> bool:
        """True when the table has this column at all (a blank cell still counts)."""
        return column in self.headers

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


@dataclass
class RosterTable:
    kind: TableKind
    file: str
    sheet: str | None
    headers: dict[str, str]
    rows: list[RosterRow] = field(default_factory=list)


@dataclass
class ReadResult:
    tables: list[RosterTable] = field(default_factory=list)
    issues: list[FileIssue] = field(default_factory=list)
    # Every (file, sheet) in reading order, so problems can be listed in the order of the files.
    sheets: list[tuple[str, str | None]] = field(default_factory=list)

    def extend(self, other: ReadResult) -> None:
        self.tables.extend(other.tables)
        self.issues.extend(other.issues)
        self.sheets.extend(other.sheets)


# -- cell and name normalisation ---------------------------------------------------------------


def cell_text(value: object) -> str:
    """Return a cell as trimmed text; whole numbers lose Excel's float form (1.0 -> "1")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a double, so ids and phones arrive as 123456789.0.
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).translate(_INVISIBLE).strip()


def normalize_name(text: str) -> str:
    """Canonical form of a person or enterprise name for matching.

    Chinese sheets often pad two-character names with spaces ("王  五") to line them up, so
    whitespace between CJK characters goes; other runs of whitespace collapse to one space.
    """
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()
    text = re.sub(r"\s+", " ", text)
    return _SPACE_BETWEEN_CJK.sub("", text)


def split_ids(text: str) -> list[str]:
    """Split a cell holding several ids separated by ; ； , ， 、 or whitespace."""
    return [part for part in _ID_SEPARATORS.split(text) if part]


def _header_key(header: str) -> str:
    # NFKC folds full-width letters and punctuation (ＩＤ, ：) that Chinese IMEs produce;
    # traditional headers (企業名稱, 電話) are the simplified ones.
    folded = to_simplified(unicodedata.normalize("NFKC", header).casefold())
    return re.sub(r"[\s_\-*:：()（）]", "", folded)


_ALIASES: dict[TableKind, dict[str, str]] = {
    kind: {_header_key(alias): column for column, aliases in cols.items() for alias in aliases}
    for kind, cols in COLUMNS.items()
}


def expected_headers(kind: TableKind, column: str | None = None) -> str:
    """Human list of accepted headers, e.g. `企业名称/名称/企业/name, 统一社会信用代码/...`."""
    columns = COLUMNS[kind]
    chosen = [column] if column is not None else list(columns)
    return ", ".join("/".join((*columns[c][1:], columns[c][0])) for c in chosen)


def _suggest(kind: TableKind, header: str) -> str | None:
    aliases = [alias for cols in COLUMNS[kind].values() for alias in cols]
    keyed = {_header_key(alias): alias for alias in aliases}
    match = difflib.get_close_matches(_header_key(header), list(keyed), n=1, cutoff=0.5)
    return keyed[match[0]] if match else None


# -- table recognition -------------------------------------------------------------------------


def _classify(headers: Sequence[str]) -> TableKind | None:
    """Pick the kind whose aliases cover more headers; a tie (e.g. only "name") is unknown."""
    keys = [_header_key(h) for h in headers if h]
    scores = {kind: sum(k in _ALIASES[kind] for k in keys) for kind in TableKind}
    enterprise, cadre = scores[TableKind.ENTERPRISES], scores[TableKind.CADRES]
    if enterprise == cadre:
        return None
    return TableKind.ENTERPRISES if enterprise > cadre else TableKind.CADRES


def build_table(
    file: str, sheet: str | None, rows: Iterable[tuple[int, Sequence[object]]]
) -> ReadResult:
    """Recognise one sheet (or CSV) from its numbered raw rows; skip fully blank rows.

    The first non-blank row is the header. Returns no table for a sheet with no content at all.
    """
    result = ReadResult()
    header_cells: list[str] | None = None
    header_row = 0
    data: list[tuple[int, list[str], list[bool]]] = []
    for number, raw in rows:
        texts = [cell_text(v) for v in raw]
        if not any(texts):
            continue
        if header_cells is None:
            header_cells, header_row = texts, number
            continue
        numeric = [isinstance(v, int | float) and not isinstance(v, bool) for v in raw]
        data.append((number, texts, numeric))
    if header_cells is None:
        return result

    kind = _classify(header_cells)
    shown = [h for h in header_cells if h]
    if kind is None:
        result.issues.append(
            FileIssue(
                file,
                sheet,
                header_row,
                None,
                "roster.table_unrecognised",
                {
                    "headers": ", ".join(shown),
                    "enterprise_headers": expected_headers(TableKind.ENTERPRISES),
                    "cadre_headers": expected_headers(TableKind.CADRES),
                },
                blocking=True,
            )
        )
        return result

    other = TableKind.CADRES if kind is TableKind.ENTERPRISES else TableKind.ENTERPRISES
    aliases = _ALIASES[kind]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    width = max([len(header_cells)] + [len(texts) for _, texts, _ in data])
    for index in range(width):
        header = header_cells[index] if index < len(header_cells) else ""
        letter = get_column_letter(index + 1)
        if not header:
            if any(index < len(texts) and texts[index] for _, texts, _ in data):
                result.issues.append(
                    FileIssue(
                        file,
                        sheet,
                        header_row,
                        letter,
                        "roster.column_no_header",
                        {"letter": letter},
                    )
                )
            continue
        canonical = aliases.get(_header_key(header))
        if canonical is None:
            result.issues.append(_unknown_column(file, sheet, header_row, header, kind, other))
            continue
        if canonical in headers:
            result.issues.append(
                FileIssue(
                    file,
                    sheet,
                    header_row,
                    header,
                    "roster.column_duplicate",
                    {"header": header, "other": headers[canonical]},
                )
            )
            continue
        positions[canonical] = index
        headers[canonical] = header

    if REQUIRED_COLUMN not in headers:
        result.issues.append(
            FileIssue(
                file,
                sheet,
                header_row,
                None,
                "roster.table_missing_name",
                {
                    "kind": Label(f"roster.kind_{kind.value}"),
                    "expected": expected_headers(kind, REQUIRED_COLUMN),
                },
                blocking=True,
            )
        )
        return result

    table = RosterTable(kind, file, sheet, headers)
    for number, texts, numeric in data:
        cells = {c: texts[i] if i < len(texts) else "" for c, i in positions.items()}
        numbers = frozenset(c for c, i in positions.items() if i < len(numeric) and numeric[i])
        table.rows.append(RosterRow(file, sheet, number, cells, numbers, headers))
    result.tables.append(table)
    return result


def _unknown_column(
    file: str, sheet: str | None, row: int, header: str, kind: TableKind, other: TableKind
) -> FileIssue:
    key = _header_key(header)
    kind_label = Label(f"roster.kind_{kind.value}")
    if key in _ALIASES[other] and _ALIASES[other][key] != REQUIRED_COLUMN:
        return FileIssue(
            file,
            sheet,
            row,
            header,
            "roster.column_other_kind",
            {
                "header": header,
                "kind": kind_label,
                "other_kind": Label(f"roster.kind_{other.value}"),
            },
        )
    suggestion = _suggest(kind, header)
    if suggestion is not None:
        return FileIssue(
            file,
            sheet,
            row,
            header,
            "roster.column_unknown",
            {"header": header, "kind": kind_label, "suggestion": suggestion},
        )
    return FileIssue(
        file,
        sheet,
        row,
        header,
        "roster.column_unknown_no_match",
        {"header": header, "kind": kind_label, "expected": expected_headers(kind)},
    )


# -- file formats ------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str | None:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (⊃ GBK) or Big5.

    GB18030 decodes almost any bytes, so a Big5 file (a roster saved on a traditional-Chinese
    system) reads as plausible-looking nonsense in it. Both are tried and the reading made of
    common characters wins; when neither is (binary, or another encoding), None, so the caller
    reports an encoding problem instead of importing mojibake.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        # Text never holds NUL; this is UTF-16 without a BOM or not text at all.
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings: list[tuple[float, str]] = []
    for codec in ("gb18030", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((common_share(text), text))
    # max() keeps the first of equals: GB18030 wins a tie.
    share, text = max(readings, key=lambda reading: reading[0], default=(0.0, ""))
    return text if share >= PLAUSIBLE_SHARE else None


# A real roster is almost all common characters; mojibake is half rare ones and symbols.
PLAUSIBLE_SHARE = 0.8


def common_share(text: str) -> float:
    """The share of non-ASCII characters that are everyday Chinese characters or punctuation.

    Everyday means GB2312 level 1 (the 3,755 most used hanzi) once converted to simplified, so a
    traditional text scores as well as a simplified one.
    """
    wide = to_simplified("".join(c for c in text if not c.isascii()))
    if not wide:
        return 1.0
    common = 0
    for char in wide:
        if unicodedata.category(char)[0] in "PZ" or "\uff00" <= char <= "\uffef":
            common += 1
            continue
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= encoded[0] <= 0xD7
    return common / len(wide)


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first:
        return ","
    if "\t" in first:
        return "\t"
    return ";" if ";" in first else ","


def read_csv(path: Path, display: str) -> ReadResult:
    """Read one CSV file as a single table."""
    result = ReadResult(sheets=[(display, None)])
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.issues.append(_os_issue(display, exc))
        return result
    text = decode_csv(data)
    if text is None:
        result.issues.append(
            FileIssue(display, None, None, None, "roster.csv_encoding", blocking=True)
        )
        return result
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        # Records, not physical lines: a quoted cell with a line break is still one row in Excel.
        rows = list(enumerate(reader, start=1))
    except csv.Error as exc:
        result.issues.append(
            FileIssue(
                display,
                None,
                None,
                None,
                "roster.csv_unreadable",
                {"reason": str(exc)},
                blocking=True,
            )
        )
        return result
    result.extend(build_table(display, None, rows))
    return result


def read_xlsx(path: Path, display: str) -> ReadResult:
    """Read every sheet of a workbook; each non-empty sheet must be a recognised table."""
    result = ReadResult()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        result.issues.append(_os_issue(display, exc))
        return result
    except Exception as exc:
        # openpyxl raises many unrelated types (KeyError, ValueError, ...) for broken files.
        result.issues.append(_unreadable_xlsx(display, exc))
        return result
    try:
        for sheet in workbook.worksheets:
            # Some writers store a wrong <dimension>; reading without it finds every row.
            reset = getattr(sheet, "reset_dimensions", None)
            if reset is not None:
                reset()
            result.sheets.append((display, sheet.title))
            rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            result.extend(build_table(display, sheet.title, rows))
    except Exception as exc:
        # Corrupt sheet XML only surfaces while iterating the rows.
        result.issues.append(_unreadable_xlsx(display, exc))
    finally:
        workbook.close()
    return result


def _unreadable_xlsx(display: str, exc: Exception) -> FileIssue:
    reason = "not a zip archive" if isinstance(exc, zipfile.BadZipFile) else str(exc)
    return FileIssue(
        display,
        None,
        None,
        None,
        "roster.xlsx_unreadable",
        {"reason": reason or type(exc).__name__},
        blocking=True,
    )


def _os_issue(display: str, exc: OSError) -> FileIssue:
    return FileIssue(
        display,
        None,
        None,
        None,
        "roster.file_os_error",
        {"reason": exc.strerror or str(exc)},
        blocking=True,
    )


def read_roster_file(path: Path, display: str | None = None) -> ReadResult:
    """Read one .xlsx or .csv file; every failure becomes a `FileIssue`, never an exception."""
    shown = display if display is not None else str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        return ReadResult(
            issues=[FileIssue(shown, None, None, None, "roster.file_missing", blocking=True)]
        )
    if not path.is_file():
        return ReadResult(
            issues=[FileIssue(shown, None, None, None, "roster.file_not_file", blocking=True)]
        )
    if suffix == ".xls":
        return ReadResult(
            issues=[FileIssue(shown, None, None, None, "roster.file_xls", blocking=True)]
        )
    if suffix not in SUPPORTED_SUFFIXES:
        return ReadResult(
            issues=[
                FileIssue(
                    shown,
                    None,
                    None,
                    None,
                    "roster.file_unsupported",
                    {"suffix": suffix or "-"},
                    blocking=True,
                )
            ]
        )
    result = read_xlsx(path, shown) if suffix == ".xlsx" else read_csv(path, shown)
    if not result.tables and not result.issues:
        result.issues.append(FileIssue(shown, None, None, None, "roster.file_empty", blocking=True))
    return result


def read_roster_files(paths: Sequence[Path]) -> ReadResult:
    """Read several files in order; the same file named twice is read once."""
    result = ReadResult()
    seen: set[Path] = set()
    for path in paths:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        result.extend(read_roster_file(path))
    return result
