"""The database the tests run on: SQLite by default, PostgreSQL when asked.

`LIAISON_TEST_DATABASE_URL=postgresql://user:password@host/dbname` (a database the tests may
wipe) runs the same tests on PostgreSQL; `.ci/run` does it with a throwaway cluster. The
README's test command sets nothing and needs no PostgreSQL.

On PostgreSQL each database a test asks for is a schema of its own (`lt_<pid>_<name>`): made
and migrated the first time the name is used in this run, emptied (every table truncated, every
id sequence restarted) each time a test asks for it again, which is much faster than making the
schema anew. The run drops its schemas when it ends. Tests that are SQLite's by nature (the file
lock, the backup API, upgrades from older SQLite schemas) are marked `sqlite_only`.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import threading
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from storage.url import parse_url

TEST_DATABASE_URL = os.environ.get("LIAISON_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgresql://", "postgres://"))
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"

T = TypeVar("T")


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Skip on PostgreSQL: what the test checks exists on SQLite only (say what)."""
    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite only: {reason}")


needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: set LIAISON_TEST_DATABASE_URL (.ci/run does)"
)


def database_url(tmp_path: Path | None, name: str = "bot.db") -> str:
    """An empty, migrated-on-connect database for this test: a file in `tmp_path` on SQLite,
    a schema emptied for this test on PostgreSQL."""
    if not ON_POSTGRES:
        if tmp_path is None:
            raise ValueError("a SQLite test database lives in the test's tmp_path")
        return str(tmp_path / name)
    return _admin().fresh(name)


def scratch_url() -> str:
    """An empty database without a file: SQLite in memory, or an emptied PostgreSQL schema."""
    return _admin().fresh("scratch") if ON_POSTGRES else ":memory:"


def empty_schema_url(name: str) -> str:
    """PostgreSQL: a schema with no tables at all (dropped and made anew), for migration tests."""
    return _admin().fresh(name, drop=True)


def display(url: str) -> str:
    """How the bot names this database in its messages (the password masked)."""
    return parse_url(url).redacted


def query(url: str, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Read rows from outside the bot (`?` parameters), as an operator's tool would."""
    if not ON_POSTGRES:
        conn = sqlite3.connect(f"file:{url}?mode=ro", uri=True)
        try:
            return [tuple(row) for row in conn.execute(sql, list(params))]
        finally:
            conn.close()
    return _admin().query(url, sql, list(params))


class _Admin:
    """One connection to the test database, on a thread of its own (tests have many loops)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.conn: Any = None
        self.made: dict[str, str] = {}  # schema -> its URL
        self.prefix = f"lt_{os.getpid()}_"
        self.call(self._connect())

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    async def _connect(self) -> None:
        import asyncpg

        # A lock held by a test that forgot to close its database fails the next one clearly.
        self.conn = await asyncpg.connect(self.url, server_settings={"lock_timeout": "20s"})
        # Schemas left by runs that died (their process is gone), one cleaner at a time: the
        # parallel workers (pytest-xdist) start together and would drop the same ones at once.
        await self.conn.execute("SELECT pg_advisory_lock(hashtext('liaison tests: cleanup'))")
        try:
            for (schema,) in await self.conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lt\\_%'"
            ):
                pid = schema.split("_")[1]
                if pid.isdigit() and not _alive(int(pid)):
                    await self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await self.conn.execute("SELECT pg_advisory_unlock(hashtext('liaison tests: cleanup'))")

    def fresh(self, name: str, *, drop: bool = False) -> str:
        schema = self.prefix + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        self.call(self._fresh(schema, drop=drop))
        if schema not in self.made:
            sep = "&" if "?" in self.url else "?"
            self.made[schema] = f"{self.url}{sep}schema={schema}"
        return self.made[schema]

    async def _fresh(self, schema: str, *, drop: bool) -> None:
        if drop or schema not in self.made:
            await self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await self.conn.execute(f'CREATE SCHEMA "{schema}"')
            return
        tables = [
            row[0]
            for row in await self.conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1"
                " AND tablename <> 'schema_migrations'",
                schema,
            )
        ]
        if tables:
            probe = " UNION ALL ".join(
                f'(SELECT \'{t}\' FROM "{schema}"."{t}" LIMIT 1)' for t in tables
            )
            used = [row[0] for row in await self.conn.fetch(probe)]
            if used:
                names = ", ".join(f'"{schema}"."{t}"' for t in used)
                await self.conn.execute(f"TRUNCATE {names} CASCADE")
        await self.conn.execute(
            "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
            " FROM pg_sequences WHERE schemaname = $1 AND last_value IS NOT NULL",
            schema,
        )

    def query(self, url: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return self.call(self._query(url, sql, params))

    async def _query(self, url: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        from storage.postgres import translate

        schema = parse_url(url).schema
        text, _ = translate(sql)
        async with self.conn.transaction():
            if schema:
                await self.conn.execute(f'SET LOCAL search_path TO "{schema}"')
            return [tuple(row) for row in await self.conn.fetch(text, *params)]

    def close(self) -> None:
        async def drop() -> None:
            for schema in self.made:
                await self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await self.conn.close()

        try:
            self.call(drop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)


_ADMIN: _Admin | None = None
_ADMIN_LOCK = threading.Lock()


def _admin() -> _Admin:
    global _ADMIN
    with _ADMIN_LOCK:
        if _ADMIN is None:
            _ADMIN = _Admin(TEST_DATABASE_URL)
        return _ADMIN


def drop_schemas() -> None:
    """Drop the schemas this run made (at the end of the session)."""
    global _ADMIN
    with _ADMIN_LOCK:
        admin, _ADMIN = _ADMIN, None
    if admin is not None:
        admin.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
