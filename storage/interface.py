"""The database as the repositories see it: execute, fetch, transaction, reading.

Repositories depend on this protocol only, never on the connection behind it
(`storage.sqlite.SqliteDatabase` and `storage.postgres.PostgresDatabase` implement it). Its
contract:

- `transaction()`: a write unit; the outermost commits, nested ones are savepoints. Writes
  outside one are a bug.
- `reading()`: a consistent snapshot that never waits for the writer; inside a transaction it
  reads through it; writes inside it are a bug.
- `insert` returns the new row's integer id; `execute` the number of rows it changed.
- Rows read by column name (`row["id"]`) and by position (`row[0]`), and iterate.
- Parameters are `?` (a sequence) or `:name` (a mapping), whatever the backend.
- `dialect` spells what the backends spell differently (`storage.dialect`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from storage.dialect import Dialect

Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """One result row, by column name or position."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> list[str]: ...


class SqlDatabase(Protocol):
    """The small interface every repository talks to."""

    @property
    def dialect(self) -> Dialect: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    def reading(self) -> AbstractAsyncContextManager[Any]: ...

    async def execute(self, sql: str, params: Params = ()) -> int: ...

    async def insert(self, sql: str, params: Params = ()) -> int: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...
