"""What a read roster is made of, and how its cells and names are normalised.

Table kinds and their accepted column headers, rows that remember the file, sheet and row number
the user sees (the header is row 1), tables, and `FileIssue`s. Issues hold a catalog key and
parameters rather than text, so the caller translates them into the user's language.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


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
