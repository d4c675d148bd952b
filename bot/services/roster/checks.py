"""Roster import validation and planning: every row checked against the others and the database.

Nothing here writes: `plan` turns validated rows into the changes `RosterService` applies.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from bot.domain.models import Cadre, Enterprise, Role
from bot.domain.textnorm import to_simplified
from bot.i18n import t_plain
from bot.services.roster.cells import cell_problems
from bot.services.roster.files import (
    FileIssue,
    Label,
    Param,
    ReadResult,
    RosterRow,
    TableKind,
    normalize_name,
    split_ids,
)
from bot.services.roster.model import RosterProblem, RosterReport, credit_code_error, where_text

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


@dataclass
class CadreRow:
    row: RosterRow
    name: str
    phone: str | None
    role: Role | None  # None: the role cell was invalid (already reported)
    leader: str | None  # normalised name; None for a blank cell
    telegram_id: int | None


@dataclass
class EnterpriseRow:
    row: RosterRow
    name: str
    credit_code: str | None
    industry: str | None
    grid: str | None
    primary: str | None
    backup: str | None
    contacts: list[int]


@dataclass
class Snapshot:
    """What the database holds now, read inside the import's transaction."""

    cadres: dict[str, Cadre]
    enterprises: dict[str, Enterprise]
    # enterprise name -> (primary name, backup name) for enterprises that have an assignment row
    assignments: dict[str, tuple[str | None, str | None]]
    # contact telegram id -> the names of the enterprises it is bound to, for the ids this
    # import mentions
    contacts: dict[int, list[str]]

    def cadre_names_by_id(self) -> dict[int, str]:
        return {c.id: c.name for c in self.cadres.values()}


@dataclass
class Owner:
    """Who holds a unique value (telegram id, credit code): an import row or the database."""

    name: str
    row: RosterRow | None  # None: the database, not this import


@dataclass
class Plan:
    report: RosterReport
    cadres: list[tuple[CadreRow, bool, bool]] = field(default_factory=list)  # row, write, set tg
    leaders: list[tuple[str, str | None]] = field(default_factory=list)
    release_codes: list[EnterpriseRow] = field(default_factory=list)
    enterprises: list[tuple[EnterpriseRow, bool]] = field(default_factory=list)  # row, write
    assignments: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # telegram id -> every enterprise this import lists it under (its bindings become these)
    contacts: dict[int, list[str]] = field(default_factory=dict)
    final: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)


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


# -- per-cell parsing --------------------------------------------------------------------------


def _optional(text: str) -> str | None:
    return text or None


def _parse_telegram(check: Checker, row: RosterRow, column: str, text: str) -> int | None:
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


def _screened(check: Checker, kind: TableKind, row: RosterRow) -> RosterRow | None:
    """Report oversized and formula-like cells; the row without them, or None if its name is one.

    A reported cell reads as blank afterwards, so no other rule reports it a second time.
    """
    problems = cell_problems(kind, row)
    for column, key, params in problems:
        check.cell(row, column, key, **params)
    bad = {column for column, _, _ in problems}
    if "name" in bad:
        return None
    if not bad:
        return row
    return replace(row, cells={c: "" if c in bad else v for c, v in row.cells.items()})


def parse_cadre(check: Checker, original: RosterRow) -> CadreRow | None:
    row = _screened(check, TableKind.CADRES, original)
    if row is None:
        return None
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.cadre_name_required")
        return None
    phone = unicodedata.normalize("NFKC", row.get("phone")).strip() or None
    if phone is not None and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 7):
        check.cell(row, "phone", "roster.phone_invalid", value=row.get("phone"))
    role_text = unicodedata.normalize("NFKC", row.get("role")).strip()
    role = _ROLE_WORDS.get(to_simplified(role_text.casefold()))  # 分管領導 from a Big5 file
    if role is None:
        check.cell(row, "role", "roster.role_invalid", value=role_text)
    telegram_text = row.get("telegram_id")
    telegram_id = (
        _parse_telegram(check, row, "telegram_id", telegram_text) if telegram_text else None
    )
    leader = normalize_name(row.get("leader")) or None
    return CadreRow(row, name, phone, role, leader, telegram_id)


def _parse_credit_code(check: Checker, row: RosterRow) -> str | None:
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


