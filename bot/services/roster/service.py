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
from collections.abc import Sequence
from pathlib import Path

from bot.clock import Clock, to_iso
from bot.i18n import DEFAULT_LOCALE, LOCALES
from bot.services.roster.checks import (
    Snapshot,
    check_cadres,
    check_enterprises,
    final_phone,
    final_role,
    unique_rows,
)
from bot.services.roster.files import read_roster_files
from bot.services.roster.limits import DEFAULT_LIMITS, RosterLimits
from bot.services.roster.model import (  # noqa: F401 - re-exported for callers
    CREDIT_ALPHABET,
    Checker,
    RosterError,
    RosterProblem,
    RosterReport,
    TableSummary,
    credit_check_char,
    credit_code_error,
)
from bot.services.roster.parsing import CadreRow, EnterpriseRow, parse_cadre, parse_enterprise
from bot.services.roster.plan import CONTACT_SOURCE, Plan, make_plan
from bot.services.roster.rows import TableKind
from storage.unit import Repositories


class RosterService:
    """Import the park roster from spreadsheets, all or nothing."""

    def __init__(
        self, repos: Repositories, clock: Clock, *, limits: RosterLimits = DEFAULT_LIMITS
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.cadres = repos.cadres
        self.enterprises = repos.enterprises
        self.limits = limits

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
            RosterError: anything is wrong in any file (one past `limits` is not read at all);
                the database is left unchanged.
            ValueError: `locale` is not a supported locale.
        """
        if locale not in LOCALES:
            raise ValueError(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
        paths = list(paths)
        # openpyxl is slow and blocking; keep the event loop (and the bot) responsive.
        read = await asyncio.to_thread(read_roster_files, paths, self.limits)
        check = Checker(locale, read, [str(p) for p in paths])
        for issue in read.issues:
            check.issue(issue)
        cadre_rows: list[CadreRow] = []
        enterprise_rows: list[EnterpriseRow] = []
        for table in read.tables:
            for row in table.rows:
                if table.kind is TableKind.CADRES:
                    parsed_cadre = parse_cadre(check, row)
                    if parsed_cadre is not None:
                        cadre_rows.append(parsed_cadre)
                else:
                    parsed_enterprise = parse_enterprise(check, row)
                    if parsed_enterprise is not None:
                        enterprise_rows.append(parsed_enterprise)

        # Reading the database and writing happen in one transaction, so nothing can change
        # between the checks and the writes.
        async with self.db.transaction():
            snapshot = await self._snapshot(cadre_rows, enterprise_rows)
            cadre_rows = unique_rows(check, cadre_rows, "roster.cadre_duplicate")
            enterprise_rows = unique_rows(check, enterprise_rows, "roster.enterprise_duplicate")
            check_cadres(check, cadre_rows, snapshot)
            check_enterprises(check, enterprise_rows, cadre_rows, snapshot)
            problems = check.problems()
            if problems:
                raise RosterError(problems, locale)
            report = RosterReport(
                tables=[
                    TableSummary(tb.file, tb.sheet, tb.kind, len(tb.rows)) for tb in read.tables
                ],
                dry_run=dry_run,
            )
            plan = make_plan(report, cadre_rows, enterprise_rows, snapshot)
            if not dry_run:
                await self._apply(plan, snapshot)
        return report

    async def _snapshot(
        self, cadre_rows: list[CadreRow], enterprise_rows: list[EnterpriseRow]
    ) -> Snapshot:
        cadres = await self.cadres.cadres()
        enterprises = await self.enterprises.enterprises()
        names = {c.id: c.name for c in cadres}
        imported = {row.name for row in enterprise_rows}
        assignments: dict[str, tuple[str | None, str | None]] = {}
        for enterprise in enterprises:
            if enterprise.name not in imported:
                continue
            assignment = await self.enterprises.assignment(enterprise.id)
            if assignment is not None:
                assignments[enterprise.name] = (
                    names.get(assignment.primary_cadre_id or 0),
                    names.get(assignment.backup_cadre_id or 0),
                )
        contacts: dict[int, list[str]] = {}
        mentioned = {tg for row in enterprise_rows for tg in row.contacts}
        mentioned |= {row.telegram_id for row in cadre_rows if row.telegram_id is not None}
        for telegram_id in sorted(mentioned):
            bound = await self.enterprises.contact_enterprises(telegram_id)
            if bound:
                contacts[telegram_id] = [e.name for e in bound]
        return Snapshot(
            cadres={c.name: c for c in cadres},
            enterprises={e.name: e for e in enterprises},
            assignments=assignments,
            contacts=contacts,
        )

    async def _apply(self, plan: Plan, snapshot: Snapshot) -> None:
        now = to_iso(self.clock.now())
        cadre_ids = {name: c.id for name, c in snapshot.cadres.items()}
        # Pass 1: every cadre exists before anyone is linked to a leader or an enterprise.
        for row, write, set_telegram in plan.cadres:
            existing = snapshot.cadres.get(row.name)
            if write:
                # The id goes through set_cadre_telegram, which releases it from its previous
                # holder first; inserting it directly would break UNIQUE on a swap.
                cadre_ids[row.name] = await self.cadres.upsert_cadre(
                    name=row.name,
                    phone=final_phone(row, existing),
                    role=final_role(row, existing).value,
                    telegram_id=None,
                    now=now,
                )
            if set_telegram and row.telegram_id is not None:
                await self.cadres.set_cadre_telegram(cadre_ids[row.name], row.telegram_id, now)
        # Pass 2: leaders, now that every name has an id.
        for name, leader in plan.leaders:
            await self.cadres.set_cadre_leader(
                cadre_ids[name], cadre_ids[leader] if leader is not None else None
            )
        # Credit codes are UNIQUE: free the ones that move before any is reassigned.
        for moving in plan.release_codes:
            await self.enterprises.upsert_enterprise(
                name=moving.name, credit_code=None, industry=None, grid=None, now=now
            )
        enterprise_ids = {name: e.id for name, e in snapshot.enterprises.items()}
        for ent_row, write in plan.enterprises:
            if write:
                credit_code, industry, grid = plan.final[ent_row.name]
                enterprise_ids[ent_row.name] = await self.enterprises.upsert_enterprise(
                    name=ent_row.name,
                    credit_code=credit_code,
                    industry=industry,
                    grid=grid,
                    now=now,
                )
        for name, primary, backup in plan.assignments:
            await self.enterprises.set_assignment(
                enterprise_ids[name],
                cadre_ids[primary] if primary is not None else None,
                cadre_ids[backup] if backup is not None else None,
                now,
            )
        for telegram_id, names in plan.contacts.items():
            if sorted(names) == sorted(snapshot.contacts.get(telegram_id, [])):
                continue
            # The import lists every enterprise of this person: its bindings become these
            # (so moving an id to another enterprise in the roster moves the contact).
            await self.enterprises.set_contact_enterprises(
                telegram_id, [enterprise_ids[n] for n in names], CONTACT_SOURCE, now
            )
