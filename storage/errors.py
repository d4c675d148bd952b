"""The storage layer's own errors, whatever the backend."""

from __future__ import annotations


class StorageError(Exception):
    """The database could not be opened or is not usable."""


class DatabaseInUse(StorageError):
    """Another process runs the bot on this database."""

    def __init__(self, where: str, pid: int | None) -> None:
        self.path, self.pid = where, pid
        super().__init__(f"another liaison-bot (pid {pid or '?'}) is running on {where}")
