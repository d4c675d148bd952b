"""Roster import: enterprises, cadres, 包联 assignments and contacts from spreadsheets.

`RosterService.import_files` reads every file, validates every row against the other rows and
the database, and only when nothing is wrong writes everything in one transaction. Any problem
aborts the whole import with a `RosterError` listing each bad cell, so a half-imported roster
never exists. Importing the same files again finds nothing to change and writes nothing.

Column semantics: a column missing from a table leaves that field as it is in the database; a
column that is present but blank clears the field (the sheet is the truth for its rows). Telegram
ids are the exception: a blank cell keeps a cadre's bound account, because people bind through
invite links and a roster without ids must not unbind them.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.clock import Clock, to_iso
from bot.domain.models import Cadre, Enterprise, Role
from bot.errors import DomainError
from bot.i18n import DEFAULT_LOCALE, LOCALES, t
from bot.roster_files import (
    FileIssue,
    Label,
    Param,
    ReadResult,
    RosterRow,
    TableKind,
    normalize_name,
    read_roster_files,
    split_ids,
)
from storage.db import Database
from storage.repos.people import PeopleRepo

CONTACT_SOURCE = "roster"
MAX_TELEGRAM_DIGITS = 15

_ROLE_WORDS: dict[str, Role] = {
    "": Role.CADRE,
    "cadre": Role.CADRE,
    "干部": Role.CADRE,
    "包联干部": Role.CADRE,
    "leader": Role.LEADER,
    "领导": Role.LEADER,
    "分管领导": Role.LEADER,
    "admin": Role.ADMIN,
    "管理员": Role.ADMIN,
}
_PHONE = re.compile(r"[0-9 +\-]{7,20}")
_TELEGRAM_ID = re.compile(rf"[1-9][0-9]{{0,{MAX_TELEGRAM_DIGITS - 1}}}")
_SCIENTIFIC = re.compile(r"[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+")

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
        return _where(locale, self.file, self.sheet, self.row, self.column)

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        """Location and message on one line."""
        return t(locale, "roster.problem_line", where=self.location(locale), message=self.message)


class RosterError(DomainError):
    """The import was refused; nothing was written. `problems` lists every bad cell."""

    key = "roster.failed"

    def __init__(self, problems: list[RosterProblem], locale: str = DEFAULT_LOCALE) -> None:
        super().__init__(count=len(problems))
        self.problems = problems
        self.locale = locale

    def lines(self, locale: str | None = None) -> list[str]:
        """A summary line followed by one line per problem, in the import's locale by default."""
        chosen = locale or self.locale
        head = t(chosen, self.key, **self.params)
        return [head, *(p.describe(chosen) for p in self.problems)]

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
            t(
                locale,
                "roster.report_table",
                where=_where(locale, table.file, table.sheet, None, None),
                kind=t(locale, f"roster.kind_{table.kind.value}"),
                rows=table.rows,
            )
            for table in self.tables
        ]
        out.append(
            t(
                locale,
                "roster.report_enterprises",
                created=self.enterprises_created,
                updated=self.enterprises_updated,
                unchanged=self.enterprises_unchanged,
            )
        )
        out.append(
            t(
                locale,
                "roster.report_cadres",
                created=self.cadres_created,
                updated=self.cadres_updated,
                unchanged=self.cadres_unchanged,
            )
        )
        out.append(t(locale, "roster.report_assignments", count=self.assignments_set))
        out.append(t(locale, "roster.report_contacts", count=self.contacts_bound))
        if self.unassigned:
            names = t(locale, "roster.list_separator").join(self.unassigned)
            out.append(
                t(locale, "roster.report_unassigned", count=len(self.unassigned), names=names)
            )
        out.append(t(locale, "roster.report_dry_run" if self.dry_run else "roster.report_done"))
        return out


def _where(locale: str, file: str, sheet: str | None, row: int | None, column: str | None) -> str:
    place = (
        t(locale, "roster.where_sheet", file=file, sheet=sheet)
        if sheet is not None
        else t(locale, "roster.where_file", file=file)
    )
    if row is not None:
        place = t(locale, "roster.where_row", place=place, row=row)
    if column is not None:
        place = t(locale, "roster.where_column", place=place, column=column)
    return place


# -- parsed rows and the database snapshot -----------------------------------------------------


