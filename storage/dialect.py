"""The SQL spellings that differ between the backends, behind one small interface.

Repositories write portable SQL (standard SELECT/INSERT/UPDATE/DELETE, `ON CONFLICT ... DO
NOTHING` / `DO UPDATE`, `COALESCE`, `CASE`, parameters as `?` or `:name`) against
`storage.interface`. Where the backends spell a thing differently, a repository asks the
database's dialect (`self.db.dialect`), and each backend answers in its own module:
`storage.sqlite.SQLITE_DIALECT` and `storage.postgres.POSTGRES_DIALECT`. Everything else that is
one backend's own (connection settings, the new row's id, parameter style, DDL) lives in that
backend's module and migrations.

`tests/test_layers.py` keeps SQLite-only spellings out of the repositories.
"""

from __future__ import annotations

from typing import Protocol


class Dialect(Protocol):
    """What a repository may ask its backend to spell."""

    name: str

    def contains(self, column: str, param: str = "?") -> str:
        """A condition: `column` contains the text bound to `param` (no wildcards in the text)."""
        ...

    def unindexed(self, column: str) -> str:
        """`column`, written so the planner does not use an index on it (SQLite's picks a
        worse one in a few per-ticket subqueries; PostgreSQL's planner needs no such hint)."""
        ...

    def greatest(self, first: str, second: str) -> str:
        """The larger of two values."""
        ...
