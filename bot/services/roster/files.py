"""Read roster spreadsheets (.xlsx, .csv) into recognised tables of enterprises and cadres.

Pure file handling, no database: `read_roster_files` turns files into `RosterTable`s (see
`bot.services.roster.rows`), plus `FileIssue`s for everything that could not be read or
understood; every failure becomes an issue, never an exception.

A file past its limits (`bot.services.roster.limits`: size, an .xlsx's unpacked size, rows) is
refused before it is read, or, a CSV, as soon as its rows pass the limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path

from bot.domain.textnorm import to_simplified
from bot.services.roster.limits import (
    DEFAULT_LIMITS,
    RosterLimits,
    RowBudget,
    TooManyRows,
    size_issue,
    workbook_issue,
)
from bot.services.roster.rows import FileIssue, ReadResult
from bot.services.roster.tables import build_table

SUPPORTED_SUFFIXES: tuple[str, ...] = (".xlsx", ".csv")


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


def read_csv(path: Path, display: str, limits: RosterLimits = DEFAULT_LIMITS) -> ReadResult:
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
    budget = RowBudget(limits.max_rows)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        # Records, not physical lines: a quoted cell with a line break is still one row in Excel.
        rows = list(budget.count(enumerate(reader, start=1)))
    except TooManyRows:
        result.issues.append(budget.issue(display))
        return result
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


def read_xlsx(path: Path, display: str, limits: RosterLimits = DEFAULT_LIMITS) -> ReadResult:
    """Read every sheet of a workbook; each non-empty sheet must be a recognised table."""
    # Here, not at the top: the bot process needs openpyxl only when a roster arrives.
    from openpyxl import load_workbook

    result = ReadResult()
    # Before openpyxl: it cannot be stopped early (see `bot.services.roster.limits`).
    too_big = workbook_issue(path, display, limits)
    if too_big is not None:
        result.issues.append(too_big)
        return result
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


def read_roster_file(
    path: Path, display: str | None = None, limits: RosterLimits = DEFAULT_LIMITS
) -> ReadResult:
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
    try:
        too_big = size_issue(path, shown, limits)
    except OSError as exc:
        return ReadResult(issues=[_os_issue(shown, exc)])
    if too_big is not None:
        return ReadResult(issues=[too_big])
    read = read_xlsx if suffix == ".xlsx" else read_csv
    result = read(path, shown, limits)
    if not result.tables and not result.issues:
        result.issues.append(FileIssue(shown, None, None, None, "roster.file_empty", blocking=True))
    return result


def read_roster_files(paths: Sequence[Path], limits: RosterLimits = DEFAULT_LIMITS) -> ReadResult:
    """Read several files in order, each within `limits`; the same file named twice is read
    once."""
    result = ReadResult()
    seen: set[Path] = set()
    for path in paths:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        result.extend(read_roster_file(path, limits=limits))
    return result