@dataclass
class _CadreRow:
    row: RosterRow
    name: str
    phone: str | None
    role: Role | None  # None: the role cell was invalid (already reported)
    leader: str | None  # normalised name; None for a blank cell
    telegram_id: int | None


@dataclass
class _EnterpriseRow:
    row: RosterRow
    name: str
    credit_code: str | None
    industry: str | None
    grid: str | None
    primary: str | None
    backup: str | None
    contacts: list[int]


@dataclass
class _Snapshot:
    """What the database holds now, read inside the import's transaction."""

    cadres: dict[str, Cadre]
    enterprises: dict[str, Enterprise]
    # enterprise name -> (primary name, backup name) for enterprises that have an assignment row
    assignments: dict[str, tuple[str | None, str | None]]
    # contact telegram id -> enterprise name, for the ids this import mentions
    contacts: dict[int, str]

    def cadre_names_by_id(self) -> dict[int, str]:
        return {c.id: c.name for c in self.cadres.values()}


@dataclass
class _Owner:
    """Who holds a unique value (telegram id, credit code): an import row or the database."""

    name: str
    row: RosterRow | None  # None: the database, not this import


@dataclass
class _Plan:
    report: RosterReport
    cadres: list[tuple[_CadreRow, bool, bool]] = field(default_factory=list)  # row, write, set tg
    leaders: list[tuple[str, str | None]] = field(default_factory=list)
    release_codes: list[_EnterpriseRow] = field(default_factory=list)
    enterprises: list[tuple[_EnterpriseRow, bool]] = field(default_factory=list)  # row, write
    assignments: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    contacts: list[tuple[int, str]] = field(default_factory=list)
    final: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)


class _Checker:
    """Collects translated problems, ordered by file, sheet and row."""

    def __init__(self, locale: str, read: ReadResult, files: Sequence[str]) -> None:
        self.locale = locale
        self._file_order = {name: i for i, name in enumerate(files)}
        self._sheet_order = {place: i for i, place in enumerate(read.sheets)}
        self._items: list[tuple[tuple[int, int, int, int], RosterProblem]] = []
        self.blocking = False

    def tr(self, key: str, params: Mapping[str, Param]) -> str:
        filled = {
            name: t(self.locale, value.key) if isinstance(value, Label) else value
            for name, value in params.items()
        }
        return t(self.locale, key, **filled)

    def where(self, row: RosterRow | None) -> str:
        if row is None:
            return t(self.locale, "roster.where_database")
        return _where(self.locale, row.file, row.sheet, row.row, None)

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


# -- per-cell parsing --------------------------------------------------------------------------


def _optional(text: str) -> str | None:
    return text or None


def _parse_telegram(check: _Checker, row: RosterRow, column: str, text: str) -> int | None:
    value = unicodedata.normalize("NFKC", text).strip()
    # A CSV saved from a float column says 7100000001.0; the id itself is unambiguous.
    whole = re.fullmatch(r"([0-9]+)\.0+", value)
    if whole:
        value = whole.group(1)
    if _SCIENTIFIC.fullmatch(value):
        check.cell(row, column, "roster.telegram_scientific", value=text)
        return None
    if value.startswith("@") or re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,}", value):
        check.cell(row, column, "roster.telegram_username", value=text)
        return None
    if not _TELEGRAM_ID.fullmatch(value):
        check.cell(row, column, "roster.telegram_invalid", value=text, digits=MAX_TELEGRAM_DIGITS)
        return None
    return int(value)


def _parse_cadre(check: _Checker, row: RosterRow) -> _CadreRow | None:
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.cadre_name_required")
        return None
    phone = unicodedata.normalize("NFKC", row.get("phone")).strip() or None
    if phone is not None and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 7):
        check.cell(row, "phone", "roster.phone_invalid", value=row.get("phone"))
    role_text = unicodedata.normalize("NFKC", row.get("role")).strip()
    role = _ROLE_WORDS.get(role_text.casefold())
    if role is None:
        check.cell(row, "role", "roster.role_invalid", value=role_text)
    telegram_text = row.get("telegram_id")
    telegram_id = (
        _parse_telegram(check, row, "telegram_id", telegram_text) if telegram_text else None
    )
    leader = normalize_name(row.get("leader")) or None
    return _CadreRow(row, name, phone, role, leader, telegram_id)


