"""Roster cells that no column may hold: formula-like text and oversized values.

A cell beginning with =, +, - or @ is a formula to Excel and WPS: an enterprise named
`=HYPERLINK("http://…","查看")` would turn into a live link in every sheet the administration
exports or copies it into. And a name of ten thousand characters breaks every message that shows
it. Both are refused per row and column, before any other rule reads the cell.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.services.roster.rows import Param, RosterRow, TableKind

FORMULA_START = ("=", "+", "-", "@")
# Columns of free text, where a formula could hide (the others are checked as ids, codes,
# roles and phones, where + begins an international number).
TEXT_COLUMNS: dict[TableKind, frozenset[str]] = {
    TableKind.ENTERPRISES: frozenset({"name", "industry", "grid", "primary_cadre", "backup_cadre"}),
    TableKind.CADRES: frozenset({"name", "leader"}),
}
NAME_LIMIT = 30  # a person
# Characters a cell may hold, per column; generous for real names, small enough for a message.
LIMITS: dict[TableKind, Mapping[str, int]] = {
    TableKind.ENTERPRISES: {
        "name": 100,
        "credit_code": 30,  # 19..30 get the credit code rule's own message (18)
        "industry": 50,
        "grid": 50,
        "primary_cadre": NAME_LIMIT,
        "backup_cadre": NAME_LIMIT,
        "contact_telegram_ids": 200,
    },
    TableKind.CADRES: {
        "name": NAME_LIMIT,
        "phone": 40,  # 21..40 get the phone rule's own message (7 to 20 characters)
        "role": 20,
        "leader": NAME_LIMIT,
        "telegram_id": 30,
    },
}
Problem = tuple[str, str, dict[str, Param]]  # column, catalog key, parameters


def cell_problems(kind: TableKind, row: RosterRow) -> list[Problem]:
    """The cells of `row` that are too long or formula-like, as (column, key, params)."""
    problems: list[Problem] = []
    for column, limit in LIMITS[kind].items():
        value = row.get(column)
        if len(value) > limit:
            params: dict[str, Param] = {"length": len(value), "limit": limit}
            problems.append((column, "roster.cell_too_long", params))
        elif column in TEXT_COLUMNS[kind] and value.startswith(FORMULA_START):
            problems.append((column, "roster.cell_formula", {"value": value, "char": value[0]}))
    return problems
