"""A database file at an older schema version, the way an older release left it (storage tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.migrate import load_migrations
from storage.sqlite import split_sql

APPLIED_AT = "2026-11-01T00:00:00Z"


def schema_at(path: Path, version: int) -> sqlite3.Connection:
    """Apply migrations 1..`version` to a new file, each with its version row in one transaction.

    Returns an autocommit connection to the file, for the test to write that release's rows.
    """
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute(
        "CREATE TABLE schema_migrations"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for migration in load_migrations()[:version]:
        raw.execute("BEGIN")
        for statement in split_sql(migration.sql):
            raw.execute(statement)
        raw.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            (migration.version, migration.name, APPLIED_AT),
        )
        raw.execute("COMMIT")
    return raw