def _parse_credit_code(check: _Checker, row: RosterRow) -> str | None:
    raw = row.get("credit_code")
    if not raw:
        return None
    code = unicodedata.normalize("NFKC", raw).strip().upper()
    error = credit_code_error(code)
    if error is None:
        return code
    if "credit_code" in row.numeric:
        # An 18-digit number cannot survive Excel's 15 significant digits; say so plainly.
        check.cell(row, "credit_code", "roster.credit_numeric", value=raw)
    else:
        key, params = error
        check.cell(row, "credit_code", key, **params)
    return None


def _parse_enterprise(check: _Checker, row: RosterRow) -> _EnterpriseRow | None:
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.enterprise_name_required")
        return None
    contacts: list[int] = []
    for part in split_ids(row.get("contact_telegram_ids")):
        parsed = _parse_telegram(check, row, "contact_telegram_ids", part)
        if parsed is not None and parsed not in contacts:
            contacts.append(parsed)
    return _EnterpriseRow(
        row=row,
        name=name,
        credit_code=_parse_credit_code(check, row),
        industry=_optional(row.get("industry")),
        grid=_optional(row.get("grid")),
        primary=normalize_name(row.get("primary_cadre")) or None,
        backup=normalize_name(row.get("backup_cadre")) or None,
        contacts=contacts,
    )


# -- the service -------------------------------------------------------------------------------


