"""Planning: decide what a validated import writes, and count it for the report.

Unchanged rows are not written, so importing the same files again changes nothing.
`RosterService` applies the plan.
"""

from dataclasses import dataclass, field

from bot.domain.models import Enterprise
from bot.services.roster.checks import Snapshot, final_assignment, final_phone, final_role
from bot.services.roster.model import RosterReport
from bot.services.roster.parsing import CadreRow, EnterpriseRow

# The source recorded on contact bindings made by an import.
CONTACT_SOURCE = "roster"


@dataclass
class Plan:
    """What an import writes, in the order `RosterService` applies it."""

    report: RosterReport
    cadres: list[tuple[CadreRow, bool, bool]] = field(default_factory=list)  # row, write, set tg
    leaders: list[tuple[str, str | None]] = field(default_factory=list)
    release_codes: list[EnterpriseRow] = field(default_factory=list)
    enterprises: list[tuple[EnterpriseRow, bool]] = field(default_factory=list)  # row, write
    assignments: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # telegram id -> every enterprise this import lists it under (its bindings become these)
    contacts: dict[int, list[str]] = field(default_factory=dict)
    final: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)


def _attr(enterprise: Enterprise | None, name: str) -> str | None:
    value = getattr(enterprise, name, None) if enterprise is not None else None
    return None if value is None else str(value)


def make_plan(
    report: RosterReport,
    cadre_rows: list[CadreRow],
    enterprise_rows: list[EnterpriseRow],
    snapshot: Snapshot,
) -> Plan:
    """Decide what to write; unchanged rows are not written so a re-import changes nothing."""
    plan = Plan(report)
    _plan_cadres(plan, cadre_rows, snapshot)
    _plan_enterprises(plan, enterprise_rows, snapshot)
    return plan


def _plan_cadres(plan: Plan, cadre_rows: list[CadreRow], snapshot: Snapshot) -> None:
    """Cadres to write, telegram ids to bind and leaders to link; counted in the report."""
    report = plan.report
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


def _plan_enterprises(plan: Plan, enterprise_rows: list[EnterpriseRow], snapshot: Snapshot) -> None:
    """Enterprises to write, credit codes to free, assignments and contacts; counted."""
    report = plan.report
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

        primary, backup = final_assignment(ent_row, snapshot)
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
