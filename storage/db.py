"""The database, whichever the backend: serialised nestable write transactions and snapshot reads.

Writes go through `Database.transaction()`: the outermost call takes the write lock and opens a
transaction, a nested one (same task) is a SAVEPOINT, so a service owns its transaction while the
intake wraps a whole update in one unit (writes, outbox rows, "done" mark). Nothing else commits.

One write transaction at a time: services read, decide and write in one transaction and rely on
nobody writing in between (a claim checks the ticket's state before it moves it, the airing its
week's record before it posts). SQLite: `BEGIN IMMEDIATE` behind an asyncio lock; PostgreSQL: the
same lock plus a transaction-scoped advisory lock per schema, across processes (`storage.postgres`).

Reads that lead to no write go through `Database.reading()`: a snapshot on a connection of its
own, so a year-long export never holds the write lock nor waits for it. Inside a transaction it
reads through it; inside `reading()` a nested `transaction()` joins the read, and a write there is
a bug (StorageError). With no second connection (SQLite in memory) it reads on the writer.

Leader work (`bot.runtime.lease`) runs inside `fenced()`: a write transaction of it checks the
fence at its first write, so a worker that lost the lease writes nothing.

Backends: `storage.sqlite.SqliteDatabase`, `storage.postgres.PostgresDatabase`, each with the
primitives at the bottom and a `Dialect`; text as `storage.text` says. This base class imports
neither: `storage.open.open_database` opens the one a URL names.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Literal

from storage import migrate
from storage.dialect import Dialect
from storage.errors import DatabaseInUse, StorageError, caused_by
from storage.interface import Params, Row
from storage.migrate import Migration, load_migrations
from storage.scopes import (
    Fence,
    ReadState,
    Savepoint,
    TxState,
    current_fence,
    current_read,
    current_task,
    current_tx,
)
from storage.text import storable, storable_rows

__all__ = [
    "Database",
    "DatabaseInUse",
    "Migration",
    "Params",
    "Row",
    "StorageError",
    "load_migrations",
]


class _WriteLock(asyncio.Lock):
    """The write lock, counting the tasks that wait for it."""

    waiting = 0

    async def acquire(self) -> Literal[True]:
        self.waiting += 1
        try:
            return await super().acquire()
        finally:
            self.waiting -= 1


class Database(ABC):
    """Serialised, nestable write transactions and snapshot reads over a backend's connections."""

    backend: str
    dialect: Dialect
    migrations: str  # the package of this backend's numbered migrations

    def __init__(self) -> None:
        self._lock = _WriteLock()

    # -- what the rest of the program sees ---------------------------------------------------

    @property
    @abstractmethod
    def url(self) -> str:
        """What `storage.open.open_database` takes to open this database again (secret: may hold
        a password)."""

    @property
    @abstractmethod
    def display(self) -> str:
        """The database for people and logs, without any password."""

    @property
    def shareable(self) -> bool:
        """Whether another connection (another process) can open this database."""
        return True

    async def connect(self) -> None:
        """Open the connections and apply pending migrations."""
        await self._open()
        try:
            await self.migrate()
            await self._open_readers()
        except BaseException:
            await self.close()
            raise

    async def connect_reader(self) -> None:
        """Open one read-only connection and no writer (see `storage.open.open_reader`)."""
        if not self.shareable:
            raise StorageError("an in-memory database has no second connection")
        await self._open_readers()

    @abstractmethod
    async def close(self) -> None:
        """Close the connections (idempotent)."""

    def is_transient(self, exc: BaseException) -> bool:
        """Whether `exc` means the database is unavailable for now: worth doing the work again."""
        return caused_by(exc, self._transient)

    def _transient(self, exc: BaseException) -> bool:  # a backend names its own
        return False

    def in_transaction(self) -> bool:
        return self._tx_state() is not None

    async def before_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` inside the current write transaction, just before it commits.

        Whatever the transaction's body queues first (a handler's reply) comes before what is
        given here (the notices of the outcomes it caused), and a rollback, of the whole or of
        the savepoint `work` was given in, drops it. Outside a write transaction, run it now.
        """
        state = self._tx_state()
        if state is None:
            await work()
        else:
            state.before_commit.append(work)

    @property
    def writers_waiting(self) -> int:  # a long unit of work may yield the write lock to them
        return self._lock.waiting

    async def settle(self) -> None:
        """Run what `before_commit` was given so far, now: a unit of work ends in a larger one."""
        state = self._tx_state()
        if state is None:
            return
        if state.depth:  # a savepoint rolled back later would drop work that already ran
            raise StorageError("settle() inside a nested transaction")
        while state.before_commit:
            await state.before_commit.pop(0)()

    @contextmanager
    def fenced(self, fence: Fence) -> Iterator[None]:
        """Write only while `fence` holds, in this block and in the tasks started in it."""
        token = current_fence.set((self, fence))
        try:
            yield
        finally:
            current_fence.reset(token)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Database]:
        """Read a consistent snapshot without the write lock (see the module docstring)."""
        if self.in_transaction() or self._read_scope() is not None or not self._has_readers():
            # The writer's own transaction, an enclosing read, or (in memory) the writer.
            async with self.transaction():
                yield self
            return
        conn = await self._begin_read()
        token = current_read.set(ReadState(self, conn, current_task()))
        try:
            yield self
        finally:
            current_read.reset(token)
            await self._end_read(conn)

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
            async with self._savepoint(state):
                yield self
            return
        async with self._lock:
            state = TxState(self, current_task())
            token = current_tx.set(state)
            try:
                state.conn = await self._begin_write()
                try:
                    yield self
                    await self.settle()
                except BaseException:
                    await self._end_write(state.conn, commit=False)
                    raise
                else:
                    await self._end_write(state.conn, commit=True)
            finally:
                current_tx.reset(token)

    @asynccontextmanager
    async def _savepoint(self, state: TxState) -> AsyncIterator[None]:
        state.depth += 1
        scope = Savepoint(f"sp{state.depth}")
        state.savepoints.append(scope)
        pending = len(state.before_commit)
        try:
            yield
        except BaseException:
            del state.before_commit[pending:]
            if scope.issued:
                await self._run(state.conn, f"ROLLBACK TO SAVEPOINT {scope.name}", ())
                await self._run(state.conn, f"RELEASE SAVEPOINT {scope.name}", ())
            raise
        else:
            if scope.issued:
                await self._run(state.conn, f"RELEASE SAVEPOINT {scope.name}", ())
        finally:
            state.savepoints.pop()
            state.depth -= 1

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Execute one statement; return the number of rows it changed."""
        return await self._run(await self._writable(), sql, storable(params))

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Execute an INSERT into a table with an `id` column; return the new row's id."""
        return await self._run_insert(await self._writable(), sql, storable(params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._run_many(await self._writable(), sql, storable_rows(rows))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._fetch(self._readable(), sql, storable(params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        """The version of the last migration applied (0: an empty database)."""
        return await migrate.schema_version(self)

    async def migrate(self) -> list[int]:
        """Apply pending migrations, each with its version row in one transaction (see
        `storage.migrate.apply_pending`)."""
        return await migrate.apply_pending(self, load_migrations(self.migrations), self._apply)

    # -- scopes ------------------------------------------------------------------------------

    def _tx_state(self) -> TxState | None:
        state = current_tx.get()
        if state is None or state.db is not self or state.task is not current_task():
            return None
        return state

    def _read_scope(self) -> ReadState | None:
        read = current_read.get()
        if read is None or read.db is not self or read.task is not current_task():
            return None
        return read

    def _readable(self) -> Any:
        """The connection to read from: the writer in a transaction, else the read's own."""
        state = self._tx_state()
        if state is not None:
            return state.conn
        read = self._read_scope()
        if read is not None:
            return read.conn
        raise StorageError("database access outside Database.transaction() or reading()")

    async def _writable(self) -> Any:
        """The writer, after issuing the SAVEPOINTs of enclosing scopes that have none."""
        state = self._tx_state()
        if state is None:
            if self._read_scope() is not None:
                raise StorageError("a write inside Database.reading()")
            raise StorageError("database access outside Database.transaction()")
        if not state.wrote:
            state.wrote = True
            fenced = current_fence.get()
            if fenced is not None and fenced[0] is self:  # leader work: does it still lead?
                await fenced[1].verify(self)
        for scope in state.savepoints:
            if not scope.issued:
                await self._run(state.conn, f"SAVEPOINT {scope.name}", ())
                scope.issued = True
        return state.conn

    # -- what a backend implements -----------------------------------------------------------

    @abstractmethod
    async def _open(self) -> None:
        """Open the writer's side (connection or pool); raise StorageError if it cannot."""

    @abstractmethod
    async def _open_readers(self) -> None:
        """Open the read side (nothing where reads go through the writer)."""

    @abstractmethod
    def _has_readers(self) -> bool:
        """Whether `reading()` has connections apart from the writer."""

    @abstractmethod
    async def _begin_write(self) -> Any:
        """Start a write transaction holding the write lock; return its connection."""

    @abstractmethod
    async def _end_write(self, conn: Any, *, commit: bool) -> None:
        """Commit or roll back; the connection is free afterwards whatever happens."""

    @abstractmethod
    async def _begin_read(self) -> Any:
        """Start a read-only snapshot on a reader; return its connection."""

    @abstractmethod
    async def _end_read(self, conn: Any) -> None:
        """End the snapshot and give the reader back."""

    @abstractmethod
    async def _apply(self, migration: Migration) -> None:
        """Run a migration's statements inside the current transaction."""

    @abstractmethod
    async def _run(self, conn: Any, sql: str, params: Params) -> int: ...

    @abstractmethod
    async def _run_insert(self, conn: Any, sql: str, params: Params) -> int: ...

    @abstractmethod
    async def _run_many(self, conn: Any, sql: str, rows: Iterable[Params]) -> None: ...

    @abstractmethod
    async def _fetch(self, conn: Any, sql: str, params: Params) -> list[Row]: ...