class RosterService:
    """Import the park roster from spreadsheets, all or nothing."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.people = PeopleRepo(db)

    async def import_files(
        self, paths: Sequence[Path], *, locale: str = DEFAULT_LOCALE, dry_run: bool = False
    ) -> RosterReport:
        """Validate every row of every file, then write them all in one transaction.

        Args:
            paths: `.xlsx` and `.csv` files, holding enterprise and cadre tables in any order.
            locale: language of problem messages (`zh_CN` or `en`).
            dry_run: validate and count the changes, but write nothing.

        Returns:
            Counts of what was created, updated and bound, and the tables that were read.

        Raises:
            RosterError: anything is wrong in any file; the database is left unchanged.
            ValueError: `locale` is not a supported locale.
        """
        if locale not in LOCALES:
            raise ValueError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
        paths = list(paths)
        # openpyxl is slow and blocking; keep the event loop (and the bot) responsive.
        read = await asyncio.to_thread(read_roster_files, paths)
        check = _Checker(locale, read, [str(p) for p in paths])
        for issue in read.issues:
            check.issue(issue)
        cadre_rows: list[_CadreRow] = []
        enterprise_rows: list[_EnterpriseRow] = []
        for table in read.tables:
            for row in table.rows:
                if table.kind is TableKind.CADRES:
                    parsed_cadre = _parse_cadre(check, row)
                    if parsed_cadre is not None:
                        cadre_rows.append(parsed_cadre)
                else:
                    parsed_enterprise = _parse_enterprise(check, row)
                    if parsed_enterprise is not None:
                        enterprise_rows.append(parsed_enterprise)

        # Reading the database and writing happen in one transaction, so nothing can change
        # between the checks and the writes.
        async with self.db.transaction():
            snapshot = await self._snapshot(cadre_rows, enterprise_rows)
            cadre_rows = _unique(check, cadre_rows, "roster.cadre_duplicate")
            enterprise_rows = _unique(check, enterprise_rows, "roster.enterprise_duplicate")
            _check_cadres(check, cadre_rows, snapshot)
            _check_enterprises(check, enterprise_rows, cadre_rows, snapshot)
            problems = check.problems()
            if problems:
                raise RosterError(problems, locale)
            report = RosterReport(
                tables=[
                    TableSummary(tb.file, tb.sheet, tb.kind, len(tb.rows)) for tb in read.tables
                ],
                dry_run=dry_run,
            )
            plan = _plan(report, cadre_rows, enterprise_rows, snapshot)
            if not dry_run:
                await self._apply(plan, snapshot)
        return report

    async def _snapshot(
        self, cadre_rows: list[_CadreRow], enterprise_rows: list[_EnterpriseRow]
    ) -> _Snapshot:
        cadres = await self.people.cadres()
        enterprises = await self.people.enterprises()
        names = {c.id: c.name for c in cadres}
        by_id = {e.id: e.name for e in enterprises}
        imported = {row.name for row in enterprise_rows}
        assignments: dict[str, tuple[str | None, str | None]] = {}
        for enterprise in enterprises:
            if enterprise.name not in imported:
                continue
            assignment = await self.people.assignment(enterprise.id)
            if assignment is not None:
                assignments[enterprise.name] = (
                    names.get(assignment.primary_cadre_id or 0),
                    names.get(assignment.backup_cadre_id or 0),
                )
        contacts: dict[int, str] = {}
        mentioned = {tg for row in enterprise_rows for tg in row.contacts}
        mentioned |= {row.telegram_id for row in cadre_rows if row.telegram_id is not None}
        for telegram_id in sorted(mentioned):
            enterprise_id = await self.people.contact_enterprise(telegram_id)
            if enterprise_id is not None:
                contacts[telegram_id] = by_id.get(enterprise_id, str(enterprise_id))
        return _Snapshot(
            cadres={c.name: c for c in cadres},
            enterprises={e.name: e for e in enterprises},
            assignments=assignments,
            contacts=contacts,
        )

    async def _apply(self, plan: _Plan, snapshot: _Snapshot) -> None:
        now = to_iso(self.clock.now())
        cadre_ids = {name: c.id for name, c in snapshot.cadres.items()}
        # Pass 1: every cadre exists before anyone is linked to a leader or an enterprise.
        for row, write, set_telegram in plan.cadres:
            existing = snapshot.cadres.get(row.name)
            if write:
                # The id goes through set_cadre_telegram, which releases it from its previous
                # holder first; inserting it directly would break UNIQUE on a swap.
                cadre_ids[row.name] = await self.people.upsert_cadre(
                    name=row.name,
                    phone=_final_phone(row, existing),
                    role=_final_role(row, existing).value,
                    telegram_id=None,
                    now=now,
                )
            if set_telegram and row.telegram_id is not None:
                await self.people.set_cadre_telegram(cadre_ids[row.name], row.telegram_id, now)
        # Pass 2: leaders, now that every name has an id.
        for name, leader in plan.leaders:
            await self.people.set_cadre_leader(
                cadre_ids[name], cadre_ids[leader] if leader is not None else None
            )
        # Credit codes are UNIQUE: free the ones that move before any is reassigned.
        for moving in plan.release_codes:
            await self.people.upsert_enterprise(
                name=moving.name, credit_code=None, industry=None, grid=None, now=now
            )
        enterprise_ids = {name: e.id for name, e in snapshot.enterprises.items()}
        for ent_row, write in plan.enterprises:
            if write:
                credit_code, industry, grid = plan.final[ent_row.name]
                enterprise_ids[ent_row.name] = await self.people.upsert_enterprise(
                    name=ent_row.name,
                    credit_code=credit_code,
                    industry=industry,
                    grid=grid,
                    now=now,
                )
        for name, primary, backup in plan.assignments:
            await self.people.set_assignment(
                enterprise_ids[name],
                cadre_ids[primary] if primary is not None else None,
                cadre_ids[backup] if backup is not None else None,
                now,
            )
        for telegram_id, name in plan.contacts:
            await self.people.bind_contact(telegram_id, enterprise_ids[name], CONTACT_SOURCE, now)


# -- cross-row checks --------------------------------------------------------------------------


_R = TypeVar("_R", _CadreRow, _EnterpriseRow)


def _unique(check: _Checker, rows: list[_R], key: str) -> list[_R]:
    """Keep the first row of each name; every later one is a problem naming the first."""
    first: dict[str, _R] = {}
    for row in rows:
        if row.name in first:
            check.cell(row.row, "name", key, name=row.name, other=check.where(first[row.name].row))
        else:
            first[row.name] = row
    return list(first.values())


def _final_role(row: _CadreRow, existing: Cadre | None) -> Role:
    if row.row.has("role"):
        return row.role or Role.CADRE
    return existing.role if existing is not None else Role.CADRE


def _final_phone(row: _CadreRow, existing: Cadre | None) -> str | None:
    if row.row.has("phone"):
        return row.phone
    return existing.phone if existing is not None else None


def _attr(enterprise: Enterprise | None, name: str) -> str | None:
    value = getattr(enterprise, name, None) if enterprise is not None else None
    return None if value is None else str(value)


def _cadre_telegram_owners(
    cadre_rows: list[_CadreRow], snapshot: _Snapshot
) -> dict[int, list[_Owner]]:
    """Telegram id -> cadres holding it after the import; the database's holders come first."""
    owners: dict[int, list[_Owner]] = {}
    imported = {row.name: row for row in cadre_rows}
    for cadre in snapshot.cadres.values():
        if cadre.telegram_id is None:
            continue
        row = imported.get(cadre.name)
        if row is not None and row.telegram_id is not None:
            continue  # replaced by the import's value
        owners.setdefault(cadre.telegram_id, []).append(_Owner(cadre.name, None))
    for row in cadre_rows:
        if row.telegram_id is not None:
            owners.setdefault(row.telegram_id, []).append(_Owner(row.name, row.row))
    return owners


