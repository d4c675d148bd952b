"""Copy a park's SQLite database into an empty PostgreSQL one (`liaison-bot port-db`).

The source is brought to the current schema first (opening it migrates it), so both sides are
at the same version; then, in one PostgreSQL transaction (a failure leaves the target empty):
every table is copied in foreign-key order with COPY, in batches, self-references (a cadre's
leader) filled in once every row exists; the id sequences are moved past the copied ids; and
the row count of every table is counted again on both sides and compared. The caller holds
both run locks, so neither database changes meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from storage.errors import StorageError
from storage.postgres import PostgresDatabase
from storage.sqlite import SqliteDatabase

BATCH = 5000
Progress = Callable[[str, int], None]


class PortError(StorageError):
    """The port cannot start or did not verify; the target was left as it was."""


@dataclass
class PortReport:
    """What was copied: rows per table (equal on both sides), the schema version."""

    version: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def port(
    source: SqliteDatabase, target: PostgresDatabase, *, progress: Progress | None = None
) -> PortReport:
    """Copy every table of `source` into `target` (both connected, so both migrated).

    Raises:
        PortError: the versions differ, the target holds rows, or the counts do not match.
    """
    version = await source.schema_version()
    if await target.schema_version() != version:
        raise PortError(
            f"schema versions differ: SQLite {version}, PostgreSQL "
            f"{await target.schema_version()}; use the same liaison-bot for both"
        )
    tables, self_refs = await _tables(source)
    async with target.reading():
        held = {t: await _count(target, t) for t in tables}
    if any(held.values()):
        filled = ", ".join(f"{t} ({n})" for t, n in held.items() if n)
        raise PortError(
            f"the PostgreSQL database {target.display} is not empty: {filled}; "
            "port into a new database (or a new ?schema=)"
        )
    report = PortReport(version)
    async with source.reading(), target.transaction():
        for table in tables:
            deferred = [column for column, _ in self_refs.get(table, [])]
            report.rows[table] = await _copy(source, target, table, deferred)
            if progress is not None:
                progress(table, report.rows[table])
        for table, columns in self_refs.items():
            await _fill_self_references(source, target, table, columns)
        await target.reset_sequences()
        for table in tables:  # counted on both sides, not taken from the copying
            have, copied = await _count(source, table), await _count(target, table)
            if copied != have:
                raise PortError(f"{table}: {have} rows in SQLite, {copied} in PostgreSQL")
    return report


async def _tables(source: SqliteDatabase) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The tables in an order that inserts referenced rows first; self-referencing columns."""
    async with source.reading():
        names = [
            r[0]
            for r in await source.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations'"
                " ORDER BY name"
            )
        ]
        graph: dict[str, set[str]] = {}
        self_refs: dict[str, list[tuple[str, str]]] = {}
        for name in names:
            keys = await source.fetchall(
                'SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)', (name,)
            )
            graph[name] = {k[0] for k in keys if k[0] != name}
            own = [(k[1], k[2]) for k in keys if k[0] == name]
            if own:
                self_refs[name] = own
    try:
        return list(TopologicalSorter(graph).static_order()), self_refs
    except CycleError as exc:
        raise PortError(f"foreign keys form a cycle: {exc.args[1]}") from None


async def _count(db: SqliteDatabase | PostgresDatabase, table: str) -> int:
    return int(await db.fetchval(f'SELECT COUNT(*) FROM "{table}"'))


async def _copy(
    source: SqliteDatabase, target: PostgresDatabase, table: str, deferred: list[str]
) -> int:
    """Copy one table in rowid order; columns in `deferred` are written NULL for now."""
    columns = [
        r[0] for r in await source.fetchall("SELECT name FROM pragma_table_info(?)", (table,))
    ]
    listed = ", ".join(f'"{c}"' for c in columns)
    # Row ids can be negative (a Telegram chat id as the key): start below any of them.
    after, copied = await source.fetchval(f'SELECT MIN(rowid) - 1 FROM "{table}"'), 0
    while after is not None:
        rows = await source.fetchall(
            f'SELECT rowid, {listed} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT ?',
            (after, BATCH),
        )
        if not rows:
            break
        after = rows[-1][0]
        records = [
            tuple(None if c in deferred else row[i + 1] for i, c in enumerate(columns))
            for row in rows
        ]
        try:
            await target.copy_rows(table, columns, records)
        except StorageError as exc:
            raise PortError(f"{table}: {exc}") from None
        copied += len(records)
    return copied


async def _fill_self_references(
    source: SqliteDatabase, target: PostgresDatabase, table: str, columns: list[tuple[str, str]]
) -> None:
    """Set the self-referencing columns left NULL by `_copy`, now that every row exists."""
    for column, key in columns:
        pairs = await source.fetchall(
            f'SELECT "{key}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
        )
        await target.executemany(
            f'UPDATE "{table}" SET "{column}" = ? WHERE "{key}" = ?',
            [(r[1], r[0]) for r in pairs],
        )
