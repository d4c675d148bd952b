"""PostgreSQL through asyncpg: a connection pool, writers serialised by an advisory lock.

What is PostgreSQL's own lives here, next to its PostgreSQL spelling:

- parameters: the repositories write `?` or `:name`; `translate` turns them into `$1, $2, ...`
  once per statement text (string literals, quoted names, comments and `::` casts untouched);
- the new row's id: `INSERT ... RETURNING id`;
- `strpos` for substring search, `GREATEST`, and no planner hints;
- `numeric` results (SUM of integers, AVG) read as int or float, as SQLite returns them;
- the write lock. SQLite's `BEGIN IMMEDIATE` lets one writer in at a time, and the services rely
  on it (see `storage.db`). Here every write transaction starts with
  `pg_advisory_xact_lock(WRITE_LOCK, hash of the schema)`: one writer at a time per database
  schema across every process using it, released by COMMIT or ROLLBACK, or by the server when
  the process dies. Writers run at READ COMMITTED, so once a writer holds the lock each of its
  statements sees everything committed before it, as on SQLite. Readers (`reading()`) take
  REPEATABLE READ READ ONLY snapshots on other pool connections and never wait for the lock;
- the run lock's key (`RUN_LOCK`; the lock itself is `storage.runlock.PostgresRunLock`);
- the workers' lease's key (`LEASE_LOCK`; the lease itself is `storage.postgres_lease`, held by
  one worker at a time, see `bot.runtime.lease`).

The migrations are `storage/migrations_pg/` (see `storage.migrate`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any

import asyncpg

from storage.db import Database
from storage.dialect import Dialect
from storage.errors import StorageError
from storage.interface import Params, Row
from storage.migrate import POSTGRES_MIGRATIONS, Migration
from storage.text import storable_record
from storage.url import POSTGRESQL, StorageUrl, redact

# Advisory lock classes (the first key); the second is `hashtext(current_schema())`.
WRITE_LOCK = 0x6C69  # "li"
RUN_LOCK = 0x6C6A
LEASE_LOCK = 0x6C6B
CLOSE_TIMEOUT = 5.0


async def close_session(conn: asyncpg.Connection | None) -> None:
    """Close a dedicated session (a lease's, a run lock's), which frees its advisory locks;
    a session that does not close in time, or is already broken, is cut off."""
    if conn is None:
        return
    try:
        await asyncio.wait_for(conn.close(), CLOSE_TIMEOUT)
    except (TimeoutError, OSError, asyncpg.InterfaceError):
        conn.terminate()


WRITER_IDLE_TIMEOUT = 60  # seconds a write transaction may sit waiting for its process


class PostgresDialect:
    """PostgreSQL's spellings (see `storage.dialect.Dialect`)."""

    name = POSTGRESQL

    def contains(self, column: str, param: str = "?") -> str:
        return f"strpos({column}, {param}) > 0"

    def unindexed(self, column: str) -> str:
        return column

    def greatest(self, first: str, second: str) -> str:
        return f"GREATEST({first}, {second})"


POSTGRES_DIALECT = PostgresDialect()

_TOKENS = re.compile(
    r"'(?:[^']|'')*'"  # a string literal
    r'|"(?:[^"]|"")*"'  # a quoted name
    r"|--[^\n]*|/\*.*?\*/"  # comments
    r"|::"  # a cast, not a parameter
    r"|\?"
    r"|:([A-Za-z_][A-Za-z0-9_]*)",
    re.DOTALL,
)


@lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`?` and `:name` parameters as `$n`; the names in `$n` order (None for `?` style).

    Raises:
        StorageError: both styles in one statement.
    """
    names: dict[str, int] = {}
    positional = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name is None:
            return token
        if name not in names:
            names[name] = len(names) + 1
        return f"${names[name]}"

    text = _TOKENS.sub(replace, sql)
    if positional and names:
        raise StorageError(f"both ? and :name parameters in one statement: {sql}")
    return text, (tuple(names) if names else None)


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    text, names = translate(sql)
    if names is None:
        if isinstance(params, dict):
            if params:
                raise StorageError(f"named parameters for a statement with ?: {sql}")
            return text, []
        return text, list(params)
    if not isinstance(params, dict):
        raise StorageError(f"a statement with :name parameters needs a mapping: {sql}")
    return text, [params[name] for name in names]


def _numeric(text: str) -> int | float | Decimal:
    # SUM of integers is an integer, AVG or a ratio a float: what SQLite hands back.
    if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
        return float(text)
    return int(text)


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text"
    )


async def _reset(conn: asyncpg.Connection) -> None:
    """What a connection needs when it goes back to the pool: nothing, unless a transaction
    was left open. (asyncpg's default reset is a round trip per release: RESET ALL, UNLISTEN,
    CLOSE ALL; this code sets no session state, listens to nothing, opens no cursor.)"""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def rows_changed(status: str) -> int:
    """The row count at the end of a command tag ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def server_settings(url: StorageUrl, role: str) -> dict[str, str]:
    settings = {"application_name": f"liaison-bot {role} {os.getpid()}", "jit": "off"}
    if url.schema:
        settings["search_path"] = url.schema
    return settings


def connect_failure(url: StorageUrl, exc: BaseException) -> StorageError:
    """A connection failure as one line an operator can act on, without the password."""
    text = redact(str(exc) or type(exc).__name__)
    if url.password:
        text = text.replace(url.password, "***")
    return StorageError(f"cannot connect to the database {url.redacted}: {text}")


