"""SQLite: one writer connection (`BEGIN IMMEDIATE` behind the asyncio lock), read-only readers.

Everything here is SQLite's own: the PRAGMAs, the `?`/`:name` parameters as written, the new
row's id from `cursor.lastrowid`, `instr`, the unary `+` that keeps the planner off an index,
two-argument `MAX`, and statement splitting for the migrations in `storage/migrations/`.
WAL lets the readers read while the writer writes. An in-memory database has no second
connection: there `reading()` is a transaction on the writer.

The writer runs its statements on the event loop's thread. Each statement of a write
transaction is short (an indexed read or write of a few rows), and a call to a worker thread
cost the loop ten times what the statement does (the wake-up, the future, the hand-back).
Nothing the writer does may wait on the loop:

- a lock held by another process (a backup, a `doctor`) is never waited for inside SQLite
  (`busy_timeout=0`): `BEGIN IMMEDIATE` is retried with `asyncio.sleep` for up to
  `busy_seconds`, so the loop runs while it waits; once BEGIN IMMEDIATE holds the write lock,
  nothing else in a WAL transaction waits for a lock;
- a commit writes to the WAL and never syncs (`synchronous=NORMAL`), and never checkpoints
  (`wal_autocheckpoint=0`): the checkpoint, which copies the WAL into the database and syncs
  both, runs on a connection of its own in a worker thread (`storage.sqlite_checkpoint`),
  about a second after a commit. A crash of the process loses nothing committed (the WAL
  has it); a power cut loses at most the last second of commits.

The database file is created private before SQLite opens it, in a private directory if it
makes one (`storage.private`); an existing one others could read is tightened, and logged.

Readers stay on aiosqlite's threads: a read may be long (a year's ledger) and must not hold
the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiosqlite

from storage import private
from storage.db import Database
from storage.dialect import Dialect
from storage.errors import StorageError
from storage.interface import Params, Row
from storage.migrate import SQLITE_MIGRATIONS, Migration
from storage.sqlite_checkpoint import Checkpointer
from storage.url import SQLITE, sqlite_url

# The writer: WAL (readers never block it, nor it them), foreign keys enforced, fsync at
# checkpoints only (WAL keeps that durable across a crash of the process), and no checkpoint
# in a commit (see the module docstring). Opening may wait for another process's lock.
WRITER_PRAGMAS = (
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA wal_autocheckpoint=0",
)
# Once open, the writer never waits inside SQLite: `BEGIN IMMEDIATE` is retried on the loop.
WRITER_RUNNING = "PRAGMA busy_timeout=0"
# The files SQLite keeps beside a database (WAL mode, and a rollback journal in a backup).
SIDE_FILES = ("-wal", "-shm", "-journal")
BUSY_SECONDS = 5.0  # how long a write waits for another process's lock before it fails
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
    """A writer on the event loop with serialised, nestable transactions, and read-only
    readers on aiosqlite's threads."""

    backend = SQLITE
    dialect: Dialect = SQLITE_DIALECT
    migrations = SQLITE_MIGRATIONS

    def __init__(self, path: str | Path, *, readers: int = 2) -> None:
        super().__init__()
        self.path = str(path)
        self.busy_seconds = BUSY_SECONDS
        self._conn: sqlite3.Connection | None = None
        self.checkpointer: Checkpointer | None = None
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
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError("database is not connected")
        return self._conn

    async def _open(self) -> None:
        if self.path != ":memory:" and not self.path.startswith("file:"):
            _make_private(Path(self.path))
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves. Opened in a thread: the
            # PRAGMAs may wait for another process's lock.
            self._conn = await asyncio.to_thread(_open_writer, self.path)
            if not self.in_memory:
                self.checkpointer = await Checkpointer.open(self._uri)
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
        checkpointer, self.checkpointer = self.checkpointer, None
        if checkpointer is not None:
            await checkpointer.close()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            # The last connection to close checkpoints the WAL: off the loop.
            await asyncio.to_thread(conn.close)

    def _transient(self, exc: BaseException) -> bool:
        # Locked past `busy_seconds`, an I/O error, a full disk, the file gone: not the work's
        # fault. A plain OperationalError (no such table, a syntax error) is.
        return isinstance(exc, sqlite3.OperationalError) and _primary(exc) in _TRANSIENT

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and sync it now (nothing to do in memory)."""
        if self.checkpointer is not None:
            await self.checkpointer.run()

    def _has_readers(self) -> bool:
        return bool(self._readers)

    async def _begin_write(self) -> sqlite3.Connection:
        conn = self.conn
        waited, pause = 0.0, 0.001
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return conn
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or waited >= self.busy_seconds:
                    raise
            await asyncio.sleep(pause)  # another process writes: let the loop run meanwhile
            waited += pause
            pause = min(pause * 2, 0.05)

    async def _end_write(self, conn: sqlite3.Connection, *, commit: bool) -> None:
        if not commit:
            _rollback_quietly(conn)
            return
        try:
            conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (a deferred constraint, a full disk) leaves the transaction
            # open: end it, so the next write can begin.
            _rollback_quietly(conn)
            raise
        if self.checkpointer is not None:
            self.checkpointer.committed()

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

    # The writer's statements run here on the loop; a reader's are one round trip each to its
    # aiosqlite thread (no separate fetch or close calls: the thread finalises the cursor).
    async def _run(self, conn: Any, sql: str, params: Params) -> int:
        if isinstance(conn, sqlite3.Connection):
            cursor = conn.execute(sql, params)
        else:
            cursor = await conn.execute(sql, params)
        return int(cursor.rowcount)

    async def _run_insert(self, conn: Any, sql: str, params: Params) -> int:
        if isinstance(conn, sqlite3.Connection):
            cursor = conn.execute(sql, params)
        else:
            cursor = await conn.execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def _run_many(self, conn: Any, sql: str, rows: Iterable[Params]) -> None:
        if isinstance(conn, sqlite3.Connection):
            conn.executemany(sql, rows)
        else:
            await conn.executemany(sql, rows)

    async def _fetch(self, conn: Any, sql: str, params: Params) -> list[Row]:
        if isinstance(conn, sqlite3.Connection):
            return conn.execute(sql, params).fetchall()
        return list(await conn.execute_fetchall(sql, params))


def _open_writer(path: str) -> sqlite3.Connection:
    # check_same_thread=False: opened (and closed) in a worker thread, used on the loop's.
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, cached_statements=256
    )
    try:
        conn.row_factory = sqlite3.Row
        for pragma in WRITER_PRAGMAS:
            conn.execute(pragma)
        conn.execute(WRITER_RUNNING)
    except BaseException:
        conn.close()
        raise
    return conn


def _make_private(path: Path) -> None:
    """Create the database's directory and file private before SQLite opens it (see
    `storage.private`): SQLite gives the -wal, -shm and -journal it makes the file's mode.

    Raises:
        StorageError: the directory or the file cannot be created.
    """
    try:
        private.make_dirs(path.parent)
    except OSError as exc:
        raise StorageError(
            f"cannot create the directory for the database {path}: {exc.strerror}"
        ) from None
    try:
        private.create(path)
        for suffix in SIDE_FILES:  # left by a crash, or made by an older version
            private.tighten(Path(f"{path}{suffix}"))
    except OSError as exc:
        raise StorageError(f"cannot open database {path}: {exc.strerror}") from None


def _primary(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF  # the primary code of an extended one


def _busy(exc: sqlite3.OperationalError) -> bool:
    return _primary(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


_TRANSIENT = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOMEM,
    }
)


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.OperationalError):  # no transaction left to roll back
        conn.execute("ROLLBACK")


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