def _check_cadres(check: _Checker, cadre_rows: list[_CadreRow], snapshot: _Snapshot) -> None:
    imported = {row.name: row for row in cadre_rows}

    def role_of(name: str) -> Role | None:
        row = imported.get(name)
        if row is not None:
            if row.row.has("role") and row.role is None:
                return Role.LEADER  # their role cell is wrong and already reported
            return _final_role(row, snapshot.cadres.get(name))
        cadre = snapshot.cadres.get(name)
        return cadre.role if cadre is not None else None

    for telegram_id, owners in _cadre_telegram_owners(cadre_rows, snapshot).items():
        for owner in owners[1:]:
            if owner.row is not None:
                check.cell(
                    owner.row,
                    "telegram_id",
                    "roster.telegram_cadre_conflict",
                    id=telegram_id,
                    other=owners[0].name,
                    where=check.where(owners[0].row),
                )
    for row in cadre_rows:
        if row.telegram_id is not None and row.telegram_id in snapshot.contacts:
            check.cell(
                row.row,
                "telegram_id",
                "roster.telegram_is_contact",
                id=row.telegram_id,
                enterprise=snapshot.contacts[row.telegram_id],
                where=check.where(None),
            )

    if check.blocking:
        # A table that could not be read may hold the leaders named here; judging the names now
        # would bury the real problem under false "unknown leader" reports.
        return
    for row in cadre_rows:
        if row.leader is None:
            continue
        if row.leader == row.name:
            check.cell(row.row, "leader", "roster.leader_self", name=row.name)
            continue
        leader_role = role_of(row.leader)
        if leader_role is None:
            check.cell(row.row, "leader", "roster.leader_unknown", name=row.leader)
        elif leader_role is Role.CADRE:
            check.cell(
                row.row,
                "leader",
                "roster.leader_not_leader",
                name=row.leader,
                role=Label(f"roster.role_{leader_role.value}"),
            )

    # A loop (A's leader is B, B's leader is A) would send escalations round for ever.
    names_by_id = snapshot.cadre_names_by_id()
    leader_of: dict[str, str | None] = {
        c.name: names_by_id.get(c.leader_id or 0) for c in snapshot.cadres.values()
    }
    for row in cadre_rows:
        if row.row.has("leader"):
            leader_of[row.name] = row.leader
    for row in cadre_rows:
        chain = [row.name]
        current = leader_of.get(row.name)
        while current is not None and current not in chain:
            chain.append(current)
            current = leader_of.get(current)
        if current == row.name and len(chain) > 1:
            check.cell(
                row.row, "leader", "roster.leader_cycle", chain=" → ".join([*chain, row.name])
            )


