"""What the running task works in: a write transaction, a snapshot read.

`storage.db.Database` keeps them in context variables, so a service deep in a call finds the
transaction its caller opened. A task started inside a scope inherits the variables but not the
transaction or the read: each scope names the task that opened it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database


@dataclass
class Savepoint:
    name: str
    issued: bool = False


@dataclass
class TxState:
    db: Database
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


@dataclass
class ReadState:
    db: Database
    conn: Any
    task: asyncio.Task[Any] | None


current_tx: contextvars.ContextVar[TxState | None] = contextvars.ContextVar(
    "liaison_tx", default=None
)
current_read: contextvars.ContextVar[ReadState | None] = contextvars.ContextVar(
    "liaison_read", default=None
)


def current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None
