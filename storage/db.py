"""SQLite: one writer connection with serialised transactions, reader connections, migrations.

Writes go through `Database.transaction()`. The outermost call takes an asyncio lock and opens
`BEGIN IMMEDIATE`; a nested call (same task) becomes a SAVEPOINT, so a service can own its
transaction while the update intake wraps a whole update (handler writes, outbox rows and the
inbox "done" mark) in one atomic unit. Repositories never commit.

Reads that do not lead to a write go through `Database.reading()`: a snapshot on one of a few
read-only connections (WAL lets them read while the writer writes), so a leader's year-long
export never holds the writer lock, nor waits for it. Inside a write transaction `reading()`
reads through the writer (it sees the transaction's own writes); inside `reading()` a nested
`transaction()` joins the read, and any write there is a bug (StorageError). An in-memory
database has no second connection: there `reading()` is a transaction on the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import to_iso
from storage.dialect import READER_PRAGMAS, WRITER_PRAGMAS

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


class StorageError(Exception):
    """The database could not be opened or is not usable."""


class DatabaseInUse(StorageError):
    """Another process runs the bot on this database file."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path, self.pid = path, pid
        super().__init__(f"another liaison-bot (pid {pid or '?'}) is running on {path}")


class RunLock:
    """The OS lock that keeps a second bot process off the database while this one runs.

    An exclusive `flock` on `<database>.lock`, held for the process's life: the kernel releases
    it when the process exits or crashes, so a stale lock file never blocks a restart. Operator
    commands (backup, roster import, doctor) do not take it: they may run beside the bot.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = str(db_path)
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise at once.

        Raises:
            DatabaseInUse: another process holds it.
            StorageError: the lock file cannot be created.
        """
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise DatabaseInUse(self.db_path, int(holder) if holder.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (idempotent). The file stays: removing it would race a new owner."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock


@dataclass
class _Savepoint:
    name: str
    issued: bool = False


@dataclass
class _TxState:
    db: Database
    # The task that opened it. A task started inside a transaction inherits the context
    # variable, but not the transaction: it must wait for the lock (or read on a reader).
    task: asyncio.Task[Any] | None
    depth: int = 0
    # Nested scopes, outermost first. A SAVEPOINT is only issued when the scope first writes:
    # read-only service calls nest freely without two extra round trips each.
    savepoints: list[_Savepoint] = field(default_factory=list)


_current_tx: contextvars.ContextVar[_TxState | None] = contextvars.ContextVar(
    "liaison_tx", default=None
)


@dataclass
class _ReadState:
    db: Database
    conn: aiosqlite.Connection
    task: asyncio.Task[Any] | None


def _task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


_current_read: contextvars.ContextVar[_ReadState | None] = contextvars.ContextVar(
    "liaison_read", default=None
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Return the packaged numbered migrations (`NNNN_name.sql`) in order."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StorageError(f"migration numbers must be 1..N without gaps, got {versions}")
    return found


class Database:
    """An aiosqlite writer with serialised, nestable transactions, and read-only readers."""

    def __init__(self, path: str | Path, *, readers: int = 2) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._readers_wanted = readers
        self._readers: list[aiosqlite.Connection] = []
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._uri = self.path if self.path.startswith("file:") else _file_uri(self.path)

    @classmethod
    async def reader_only(cls, path: str | Path) -> Database:
        """Open one read-only connection and no writer: `reading()` works, writes fail.

        For work in a thread of its own (a year's ledger), which must not share the event
        loop's connections. Applies no migrations (the writer did).

        Raises:
            StorageError: an in-memory database (no second connection can see it).
        """
        db = cls(path, readers=1)
        if db.in_memory:
            raise StorageError("an in-memory database has no second connection")
        await db._open_readers()
        return db

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:" or "mode=memory" in self.path

    async def connect(self) -> None:
        """Open the connection, set pragmas and apply pending migrations."""
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
        try:
            await self.migrate()
            await self._open_readers()
        except BaseException:
            await self.close()
            raise

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
        """Close the connections (idempotent)."""
        readers, self._readers = self._readers, []
        self._idle = asyncio.Queue()
        for reader in readers:
            await reader.close()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("database is not connected")
        return self._conn

    def in_transaction(self) -> bool:
        return self._tx_state() is not None

    def _tx_state(self) -> _TxState | None:
        state = _current_tx.get()
        if state is None or state.db is not self or state.task is not _task():
            return None
        return state

    def _read_scope(self) -> _ReadState | None:
        read = _current_read.get()
        if read is None or read.db is not self or read.task is not _task():
            return None
        return read

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Database]:
        """Read a consistent snapshot without the writer lock (see the module docstring)."""
        if self.in_transaction() or self._read_scope() is not None or not self._readers:
            # The writer's own transaction, an enclosing read, or (in memory) the writer.
            async with self.transaction():
                yield self
            return
        conn = await self._idle.get()
        token = _current_read.set(_ReadState(self, conn, _task()))
        try:
            await conn.execute("BEGIN")  # one snapshot for the whole block
            try:
                yield self
            finally:
                with contextlib.suppress(sqlite3.Error):
                    await conn.execute("COMMIT")
        finally:
            _current_read.reset(token)
            if conn in self._readers:  # not closed meanwhile
                self._idle.put_nowait(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """Run the block atomically; nested blocks are savepoints of the outer one.

        Inside `reading()` (and no write transaction) the block joins the read instead.
        """
        if not self.in_transaction() and self._read_scope() is not None:
            yield self
            return
        state = self._tx_state()
        if state is not None:
            state.depth += 1
            scope = _Savepoint(f"sp{state.depth}")
            state.savepoints.append(scope)
            try:
                yield self
            except BaseException:
                if scope.issued:
                    await self.conn.execute(f"ROLLBACK TO {scope.name}")
                    await self.conn.execute(f"RELEASE {scope.name}")
                raise
            else:
                if scope.issued:
                    await self.conn.execute(f"RELEASE {scope.name}")
            finally:
                state.savepoints.pop()
                state.depth -= 1
            return
        async with self._lock:
            token = _current_tx.set(_TxState(self, _task()))
            try:
                try:
                    await self.conn.execute("BEGIN IMMEDIATE")
                except BaseException:
                    # Cancelled while BEGIN was queued: the worker thread still runs it, so
                    # queue a ROLLBACK behind it; never leave a transaction without an owner.
                    await self._rollback_quietly()
                    raise
                try:
                    yield self
                except BaseException:
                    await self._rollback_quietly()
                    raise
                else:
                    await self.conn.execute("COMMIT")
            finally:
                _current_tx.reset(token)

    async def _rollback_quietly(self) -> None:
        # The statement runs in the worker thread even if this await is cancelled.
        with contextlib.suppress(sqlite3.OperationalError):
            await self.conn.execute("ROLLBACK")

    def _check(self) -> aiosqlite.Connection:
        """The connection to read from: the writer in a transaction, else the read's own."""
        if self.in_transaction():
            return self.conn
        read = self._read_scope()
        if read is not None:
            return read.conn
        raise StorageError("database access outside Database.transaction() or reading()")

    async def _writable(self) -> aiosqlite.Connection:
        """The writer, after issuing the SAVEPOINTs of enclosing scopes that have none."""
        if not self.in_transaction():
            if self._read_scope() is not None:
                raise StorageError("a write inside Database.reading()")
            raise StorageError("database access outside Database.transaction()")
        conn = self.conn
        state = self._tx_state()
        assert state is not None
        for scope in state.savepoints:
            if not scope.issued:
                await conn.execute(f"SAVEPOINT {scope.name}")
                scope.issued = True
        return conn

    # Each aiosqlite call is a round trip to its worker thread, so every helper below makes
    # exactly one: no separate fetch or close calls (cursors are finalised by the thread).
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Execute one statement; return the number of rows it changed."""
        cursor = await (await self._writable()).execute(sql, params)
        return int(cursor.rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Execute an INSERT; return the new row id."""
        cursor = await (await self._writable()).execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await (await self._writable()).executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._check().execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._check().execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        async with self.transaction():
            await self.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            value = await self.fetchval("SELECT MAX(version) FROM schema_migrations")
        return int(value or 0)

    async def migrate(self) -> list[int]:
        """Apply pending migrations, each with its version row in one transaction."""
        applied: list[int] = []
        current = await self.schema_version()
        known = load_migrations()
        if current > len(known):
            raise StorageError(
                f"database schema version {current} is newer than this program "
                f"({len(known)}); upgrade liaison-bot"
            )
        for migration in known:
            if migration.version <= current:
                continue
            async with self.transaction():
                for statement in _split_sql(migration.sql):
                    await self.execute(statement)
                await self.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, to_iso(datetime.now(UTC))),
                )
            applied.append(migration.version)
        return applied


def _file_uri(path: str) -> str:
    return "" if path == ":memory:" else Path(path).resolve().as_uri()


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (no triggers with inner semicolons)."""
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
