"""Numbered migrations, one series per backend, each applied with its version row in one
transaction (sqlite-utils `migrations.py` is the model).

- `storage/migrations/NNNN_name.sql`: SQLite, from the first schema on.
- `storage/migrations_pg/NNNN_name.sql`: PostgreSQL. Its series starts with a baseline, the
  PostgreSQL spelling of the SQLite schema at that version (PostgreSQL databases only exist from
  that version on; `port-db` brings older SQLite ones up to date first). Every later migration
  exists in both series under the same number, so a version means the same schema on both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from bot.clock import to_iso
from storage.errors import StorageError
from storage.interface import SqlDatabase

SQLITE_MIGRATIONS = "storage.migrations"
POSTGRES_MIGRATIONS = "storage.migrations_pg"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(package: str = SQLITE_MIGRATIONS) -> list[Migration]:
    """Return the packaged numbered migrations (`NNNN_name.sql`) in order.

    The series runs 1..N without gaps; a PostgreSQL series may start at its baseline instead.

    Raises:
        StorageError: a gap in the numbers.
    """
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    first = versions[0] if versions and found[0].name == "baseline" else 1
    if versions != list(range(first, first + len(found))):
        raise StorageError(f"migration numbers must follow each other without gaps, got {versions}")
    return found


def latest_version(package: str = SQLITE_MIGRATIONS) -> int:
    """The schema version this program writes (the last migration's number)."""
    known = load_migrations(package)
    return known[-1].version if known else 0


async def schema_version(db: SqlDatabase) -> int:
    """The version of the last migration applied (0: an empty database)."""
    async with db.transaction():
        await db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        value = await db.fetchval("SELECT MAX(version) FROM schema_migrations")
    return int(value or 0)


async def apply_pending(
    db: SqlDatabase, known: list[Migration], run: Callable[[Migration], Awaitable[None]]
) -> list[int]:
    """Apply the migrations newer than the database, each with its version row in one
    transaction; return the versions applied. `run` executes one migration's statements inside
    the transaction (the backend's own splitting: `Database._apply`).

    Each migration re-reads the version under the write lock, so processes starting together on
    one PostgreSQL database apply each migration once.

    Raises:
        StorageError: the database is newer than this program.
    """
    applied: list[int] = []
    latest = known[-1].version if known else 0
    current = await schema_version(db)
    if current > latest:
        raise StorageError(
            f"database schema version {current} is newer than this program "
            f"({latest}); upgrade liaison-bot"
        )
    for migration in known:
        if migration.version <= current:
            continue
        async with db.transaction():
            current = int(await db.fetchval("SELECT MAX(version) FROM schema_migrations") or 0)
            if migration.version <= current:
                continue  # another process applied it meanwhile
            await run(migration)
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_iso(datetime.now(UTC))),
            )
        applied.append(migration.version)
    return applied