def parse_enterprise(check: Checker, original: RosterRow) -> EnterpriseRow | None:
    row = _screened(check, TableKind.ENTERPRISES, original)
    if row is None:
        return None
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.enterprise_name_required")
        return None
    contacts: list[int] = []
    for part in split_ids(row.get("contact_telegram_ids")):
        parsed = _parse_telegram(check, row, "contact_telegram_ids", part)
        if parsed is not None and parsed not in contacts:
            contacts.append(parsed)
    return EnterpriseRow(
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


_R = TypeVar("_R", CadreRow, EnterpriseRow)


def unique_rows(check: Checker, rows: list[_R], key: str) -> list[_R]:
    """Keep the first row of each name; every later one is a problem naming the first."""
    first: dict[str, _R] = {}
    for row in rows:
        if row.name in first:
            check.cell(row.row, "name", key, name=row.name, other=check.where(first[row.name].row))
        else:
            first[row.name] = row
    return list(first.values())


def final_role(row: CadreRow, existing: Cadre | None) -> Role:
    if row.row.has("role"):
        return row.role or Role.CADRE
    return existing.role if existing is not None else Role.CADRE


def final_phone(row: CadreRow, existing: Cadre | None) -> str | None:
    if row.row.has("phone"):
        return row.phone
    return existing.phone if existing is not None else None


def _attr(enterprise: Enterprise | None, name: str) -> str | None:
    value = getattr(enterprise, name, None) if enterprise is not None else None
    return None if value is None else str(value)


def _cadre_telegram_owners(
    cadre_rows: list[CadreRow], snapshot: Snapshot
) -> dict[int, list[Owner]]:
    """Telegram id -> cadres holding it after the import; the database's holders come first."""
    owners: dict[int, list[Owner]] = {}
    imported = {row.name: row for row in cadre_rows}
    for cadre in snapshot.cadres.values():
        if cadre.telegram_id is None:
            continue
        row = imported.get(cadre.name)
        if row is not None and row.telegram_id is not None:
            continue  # replaced by the import's value
        owners.setdefault(cadre.telegram_id, []).append(Owner(cadre.name, None))
    for row in cadre_rows:
        if row.telegram_id is not None:
            owners.setdefault(row.telegram_id, []).append(Owner(row.name, row.row))
    return owners


def check_cadres(check: Checker, cadre_rows: list[CadreRow], snapshot: Snapshot) -> None:
    imported = {row.name: row for row in cadre_rows}

    def role_of(name: str) -> Role | None:
        row = imported.get(name)
        if row is not None:
            if row.row.has("role") and row.role is None:
                return Role.LEADER  # their role cell is wrong and already reported
            return final_role(row, snapshot.cadres.get(name))
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
                enterprise="、".join(snapshot.contacts[row.telegram_id]),
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


def check_enterprises(
    check: Checker,
    enterprise_rows: list[EnterpriseRow],
    cadre_rows: list[CadreRow],
    snapshot: Snapshot,
) -> None:
    # Contacts: never a cadre's account. One person may be the contact of several enterprises
    # (listed under each); a private report then asks which one it is for.
    cadre_owners = _cadre_telegram_owners(cadre_rows, snapshot)
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

    # Credit codes: unique across the enterprises as they will be after the import.
    imported = {row.name: row for row in enterprise_rows}
    code_owners: dict[str, list[Owner]] = {}
    for enterprise in snapshot.enterprises.values():
        same = imported.get(enterprise.name)
        if enterprise.credit_code is None or (same is not None and same.row.has("credit_code")):
            continue
        code_owners.setdefault(enterprise.credit_code, []).append(Owner(enterprise.name, None))
    for row in enterprise_rows:
        if row.credit_code is not None:
            code_owners.setdefault(row.credit_code, []).append(Owner(row.name, row.row))
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
        return  # see check_cadres: the missing table may hold these cadres
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


def _final_assignment(row: EnterpriseRow, snapshot: Snapshot) -> tuple[str | None, str | None]:
    current = snapshot.assignments.get(row.name, (None, None))
    primary = row.primary if row.row.has("primary_cadre") else current[0]
    backup = row.backup if row.row.has("backup_cadre") else current[1]
    return primary, backup


# -- planning ----------------------------------------------------------------------------------


def make_plan(
    report: RosterReport,
    cadre_rows: list[CadreRow],
    enterprise_rows: list[EnterpriseRow],
    snapshot: Snapshot,
) -> Plan:
    """Decide what to write; unchanged rows are not written so a re-import changes nothing."""
    plan = Plan(report)
    names_by_id = snapshot.cadre_names_by_id()
    for row in cadre_rows:
        existing = snapshot.cadres.get(row.name)
        role = final_role(row, existing)
        if existing is None:
            write, set_telegram, changed = True, row.telegram_id is not None, True
        else:
            phone = final_phone(row, existing)
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
            plan.contacts.setdefault(telegram_id, []).append(ent_row.name)
            if ent_row.name not in snapshot.contacts.get(telegram_id, []):
                report.contacts_bound += 1
    return plan
