"""What the running task works in: a write transaction, a snapshot read, a fence.

`storage.db.Database` keeps them in context variables, so a service deep in a call finds the
transaction its caller opened. A task started inside a scope inherits the variables but not the
transaction or the read (each scope names the task that opened it); it does inherit the fence,
which is how all the tasks of the leader's work (`bot.runtime.lease`) share the one they started
under.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from storage.interface import SqlDatabase


@dataclass
class Savepoint:
    name: str
    issued: bool = False


@dataclass
class TxState:
    db: SqlDatabase
    # The task that opened it. A task started inside a transaction inherits the context
    # variable, but not the transaction: it must wait for the lock (or read on a reader).
    task: asyncio.Task[Any] | None
    conn: Any = None
    depth: int = 0
    # Nested scopes, outermost first. A SAVEPOINT is only issued when the scope first writes:
    # read-only service calls nest freely without two extra round trips each.
    savepoints: list[Savepoint] = field(default_factory=list)
    # Work to run inside the transaction just before it commits, in the order it was given;
    # a savepoint rolled back drops what was given inside it.
    before_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Whether it wrote yet: a fence is checked at the first write (see `Fence`).
    wrote: bool = False


@dataclass
class ReadState:
    db: SqlDatabase
    conn: Any
    task: asyncio.Task[Any] | None


class Fence(Protocol):
    """What leader work must still hold to write (`bot.runtime.lease.Fence`).

    Checked at a transaction's first write: the write lock is held from then until COMMIT, and
    a new leader's take of the lease waits for it, so a write and a change of leader are ordered.
    """

    async def verify(self, db: SqlDatabase) -> None:
        """Raise `storage.errors.LeaseLost` unless the work may still write (inside the
        transaction)."""
        ...


current_tx: contextvars.ContextVar[TxState | None] = contextvars.ContextVar(
    "liaison_tx", default=None
)
current_read: contextvars.ContextVar[ReadState | None] = contextvars.ContextVar(
    "liaison_read", default=None
)
# The fence of the work running in this context (and in the tasks it starts), and its database.
current_fence: contextvars.ContextVar[tuple[SqlDatabase, Fence] | None] = contextvars.ContextVar(
    "liaison_fence", default=None
)


def current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None
