"""Roster import results: problems, the `Checker` that collects them, the error that lists them,
the report, credit codes."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.errors import DomainError
from bot.i18n import DEFAULT_LOCALE, t_plain
from bot.services.roster.rows import FileIssue, Label, Param, ReadResult, RosterRow, TableKind

# GB 32100-2015 统一社会信用代码: 31 symbols (no I, O, S, V, Z), weights 3^i mod 31.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
CREDIT_CODE_LENGTH = 18


def credit_check_char(first17: str) -> str:
    """Return the check character (18th) for the first 17 characters of a credit code.

    Raises:
        ValueError: a character is outside the GB 32100-2015 alphabet or the length is not 17.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1:
        raise ValueError("need exactly 17 characters")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> tuple[str, dict[str, Param]] | None:
    """Explain why `code` is not a valid 统一社会信用代码, or return None when it is."""
    if len(code) != CREDIT_CODE_LENGTH:
        return "roster.credit_length", {"value": code, "length": len(code)}
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_ALPHABET:
            return "roster.credit_char", {"value": code, "position": position, "char": char}
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        return "roster.credit_check", {"value": code, "expected": expected, "actual": code[17]}
    return None


# -- public results ----------------------------------------------------------------------------

# A refusal lists this many problems and counts the rest: a file with thousands of bad rows
# (a wrong column, a wrong file) has one cause, and a screenful of lines shows it.
LISTED_PROBLEMS = 20
# Names listed in one line of the report (enterprises left without a cadre); the rest counted.
LISTED_NAMES = 20


@dataclass(frozen=True)
class RosterProblem:
    """One thing to fix, pointing at the file, sheet, row and column (header as written)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def location(self, locale: str = DEFAULT_LOCALE) -> str:
        """Where the problem is, e.g. `roster.xlsx「企业」工作表 第 5 行「包联干部」列`."""
        return where_text(locale, self.file, self.sheet, self.row, self.column)

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        """Location and message on one line."""
        return t_plain(
            locale, "roster.problem_line", where=self.location(locale), message=self.message
        )


class RosterError(DomainError):
    """The import was refused; nothing was written. `problems` lists every bad cell."""

    key = "roster.failed"

    def __init__(self, problems: list[RosterProblem], locale: str = DEFAULT_LOCALE) -> None:
        super().__init__(count=len(problems))
        self.problems = problems
        self.locale = locale

    def lines(
        self, locale: str | None = None, *, listed: int | None = LISTED_PROBLEMS
    ) -> list[str]:
        """A summary line with the count, a line for each of the first `listed` problems (None:
        all), and one counting the rest; in the import's locale by default."""
        chosen = locale or self.locale
        head = t_plain(chosen, self.key, **self.params)
        shown = self.problems if listed is None else self.problems[:listed]
        out = [head, *(p.describe(chosen) for p in shown)]
        if len(shown) < len(self.problems):
            rest = len(self.problems) - len(shown)
            out.append(t_plain(chosen, "roster.more_problems", count=rest))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class TableSummary:
    """One table that was read: where it came from, what it holds and how many rows."""

    file: str
    sheet: str | None
    kind: TableKind
    rows: int


@dataclass
class RosterReport:
    """What an import changed (or, with dry_run, would change)."""

    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    cadres_created: int = 0
    cadres_updated: int = 0
    cadres_unchanged: int = 0
    assignments_set: int = 0
    contacts_bound: int = 0
    tables: list[TableSummary] = field(default_factory=list)
    # Enterprises in the import left without a primary cadre (包联干部): allowed, but worth a look.
    unassigned: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        """A human summary, one line each, in `locale`."""
        out = [
            t_plain(
                locale,
                "roster.report_table",
                where=where_text(locale, table.file, table.sheet, None, None),
                kind=t_plain(locale, f"roster.kind_{table.kind.value}"),
                rows=table.rows,
            )
            for table in self.tables
        ]
        out.append(
            t_plain(
                locale,
                "roster.report_enterprises",
                created=self.enterprises_created,
                updated=self.enterprises_updated,
                unchanged=self.enterprises_unchanged,
            )
        )
        out.append(
            t_plain(
                locale,
                "roster.report_cadres",
                created=self.cadres_created,
                updated=self.cadres_updated,
                unchanged=self.cadres_unchanged,
            )
        )
        out.append(t_plain(locale, "roster.report_assignments", count=self.assignments_set))
        out.append(t_plain(locale, "roster.report_contacts", count=self.contacts_bound))
        if self.unassigned:
            names = t_plain(locale, "roster.list_separator").join(self.unassigned[:LISTED_NAMES])
            if len(self.unassigned) > LISTED_NAMES:
                rest = len(self.unassigned) - LISTED_NAMES
                names = t_plain(locale, "roster.names_more", names=names, count=rest)
            out.append(
                t_plain(locale, "roster.report_unassigned", count=len(self.unassigned), names=names)
            )
        out.append(
            t_plain(locale, "roster.report_dry_run" if self.dry_run else "roster.report_done")
        )
        return out


def where_text(
    locale: str, file: str, sheet: str | None, row: int | None, column: str | None
) -> str:
    place = (
        t_plain(locale, "roster.where_sheet", file=file, sheet=sheet)
        if sheet is not None
        else t_plain(locale, "roster.where_file", file=file)
    )
    if row is not None:
        place = t_plain(locale, "roster.where_row", place=place, row=row)
    if column is not None:
        place = t_plain(locale, "roster.where_column", place=place, column=column)
    return place


# -- collecting problems -----------------------------------------------------------------------


class Checker:
    """Collects translated problems, ordered by file, sheet and row."""

    def __init__(self, locale: str, read: ReadResult, files: Sequence[str]) -> None:
        self.locale = locale
        self._file_order = {name: i for i, name in enumerate(files)}
        self._sheet_order = {place: i for i, place in enumerate(read.sheets)}
        self._items: list[tuple[tuple[int, int, int, int], RosterProblem]] = []
        self.blocking = False

    def tr(self, key: str, params: Mapping[str, Param]) -> str:
        filled = {
            name: t_plain(self.locale, value.key) if isinstance(value, Label) else value
            for name, value in params.items()
        }
        return t_plain(self.locale, key, **filled)

    def where(self, row: RosterRow | None) -> str:
        if row is None:
            return t_plain(self.locale, "roster.where_database")
        return where_text(self.locale, row.file, row.sheet, row.row, None)

    def _add(
        self, file: str, sheet: str | None, row: int | None, column: str | None, text: str
    ) -> None:
        order = (
            self._file_order.get(file, len(self._file_order)),
            self._sheet_order.get((file, sheet), -1),
            row or 0,
            len(self._items),
        )
        self._items.append((order, RosterProblem(file, sheet, row, column, text)))

    def issue(self, issue: FileIssue) -> None:
        self.blocking = self.blocking or issue.blocking
        text = self.tr(issue.key, issue.params)
        self._add(issue.file, issue.sheet, issue.row, issue.column, text)

    def cell(self, row: RosterRow, column: str, key: str, **params: Param) -> None:
        self._add(row.file, row.sheet, row.row, row.header(column), self.tr(key, params))

    def problems(self) -> list[RosterProblem]:
        return [problem for _, problem in sorted(self._items, key=lambda item: item[0])]
