"""Numbered migrations, one series per backend, each applied with its version row in one
transaction (sqlite-utils `migrations.py` is the model).

- `storage/migrations/NNNN_name.sql`: SQLite, from the first schema on.
- `storage/migrations_pg/NNNN_name.sql`: PostgreSQL. Its series starts with a baseline, the
  PostgreSQL spelling of the SQLite schema at that version (PostgreSQL databases only exist from
  that version on; `port-db` brings older SQLite ones up to date first). Every later migration
  exists in both series under the same number, so a version means the same schema on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from storage.errors import StorageError

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
