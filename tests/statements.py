"""Count the SQL statements an update's handling runs (its handler and the notices it owes).

`count_updates(runtime)` wraps the database backend's four primitives (`_run`, `_run_insert`,
`_run_many`, `_fetch`: every statement the program issues goes through one of them) and the
update intake's `_handle`, and files each statement under the update being handled when it
ran: the handler's own statements and those of the notices it owes, which the wrapper runs
right after the handler (`Database.settle`, as the intake does next anyway). What the intake
does per group of updates (reading the inbox, BEGIN, the done marks, COMMIT), the poller and
the sender are not counted: they run outside any update's scope, and how many updates share
a group depends on timing.

A count, not a time: statements, whatever thread or loop runs them. `bench/count_statements.py`
prints them per report; `tests/handlers/tickets/test_statement_budget.py` keeps the report path
under a budget.
"""

from __future__ import annotations

import contextvars
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.ingest.processor import UpdateProcessor
from bot.runtime.process import Runtime

PRIMITIVES = ("_run", "_run_insert", "_run_many", "_fetch")

_scope: contextvars.ContextVar[Counter[str] | None] = contextvars.ContextVar(
    "counted_update", default=None
)


def shape(sql: str) -> str:
    """A statement's text on one line, savepoint names folded (sp1, sp2 → sp#)."""
    return re.sub(r"\bsp\d+\b", "sp#", " ".join(sql.split()))


@dataclass
class UpdateCounts:
    """The statements of each update handled while counting, in the order they were handled."""

    per_update: list[Counter[str]] = field(default_factory=list)

    def total(self) -> Counter[str]:
        """Every counted update's statements together, by statement text."""
        summed: Counter[str] = Counter()
        for counts in self.per_update:
            summed.update(counts)
        return summed

    def statements(self) -> list[int]:
        """How many statements each update ran."""
        return [sum(c.values()) for c in self.per_update]


@contextmanager
def count_updates(runtime: Runtime) -> Iterator[UpdateCounts]:
    """Count each update's statements while the block runs (see the module docstring)."""
    assert runtime.db is not None and runtime.processor is not None
    backend = type(runtime.db)
    counts = UpdateCounts()
    saved: dict[str, Any] = {name: getattr(backend, name) for name in PRIMITIVES}
    handle = UpdateProcessor._handle

    def counted(name: str) -> Any:
        original = saved[name]

        async def primitive(self: Any, conn: Any, sql: str, params: Any) -> Any:
            scope = _scope.get()
            if scope is not None:
                scope[shape(sql)] += 1
            return await original(self, conn, sql, params)

        return primitive

    async def handled(self: UpdateProcessor, update_id: int, payload: dict[str, Any]) -> None:
        scope: Counter[str] = Counter()
        token = _scope.set(scope)
        try:
            await handle(self, update_id, payload)
            await self.db.settle()
        finally:
            _scope.reset(token)
            counts.per_update.append(scope)

    for name in PRIMITIVES:
        setattr(backend, name, counted(name))
    UpdateProcessor._handle = handled  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        UpdateProcessor._handle = handle  # type: ignore[method-assign]
        for name, original in saved.items():
            setattr(backend, name, original)
