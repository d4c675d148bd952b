"""What an operator's check learns about a database without changing it (`liaison-bot doctor`).

SQLite: the file's size, `PRAGMA integrity_check` and the schema version, on a read-only
connection. PostgreSQL: the server's version, the size of the park's tables and the schema
version, on a read-only snapshot (PostgreSQL checks its own pages; there is no file to check).
Neither opens the database the way the bot does, which would apply migrations.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StorageError
from storage.open import open_reader
from storage.url import SQLITE, parse_url


@dataclass(frozen=True)
class DatabaseFacts:
    """Where the database is (for people), how big, which schema version, and its checks."""

    backend: str
    display: str
    size: int
    version: int
    # SQLite's integrity_check lines (["ok"] when sound); None where the backend has none.
    integrity: list[str] | None = None
    server: str | None = None


async def inspect_database(url: str) -> DatabaseFacts | None:
    """Describe the database at `url`; None when a SQLite file does not exist.

    Raises:
        StorageError: it cannot be read (the message names it without any password).
    """
    parsed = parse_url(url)
    if parsed.backend == SQLITE:
        return await asyncio.to_thread(_sqlite_facts, Path(parsed.target))
    db = await open_reader(url)
    try:
        async with db.reading():
            server = str(await db.fetchval("SHOW server_version"))
            size = await db.fetchval(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
            version = 0
            if await db.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
                version = int(await db.fetchval("SELECT MAX(version) FROM schema_migrations") or 0)
    finally:
        await db.close()
    return DatabaseFacts(parsed.backend, parsed.redacted, int(size), version, None, server)


def _sqlite_facts(path: Path) -> DatabaseFacts | None:
    """Run integrity_check and read the schema version, read-only (blocking: use a thread)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            try:
                row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
                version = int(row[0] or 0)
            except sqlite3.OperationalError:  # no migrations table: not our database, or empty
                version = 0
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read the database {path}: {exc}") from exc
    return DatabaseFacts(SQLITE, str(path), path.stat().st_size, version, integrity)