class PostgresDatabase(Database):
    """A pool of asyncpg connections: one writer at a time (per schema), readers beside it.

    The writer keeps its connection between transactions (as SQLite's writer does): writes of
    this process are serialised anyway, and a connection taken from the pool for each would
    cost a round trip more. A writer connection that broke is replaced at the next write.
    """

    backend = POSTGRESQL
    dialect: Dialect = POSTGRES_DIALECT
    migrations = POSTGRES_MIGRATIONS

    def __init__(self, url: StorageUrl, *, readers: int = 2) -> None:
        super().__init__()
        self._url = url
        self._readers_wanted = max(1, readers)
        self._pool: asyncpg.Pool | None = None
        self._writer: asyncpg.Connection | None = None
        self._lock_key = 0

    @property
    def url(self) -> str:
        return self._url.url

    @property
    def display(self) -> str:
        return self._url.redacted

    @property
    def schema(self) -> str | None:
        return self._url.schema

    async def _open(self) -> None:
        # The writer plus the readers; writers of this process queue on the asyncio lock first,
        # so one pool connection at a time waits for the advisory lock.
        await self._create_pool(self._readers_wanted + 1, role="bot")

    async def _open_readers(self) -> None:
        if self._pool is None:  # a reader only (open_reader)
            await self._create_pool(self._readers_wanted, role="reader")

    async def _create_pool(self, size: int, *, role: str) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self._url.target,
                min_size=1,
                max_size=size,
                init=_init_connection,
                reset=_reset,
                # Every statement the repositories send stays prepared (the default keeps 100).
                statement_cache_size=2000,
                server_settings=server_settings(self._url, role),
            )
            async with self._pool.acquire() as conn:
                if self._url.schema and role == "bot":
                    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self._url.schema}"')
                schema = await conn.fetchval("SELECT current_schema()")
                if schema is None:
                    raise StorageError(
                        f"the schema {self._url.schema} does not exist in {self._url.redacted}"
                    )
                self._lock_key = int(await conn.fetchval("SELECT hashtext($1)", schema))
        except StorageError:
            await self.close()
            raise
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            await self.close()
            raise connect_failure(self._url, exc) from None

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        writer, self._writer = self._writer, None
        if pool is None:
            return
        if writer is not None:
            with contextlib.suppress(Exception):
                await pool.release(writer)
        try:
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT)
        except (TimeoutError, asyncpg.InterfaceError):
            pool.terminate()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StorageError("database is not connected")
        return self._pool

    def _has_readers(self) -> bool:
        return self._pool is not None

    def _transient(self, exc: BaseException) -> bool:
        # The connection lost or refused, the server restarting or out of resources, a
        # deadlock or a serialisation failure: not the work's fault. SQLSTATE classes 08, 53, 57.
        if isinstance(exc, asyncpg.InterfaceError | OSError):
            return True
        state = getattr(exc, "sqlstate", None) or ""
        return isinstance(exc, asyncpg.PostgresError) and (
            state[:2] in ("08", "53", "57") or state in ("40001", "40P01", "55P03")
        )

    async def _begin_write(self) -> asyncpg.Connection:
        if self._writer is None:
            self._writer = await self.pool.acquire()
        conn = self._writer
        try:
            # A writer that stops talking while it holds the lock (a frozen process, a lost
            # host) would stall every worker: the server ends its session after a while, and
            # its transaction and lock with it.
            await conn.execute(
                "BEGIN; SET LOCAL idle_in_transaction_session_timeout ="
                f" '{WRITER_IDLE_TIMEOUT}s';"
                f" SELECT pg_advisory_xact_lock({WRITE_LOCK}, {self._lock_key})"
            )
        except BaseException:
            await self._drop_writer(conn)
            raise
        return conn

    async def _end_write(self, conn: asyncpg.Connection, *, commit: bool) -> None:
        try:
            await conn.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            await self._drop_writer(conn)
            raise

    async def _drop_writer(self, conn: asyncpg.Connection) -> None:
        """The writer's transaction state is unknown: give it back; the next write takes another."""
        if self._writer is conn:
            self._writer = None
            await self._discard(conn)

    async def _discard(self, conn: asyncpg.Connection) -> None:
        """Give back a connection whose transaction state is unknown (the pool resets it)."""
        if conn.is_in_transaction():
            with contextlib.suppress(Exception):
                await conn.execute("ROLLBACK")
        if conn.is_in_transaction() or conn.is_closed():
            conn.terminate()
        await self.pool.release(conn)

    async def _begin_read(self) -> asyncpg.Connection:
        conn = await self.pool.acquire()
        try:
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except BaseException:
            await self._discard(conn)
            raise
        return conn

    async def _end_read(self, conn: asyncpg.Connection) -> None:
        try:
            await conn.execute("COMMIT")
        except BaseException:
            await self._discard(conn)
            raise
        await self.pool.release(conn)

    async def _apply(self, migration: Migration) -> None:
        # One script, several statements (plpgsql bodies included): the simple query protocol.
        await (await self._writable()).execute(migration.sql)

    async def _run(self, conn: asyncpg.Connection, sql: str, params: Params) -> int:
        text, args = _args(sql, params)
        return rows_changed(await conn.execute(text, *args))

    async def _run_insert(self, conn: asyncpg.Connection, sql: str, params: Params) -> int:
        text, args = _args(sql, params)
        if not re.search(r"\bRETURNING\b", text, re.IGNORECASE):
            text += " RETURNING id"
        return int(await conn.fetchval(text, *args) or 0)

    async def _run_many(self, conn: asyncpg.Connection, sql: str, rows: Iterable[Params]) -> None:
        batch = [_args(sql, params) for params in rows]
        if batch:
            await conn.executemany(batch[0][0], [args for _, args in batch])

    async def _fetch(self, conn: asyncpg.Connection, sql: str, params: Params) -> list[Row]:
        text, args = _args(sql, params)
        return list(await conn.fetch(text, *args))

    # -- what `storage.port` needs beyond the interface ---------------------------------------

    async def copy_rows(
        self, table: str, columns: list[str], records: list[tuple[Any, ...]]
    ) -> None:
        """Append rows to `table` with COPY, inside the current write transaction.

        Raises:
            StorageError: a value does not fit its column (the message names it).
        """
        conn = await self._writable()
        # The rule every write follows: an older SQLite file may hold a NUL in a text.
        records = [storable_record(record) for record in records]
        try:
            await conn.copy_records_to_table(
                table, columns=columns, records=records, schema_name=await self._schema(conn)
            )
        except (asyncpg.PostgresError, asyncpg.DataError, ValueError, TypeError) as exc:
            raise StorageError(str(exc)) from None

    async def reset_sequences(self) -> None:
        """Move every id sequence of this schema past the largest id (after rows came with ids)."""
        conn = await self._writable()
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        )
        for table, column in rows:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'),"
                f' COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'
            )

    @staticmethod
    async def _schema(conn: asyncpg.Connection) -> str:
        return str(await conn.fetchval("SELECT current_schema()"))
