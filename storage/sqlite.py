"""SQLite: one writer connection (`BEGIN IMMEDIATE` behind the asyncio lock), read-only readers.

Everything here is SQLite's own: the PRAGMAs, the `?`/`:name` parameters as written, the new
row's id from `cursor.lastrowid`, `instr`, the unary `+` that keeps the planner off an index,
two-argument `MAX`, and statement splitting for the migrations in `storage/migrations/`.
WAL lets the readers read while the writer writes. An in-memory database has no second
connection: there `reading()` is a transaction on the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import aiosqlite

from storage.db import Database
from storage.dialect import Dialect
from storage.errors import StorageError
from storage.interface import Params, Row
from storage.migrate import SQLITE_MIGRATIONS, Migration
from storage.url import SQLITE, sqlite_url

# The writer: WAL (readers never block it, nor it them), foreign keys enforced, wait for a
# lock held by another process (backup, doctor) instead of failing at once, and fsync at
# checkpoints only (WAL keeps that durable across a crash of the process).
WRITER_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)
# A reader: refuses to write, and waits rather than fails while a checkpoint runs.
READER_PRAGMAS = (
    "PRAGMA query_only=ON",
    "PRAGMA busy_timeout=5000",
)


class SqliteDialect:
    """SQLite's spellings (see `storage.dialect.Dialect`)."""

    name = SQLITE

    def contains(self, column: str, param: str = "?") -> str:
        return f"instr({column}, {param}) > 0"

    def unindexed(self, column: str) -> str:
        return f"+{column}"

    def greatest(self, first: str, second: str) -> str:
        return f"MAX({first}, {second})"


SQLITE_DIALECT = SqliteDialect()


class SqliteDatabase(Database):
    """An aiosqlite writer with serialised, nestable transactions, and read-only readers."""

    backend = SQLITE
    dialect: Dialect = SQLITE_DIALECT
    migrations = SQLITE_MIGRATIONS

    def __init__(self, path: str | Path, *, readers: int = 2) -> None:
        super().__init__()
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._readers_wanted = readers
        self._readers: list[aiosqlite.Connection] = []
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._uri = self.path if self.path.startswith("file:") else _file_uri(self.path)

    @property
    def url(self) -> str:
        return sqlite_url(self.path)

    @property
    def display(self) -> str:
        return self.path

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:" or "mode=memory" in self.path

    @property
    def shareable(self) -> bool:
        return not self.in_memory

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("database is not connected")
        return self._conn

    async def _open(self) -> None:
        if self.path != ":memory:" and not self.path.startswith("file:"):
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the directory for the database {self.path}: {exc.strerror}"
                ) from None
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            self._conn = await aiosqlite.connect(self.path, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            for pragma in WRITER_PRAGMAS:
                await self._conn.execute(pragma)
        except sqlite3.Error as exc:
            await self.close()
            raise StorageError(f"cannot open database {self.path}: {exc}") from exc

    async def _open_readers(self) -> None:
        """Open the read-only connections (none for an in-memory database: nothing to share)."""
        if self.in_memory:
            return
        for _ in range(self._readers_wanted):
            try:
                conn = await aiosqlite.connect(self._uri, uri=True, isolation_level=None)
                conn.row_factory = sqlite3.Row
                for pragma in READER_PRAGMAS:
                    await conn.execute(pragma)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open a reader on {self.path}: {exc}") from exc
            self._readers.append(conn)
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        readers, self._readers = self._readers, []
        self._idle = asyncio.Queue()
        for reader in readers:
            await reader.close()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def _has_readers(self) -> bool:
        return bool(self._readers)

    async def _begin_write(self) -> aiosqlite.Connection:
        conn = self.conn
        try:
            await conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            # Cancelled while BEGIN was queued: the worker thread still runs it, so queue a
            # ROLLBACK behind it; never leave a transaction without an owner.
            await self._rollback_quietly(conn)
            raise
        return conn

    async def _end_write(self, conn: aiosqlite.Connection, *, commit: bool) -> None:
        if commit:
            await conn.execute("COMMIT")
        else:
            await self._rollback_quietly(conn)

    @staticmethod
    async def _rollback_quietly(conn: aiosqlite.Connection) -> None:
        # The statement runs in the worker thread even if this await is cancelled.
        with contextlib.suppress(sqlite3.OperationalError):
            await conn.execute("ROLLBACK")

    async def _begin_read(self) -> aiosqlite.Connection:
        conn = await self._idle.get()
        try:
            await conn.execute("BEGIN")  # one snapshot for the whole block
        except BaseException:
            self._idle.put_nowait(conn)
            raise
        return conn

    async def _end_read(self, conn: aiosqlite.Connection) -> None:
        try:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("COMMIT")
        finally:
            if conn in self._readers:  # not closed meanwhile
                self._idle.put_nowait(conn)

    async def _apply(self, migration: Migration) -> None:
        for statement in split_sql(migration.sql):
            await self.execute(statement)

    # Each aiosqlite call is a round trip to its worker thread, so every helper below makes
    # exactly one: no separate fetch or close calls (cursors are finalised by the thread).
    async def _run(self, conn: aiosqlite.Connection, sql: str, params: Params) -> int:
        cursor = await conn.execute(sql, params)
        return int(cursor.rowcount)

    async def _run_insert(self, conn: aiosqlite.Connection, sql: str, params: Params) -> int:
        cursor = await conn.execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def _run_many(self, conn: aiosqlite.Connection, sql: str, rows: Iterable[Params]) -> None:
        await conn.executemany(sql, rows)

    async def _fetch(self, conn: aiosqlite.Connection, sql: str, params: Params) -> list[Row]:
        return list(await conn.execute_fetchall(sql, params))


def _file_uri(path: str) -> str:
    return "" if path == ":memory:" else Path(path).resolve().as_uri()


def split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers with `BEGIN ... END;` included)."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") or not stripped:
            continue
        buffer.append(line)
        if sqlite3.complete_statement("\n".join(buffer)):
            statements.append("\n".join(buffer).strip())
            buffer = []
    if buffer and "\n".join(buffer).strip():
        statements.append("\n".join(buffer).strip())
    return statements
