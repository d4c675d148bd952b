"""Recognise one sheet (or CSV) as a table of enterprises or cadres from its header row.

Headers are matched loosely (full-width, traditional, spacing and punctuation folded); a header
that matches nothing gets a suggestion, or is named as the other kind's column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.textnorm import to_simplified
from bot.services.roster.rows import (
    COLUMNS,
    REQUIRED_COLUMN,
    FileIssue,
    Label,
    Param,
    ReadResult,
    RosterRow,
    RosterTable,
    TableKind,
    cell_text,
)


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


def _classify(headers: Sequence[str]) -> TableKind | None:
    """Pick the kind whose aliases cover more headers; a tie (e.g. only "name") is unknown."""
    keys = [_header_key(h) for h in headers if h]
    scores = {kind: sum(k in _ALIASES[kind] for k in keys) for kind in TableKind}
    enterprise, cadre = scores[TableKind.ENTERPRISES], scores[TableKind.CADRES]
    if enterprise == cadre:
        return None
    return TableKind.ENTERPRISES if enterprise > cadre else TableKind.CADRES


@dataclass
class _Sheet:
    """A sheet's content: its header row and the numbered non-blank rows under it."""

    file: str
    sheet: str | None
    header_row: int
    header_cells: list[str]
    # Row number, cell texts, and which cells were numbers in Excel.
    data: list[tuple[int, list[str], list[bool]]]

    def issue(
        self, column: str | None, key: str, params: dict[str, Param], *, blocking: bool = False
    ) -> FileIssue:
        """An issue about the header row."""
        return FileIssue(
            self.file, self.sheet, self.header_row, column, key, params, blocking=blocking
        )


def build_table(
    file: str, sheet: str | None, rows: Iterable[tuple[int, Sequence[object]]]
) -> ReadResult:
    """Recognise one sheet (or CSV) from its numbered raw rows; skip fully blank rows.

    The first non-blank row is the header. Returns no table for a sheet with no content at all.
    """
    result = ReadResult()
    content = _split_header(file, sheet, rows)
    if content is None:
        return result
    kind = _classify(content.header_cells)
    if kind is None:
        shown = [h for h in content.header_cells if h]
        result.issues.append(
            content.issue(
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

    positions, headers = _map_columns(content, kind, result.issues)
    if REQUIRED_COLUMN not in headers:
        result.issues.append(
            content.issue(
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
    for number, texts, numeric in content.data:
        cells = {c: texts[i] if i < len(texts) else "" for c, i in positions.items()}
        numbers = frozenset(c for c, i in positions.items() if i < len(numeric) and numeric[i])
        table.rows.append(RosterRow(file, sheet, number, cells, numbers, headers))
    result.tables.append(table)
    return result


def _split_header(
    file: str, sheet: str | None, rows: Iterable[tuple[int, Sequence[object]]]
) -> _Sheet | None:
    """The first non-blank row as the header, the non-blank rows after it as data; None if blank."""
    content: _Sheet | None = None
    for number, raw in rows:
        texts = [cell_text(v) for v in raw]
        if not any(texts):
            continue
        if content is None:
            content = _Sheet(file, sheet, number, texts, [])
            continue
        numeric = [isinstance(v, int | float) and not isinstance(v, bool) for v in raw]
        content.data.append((number, texts, numeric))
    return content


def _map_columns(
    content: _Sheet, kind: TableKind, issues: list[FileIssue]
) -> tuple[dict[str, int], dict[str, str]]:
    """Canonical column -> position and -> header as written; every unusable header an issue."""
    other = TableKind.CADRES if kind is TableKind.ENTERPRISES else TableKind.ENTERPRISES
    aliases = _ALIASES[kind]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    data = content.data
    width = max([len(content.header_cells)] + [len(texts) for _, texts, _ in data])
    for index in range(width):
        header = content.header_cells[index] if index < len(content.header_cells) else ""
        letter = column_letter(index + 1)
        if not header:
            if any(index < len(texts) and texts[index] for _, texts, _ in data):
                issues.append(content.issue(letter, "roster.column_no_header", {"letter": letter}))
            continue
        canonical = aliases.get(_header_key(header))
        if canonical is None:
            issues.append(
                _unknown_column(
                    content.file, content.sheet, content.header_row, header, kind, other
                )
            )
            continue
        if canonical in headers:
            issues.append(
                content.issue(
                    header,
                    "roster.column_duplicate",
                    {"header": header, "other": headers[canonical]},
                )
            )
            continue
        positions[canonical] = index
        headers[canonical] = header
    return positions, headers


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


def column_letter(number: int) -> str:
    """A spreadsheet's name for column `number` (1 is A, 27 is AA), as Excel and WPS show it.

    Here rather than openpyxl's: a CSV roster needs no spreadsheet library in the bot's process.
    """
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
