"""What one roster file may hold, and the checks that keep a file within it before it is loaded.

A file is bounded three ways (`RosterLimits`, from `[roster]`), each checked before the work it
bounds: its size on disk, before it is read; for an .xlsx, a zip whose few MB may unpack into
gigabytes, the size its parts unpack to, as the archive declares it (zipfile never reads more
of a part than declared); and its rows, every sheet's and blank ones too.

The rows of a workbook are counted here, on the sheets' XML as it streams out of the archive
(expat: no tree is built), before openpyxl opens it, because openpyxl cannot stop early: in
read-only mode it reads a whole sheet once when opening it, looking for the dimension a
crafted file leaves out, and holds a whole row while parsing it. So the count stops at the
first row past the limit, and refuses a row wider than Excel allows (16,384 cells); openpyxl
then only ever sees a file within both. A CSV's rows are counted as they are parsed.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from bot.services.roster.rows import FileIssue, Param

MB = 1024 * 1024
# How far an .xlsx may unpack: a roster's XML packs about tenfold, so twenty is room to spare.
XLSX_EXPANSION = 20
EXCEL_COLUMNS = 16_384  # A to XFD: no row Excel or WPS saves is wider
# The namespaces of a worksheet's rows and cells (transitional, as Excel saves; strict).
# A row's number as a sheet writes it (Excel's last row is 1,048,576).
_ROW_NUMBER = re.compile(r"[0-9]{1,7}")
_SHEET_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    }
)


@dataclass(frozen=True)
class RosterLimits:
    """What one roster file may hold (`[roster] max_file_mb` and `max_rows`)."""

    max_mb: int = 5
    max_rows: int = 20_000

    @property
    def max_bytes(self) -> int:
        return self.max_mb * MB

    @property
    def max_unpacked_bytes(self) -> int:
        return XLSX_EXPANSION * self.max_bytes


DEFAULT_LIMITS = RosterLimits()


def size_issue(path: Path, display: str, limits: RosterLimits) -> FileIssue | None:
    """The file is bigger than the limit (checked before it is read); None when it is not.

    Raises:
        OSError: the file cannot be looked at.
    """
    size = path.stat().st_size
    if size <= limits.max_bytes:
        return None
    params: dict[str, Param] = {"size": megabytes(size), "limit": limits.max_mb}
    return FileIssue(display, None, None, None, "roster.file_too_large", params, blocking=True)


def workbook_issue(path: Path, display: str, limits: RosterLimits) -> FileIssue | None:
    """What makes a workbook too big to open: its unpacked size, a row past the row limit or
    a row wider than Excel's; None when it is within them, or no zip at all (opening it says so).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.max_unpacked_bytes:
                params = {
                    "size": megabytes(unpacked),
                    "limit": megabytes(limits.max_unpacked_bytes),
                }
                return FileIssue(
                    display, None, None, None, "roster.xlsx_unpacks", params, blocking=True
                )
            return _count_rows(archive, display, limits.max_rows)
    except (OSError, zipfile.BadZipFile):
        return None


def _count_rows(archive: zipfile.ZipFile, display: str, max_rows: int) -> FileIssue | None:
    """Count every sheet's rows (as openpyxl numbers them: up to the last row's number) and
    each row's cells, stopping at the first past a limit. Every XML part is looked at, so a
    sheet stored under an unusual name counts too; only worksheet rows and cells count."""
    left = max_rows
    for info in archive.infolist():
        if not info.filename.endswith(".xml"):
            continue
        counter = _SheetCounter(left)
        try:
            counter.feed(archive, info)
        except _PastLimit as past:
            key = "roster.too_many_rows" if past.rows else "roster.xlsx_too_wide"
            params = {"limit": max_rows} if past.rows else {"limit": EXCEL_COLUMNS}
            return FileIssue(display, None, None, None, key, params, blocking=True)
        except Exception:  # a broken part (XML, deflate, CRC, encryption)
            continue  # openpyxl stops at the same place and reports the file as unreadable
        left -= counter.row
    return None


class _PastLimit(Exception):
    def __init__(self, *, rows: bool) -> None:
        super().__init__()
        self.rows = rows


class _SheetCounter:
    """Streams one XML part through expat, counting worksheet rows and each row's cells."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.row = 0  # the current row's number: its r="…", else the previous one's plus one
        self.cells = 0

    def feed(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self._start
        with archive.open(info) as part:
            while chunk := part.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace not in _SHEET_NAMESPACES:
            return
        if local == "row":
            number = attrs.get("r", "")
            self.row = int(number) if _ROW_NUMBER.fullmatch(number) else self.row + 1
            self.cells = 0
            if self.row > self.budget:
                raise _PastLimit(rows=True)
        elif local == "c":
            self.cells += 1
            if self.cells > EXCEL_COLUMNS:
                raise _PastLimit(rows=False)


class TooManyRows(Exception):
    """The file has more rows than the limit; reading it stops here."""


class RowBudget:
    """Counts a file's rows as they are read, across its sheets."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def count(
        self, rows: Iterable[tuple[int, Sequence[object]]]
    ) -> Iterator[tuple[int, Sequence[object]]]:
        """Pass the rows on, one at a time; raise `TooManyRows` at the first past the limit."""
        for row in rows:
            if self.left == 0:
                raise TooManyRows
            self.left -= 1
            yield row

    def issue(self, display: str) -> FileIssue:
        """The refusal, naming the limit."""
        params: dict[str, Param] = {"limit": self.limit}
        return FileIssue(display, None, None, None, "roster.too_many_rows", params, blocking=True)


def megabytes(size: int) -> str:
    """Megabytes to one decimal, rounded up: a file just over 5 MB is not "5.0 MB"."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}"
