"""Cross-row checks: every parsed row judged against the other rows and the database.

Nothing here writes. `Snapshot` is what the database holds, read in the import's transaction;
the `final_*` helpers say what a field will be once the import is applied (a missing column
keeps the database's value), so checks and the plan agree.
"""

from dataclasses import dataclass
from typing import TypeVar

from bot.domain.models import Cadre, Enterprise, Role
from bot.services.roster.model import Checker
from bot.services.roster.parsing import CadreRow, EnterpriseRow
from bot.services.roster.rows import Label, RosterRow


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
    """Report shared telegram ids, then (when every table was read) leaders and leader loops."""
    _check_cadre_accounts(check, cadre_rows, snapshot)
    if check.blocking:
        # A table that could not be read may hold the leaders named here; judging the names now
        # would bury the real problem under false "unknown leader" reports.
        return
    _check_leaders(check, cadre_rows, snapshot)
    _check_leader_cycles(check, cadre_rows, snapshot)


def _check_cadre_accounts(check: Checker, cadre_rows: list[CadreRow], snapshot: Snapshot) -> None:
    """A telegram id belongs to one cadre, and never to an enterprise's contact."""
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


def _check_leaders(check: Checker, cadre_rows: list[CadreRow], snapshot: Snapshot) -> None:
    """A named leader is someone else, known, and a leader or admin after the import."""
    imported = {row.name: row for row in cadre_rows}

    def role_of(name: str) -> Role | None:
        row = imported.get(name)
        if row is not None:
            if row.row.has("role") and row.role is None:
                return Role.LEADER  # their role cell is wrong and already reported
            return final_role(row, snapshot.cadres.get(name))
        cadre = snapshot.cadres.get(name)
        return cadre.role if cadre is not None else None

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


def _check_leader_cycles(check: Checker, cadre_rows: list[CadreRow], snapshot: Snapshot) -> None:
    """No loop of leaders: A's leader is B, B's leader is A would escalate round for ever."""
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
        primary, backup = final_assignment(row, snapshot)
        if row.primary is not None and row.primary not in known:
            check.cell(row.row, "primary_cadre", "roster.primary_unknown", name=row.primary)
        if row.backup is not None and row.backup not in known:
            check.cell(row.row, "backup_cadre", "roster.backup_unknown", name=row.backup)
        if backup is not None and backup == primary:
            check.cell(row.row, "backup_cadre", "roster.backup_same", name=backup)
        elif backup is not None and primary is None:
            check.cell(row.row, "backup_cadre", "roster.backup_without_primary", name=backup)


def final_assignment(row: EnterpriseRow, snapshot: Snapshot) -> tuple[str | None, str | None]:
    current = snapshot.assignments.get(row.name, (None, None))
    primary = row.primary if row.row.has("primary_cadre") else current[0]
    backup = row.backup if row.row.has("backup_cadre") else current[1]
    return primary, backup