def _check_enterprises(
    check: _Checker,
    enterprise_rows: list[_EnterpriseRow],
    cadre_rows: list[_CadreRow],
    snapshot: _Snapshot,
) -> None:
    # Contacts: one enterprise each, and never a cadre's account.
    cadre_owners = _cadre_telegram_owners(cadre_rows, snapshot)
    contact_owner: dict[int, _EnterpriseRow] = {}
    for row in enterprise_rows:
        for telegram_id in row.contacts:
            holders = cadre_owners.get(telegram_id)
            if holders:
                check.cell(
                    row.row,
                    "contact_telegram_ids",
                    "roster.contact_is_cadre",
                    id=telegram_id,
                    other=holders[0].name,
                    where=check.where(holders[0].row),
                )
            elif telegram_id in contact_owner:
                first = contact_owner[telegram_id]
                check.cell(
                    row.row,
                    "contact_telegram_ids",
                    "roster.contact_duplicate",
                    id=telegram_id,
                    other=first.name,
                    where=check.where(first.row),
                )
            else:
                contact_owner[telegram_id] = row

    # Credit codes: unique across the enterprises as they will be after the import.
    imported = {row.name: row for row in enterprise_rows}
    code_owners: dict[str, list[_Owner]] = {}
    for enterprise in snapshot.enterprises.values():
        same = imported.get(enterprise.name)
        if enterprise.credit_code is None or (same is not None and same.row.has("credit_code")):
            continue
        code_owners.setdefault(enterprise.credit_code, []).append(_Owner(enterprise.name, None))
    for row in enterprise_rows:
        if row.credit_code is not None:
            code_owners.setdefault(row.credit_code, []).append(_Owner(row.name, row.row))
    for code, owners in code_owners.items():
        for owner in owners[1:]:
            if owner.row is not None:
                check.cell(
                    owner.row,
                    "credit_code",
                    "roster.credit_duplicate",
                    code=code,
                    other=owners[0].name,
                    where=check.where(owners[0].row),
                )

    if check.blocking:
        return  # see _check_cadres: the missing table may hold these cadres
    known = {row.name for row in cadre_rows} | set(snapshot.cadres)
    for row in enterprise_rows:
        primary, backup = _final_assignment(row, snapshot)
        if row.primary is not None and row.primary not in known:
            check.cell(row.row, "primary_cadre", "roster.primary_unknown", name=row.primary)
        if row.backup is not None and row.backup not in known:
            check.cell(row.row, "backup_cadre", "roster.backup_unknown", name=row.backup)
        if backup is not None and backup == primary:
            check.cell(row.row, "backup_cadre", "roster.backup_same", name=backup)
        elif backup is not None and primary is None:
            check.cell(row.row, "backup_cadre", "roster.backup_without_primary", name=backup)


def _final_assignment(row: _EnterpriseRow, snapshot: _Snapshot) -> tuple[str | None, str | None]:
    current = snapshot.assignments.get(row.name, (None, None))
    primary = row.primary if row.row.has("primary_cadre") else current[0]
    backup = row.backup if row.row.has("backup_cadre") else current[1]
    return primary, backup


# -- planning ----------------------------------------------------------------------------------


def _plan(
    report: RosterReport,
    cadre_rows: list[_CadreRow],
    enterprise_rows: list[_EnterpriseRow],
    snapshot: _Snapshot,
) -> _Plan:
    """Decide what to write; unchanged rows are not written so a re-import changes nothing."""
    plan = _Plan(report)
    names_by_id = snapshot.cadre_names_by_id()
    for row in cadre_rows:
        existing = snapshot.cadres.get(row.name)
        role = _final_role(row, existing)
        if existing is None:
            write, set_telegram, changed = True, row.telegram_id is not None, True
        else:
            phone = _final_phone(row, existing)
            write = phone != existing.phone or role is not existing.role
            set_telegram = row.telegram_id is not None and row.telegram_id != existing.telegram_id
            changed = write or set_telegram
        if row.row.has("leader"):
            current = names_by_id.get(existing.leader_id or 0) if existing else None
            if row.leader != current:
                plan.leaders.append((row.name, row.leader))
                changed = True
        plan.cadres.append((row, write, set_telegram))
        if existing is None:
            report.cadres_created += 1
        elif changed:
            report.cadres_updated += 1
        else:
            report.cadres_unchanged += 1

    for ent_row in enterprise_rows:
        ent = snapshot.enterprises.get(ent_row.name)
        has = ent_row.row.has
        final = (
            ent_row.credit_code if has("credit_code") else _attr(ent, "credit_code"),
            ent_row.industry if has("industry") else _attr(ent, "industry"),
            ent_row.grid if has("grid") else _attr(ent, "grid"),
        )
        plan.final[ent_row.name] = final
        if ent is None:
            write = True
            report.enterprises_created += 1
        else:
            write = final != (ent.credit_code, ent.industry, ent.grid)
            if write:
                report.enterprises_updated += 1
            else:
                report.enterprises_unchanged += 1
            if ent.credit_code is not None and final[0] != ent.credit_code:
                plan.release_codes.append(ent_row)
        plan.enterprises.append((ent_row, write))

        primary, backup = _final_assignment(ent_row, snapshot)
        assigned = snapshot.assignments.get(ent_row.name)
        if (primary, backup) != (assigned or (None, None)):
            plan.assignments.append((ent_row.name, primary, backup))
            report.assignments_set += 1
        if primary is None:
            report.unassigned.append(ent_row.name)
        for telegram_id in ent_row.contacts:
            if snapshot.contacts.get(telegram_id) != ent_row.name:
                plan.contacts.append((telegram_id, ent_row.name))
                report.contacts_bound += 1
    return plan
