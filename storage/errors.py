"""The storage layer's own errors, whatever the backend."""

from __future__ import annotations

from collections.abc import Callable


class StorageError(Exception):
    """The database could not be opened or is not usable."""


class DatabaseInUse(StorageError):
    """Another process runs the bot on this database."""

    def __init__(self, where: str, pid: int | None) -> None:
        self.path, self.pid = where, pid
        super().__init__(f"another liaison-bot (pid {pid or '?'}) is running on {where}")


class LeaseLost(Exception):
    """Leader work met a fence it no longer holds: another worker took the lease (its epoch is
    newer), or this one's lapsed (see `bot.runtime.lease.Fence`). Not a database failure: the work
    stops and leaves what it was doing to the worker that leads now."""


def caused_by(exc: BaseException, test: Callable[[BaseException], bool]) -> bool:
    """Whether `exc`, or an exception it was raised from or while handling, passes `test` or
    is a lost connection or a timeout."""
    current: BaseException | None = exc
    for _ in range(8):  # a chain is short; a cycle must not loop
        if current is None:
            return False
        if isinstance(current, (ConnectionError, TimeoutError)) or test(current):
            return True
        current = current.__cause__ or current.__context__
    return False
