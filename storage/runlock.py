"""The run lock: one process at a time on a database that only one may use.

SQLite: an exclusive `flock` on `<database>.lock` (`RunLock`), so a second bot process on the file
refuses to start. PostgreSQL: a session-level advisory lock on a connection of its own
(`PostgresRunLock`); `liaison-bot run` takes it shared, as several workers share a PostgreSQL
database (the lease in `bot.runtime.lease` decides which of them polls, sends and runs the scheduled
work), and a tool that needs the database to itself (`port-db`) takes it exclusively, so either
refuses while the other runs. Either way the holder's death frees it: the kernel releases the
flock, the server the session's lock.
Operator commands (backup, roster import, doctor) do not take it: they may run beside the bot;
`port-db` does, so nothing writes to the SQLite file while it is copied.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from storage import private
from storage.errors import DatabaseInUse, StorageError
from storage.url import POSTGRESQL, StorageUrl, parse_url

if TYPE_CHECKING:
    import asyncpg


class HeldLock(Protocol):
    """A run lock this process holds."""

    async def release(self) -> None: ...


async def take_run_lock(url: str, *, shared: bool = False) -> HeldLock | None:
    """Take the run lock of the database at `url`, or raise at once (None: nothing to lock).

    `shared`: beside other shared holders (PostgreSQL's workers); on SQLite it is exclusive
    anyway (one process per file).

    Raises:
        DatabaseInUse: another process holds it.
        StorageError: the lock cannot be taken (no lock file, no server).
    """
    parsed = parse_url(url)
    if parsed.backend == POSTGRESQL:
        lock = PostgresRunLock(parsed, shared=shared)
        await lock.acquire()
        return lock
    if parsed.target == ":memory:" or "mode=memory" in parsed.target:
        return None
    file_lock = _FileLock(RunLock(parsed.target))
    file_lock.lock.acquire()
    return file_lock


class _FileLock:
    def __init__(self, lock: RunLock) -> None:
        self.lock = lock

    async def release(self) -> None:
        self.lock.release()


class RunLock:
    """The OS lock that keeps a second bot process off a SQLite database while this one runs.

    An exclusive `flock` on `<database>.lock`, held for the process's life: the kernel releases
    it when the process exits or crashes, so a stale lock file never blocks a restart. Operator
    commands (backup, roster import, doctor) do not take it: they may run beside the bot.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = str(db_path)
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise at once.

        Raises:
            DatabaseInUse: another process holds it.
            StorageError: the lock file cannot be created.
        """
        if self._fd is not None:
            return
        try:
            private.make_dirs(self.path.parent)
            fd = private.open_private(self.path, os.O_RDWR)
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise DatabaseInUse(self.db_path, int(holder) if holder.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (idempotent). The file stays: removing it would race a new owner."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock


class PostgresRunLock:
    """A session-level advisory lock held on a connection of its own for the process's life
    (`shared`: by any number of workers together, none of them beside an exclusive holder)."""

    def __init__(self, url: StorageUrl, *, shared: bool = False) -> None:
        self.url = url
        self.shared = shared
        self._conn: asyncpg.Connection | None = None

    async def acquire(self) -> None:
        """Take the lock or raise at once.

        Raises:
            DatabaseInUse: another process holds it (its pid from its connection's name).
            StorageError: the server cannot be reached.
        """
        if self._conn is not None:
            return
        # asyncpg only where it is used (as `storage.open`): a SQLite bot never loads it.
        import asyncpg

        from storage.postgres import RUN_LOCK, connect_failure, server_settings

        try:
            conn = await asyncpg.connect(
                self.url.target, server_settings=server_settings(self.url, "run")
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise connect_failure(self.url, exc) from None
        try:
            key = await conn.fetchval("SELECT hashtext(current_schema())")
            take = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
            if not await conn.fetchval(f"SELECT {take}($1, $2)", RUN_LOCK, key):
                holder = await conn.fetchval(
                    "SELECT a.application_name FROM pg_locks l"
                    " JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted"
                    " AND l.classid = $1 AND l.objid = $2::oid AND l.objsubid = 2",
                    RUN_LOCK,
                    key & 0xFFFFFFFF,
                )
                pid = str(holder or "").rsplit(" ", 1)[-1]
                raise DatabaseInUse(self.url.redacted, int(pid) if pid.isdigit() else None)
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn

    async def release(self) -> None:
        """Release the lock (idempotent): closing the session releases it."""
        from storage.postgres import close_session

        conn, self._conn = self._conn, None
        await close_session(conn)
