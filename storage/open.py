"""Open the database a URL names: the one place that knows both backends.

`storage.db.Database` (transactions, savepoints, snapshot reads) is the base class the backends
extend, so it cannot also choose among them without importing its own subclasses. The choice
lives here instead; the PostgreSQL backend (and asyncpg with it) is imported only when a URL
names it, so a SQLite bot never loads the driver.
"""

from __future__ import annotations

from storage.db import Database
from storage.url import POSTGRESQL, parse_url


def open_database(url: str, *, readers: int = 2) -> Database:
    """The database at `url` (`[storage] url`, or a bare SQLite path); not yet connected.

    Raises:
        StorageError: the URL names no backend we know.
    """
    parsed = parse_url(url)
    if parsed.backend == POSTGRESQL:
        from storage.postgres import PostgresDatabase  # asyncpg only where it is used

        return PostgresDatabase(parsed, readers=readers)
    from storage.sqlite import SqliteDatabase

    return SqliteDatabase(parsed.target, readers=readers)


async def open_reader(url: str) -> Database:
    """One read-only connection and no writer, for work in a process or thread of its own.

    `reading()` works, writes fail; no migrations are applied (the writer did).

    Raises:
        StorageError: the database cannot be shared (SQLite in memory) or opened.
    """
    db = open_database(url, readers=1)
    await db.connect_reader()
    return db
