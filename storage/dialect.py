"""The SQL that only SQLite speaks, in one place.

Repositories write portable SQL (standard SELECT/INSERT/UPDATE/DELETE, `ON CONFLICT ... DO
NOTHING` / `DO UPDATE`, `COALESCE`, parameters as `?` or `:name`) against the small interface
of `storage.interface`. What is SQLite's own lives here, next to its SQLite spelling, so a
PostgreSQL backend replaces this module (and `storage.db`) and nothing else:

- connection settings (PRAGMAs: WAL, foreign keys, busy timeout, read-only readers);
- the new row's id after an INSERT (SQLite: `cursor.lastrowid`; PostgreSQL: `RETURNING id`);
- substring search (`instr`; PostgreSQL: `strpos`);
- a hint that keeps the planner off an index (unary `+`; PostgreSQL has no such hint);
- parameter style: SQLite takes `?` and `:name` as written; psycopg wants `%s`/`%(name)s`,
  which a PostgreSQL `execute` translates from these two forms.

The numbered migrations are SQLite DDL; a second backend brings its own set.
`tests/test_layers.py` keeps SQLite-only spellings out of the repositories.
"""

from __future__ import annotations

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


def contains(column: str, param: str = "?") -> str:
    """A condition: `column` contains the text bound to `param` (no wildcards in the text)."""
    return f"instr({column}, {param}) > 0"


def unindexed(column: str) -> str:
    """`column`, written so the planner does not use an index on it (it would pick a worse one)."""
    return f"+{column}"


def greatest(first: str, second: str) -> str:
    """The larger of two values (SQLite's two-argument `MAX`; PostgreSQL: `GREATEST`)."""
    return f"MAX({first}, {second})"
