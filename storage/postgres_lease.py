"""The workers' lease on PostgreSQL: a session-level advisory lock one process holds at a time.

See `bot.runtime.lease` for what the holder does. The lock's key is `(LEASE_LOCK, hash of the
schema)`, so the workers of each park (schema) have a lease of their own. Each take advances the
lease's epoch (`storage.repos.lease`), the fencing token the holder's work is checked against.
"""

from __future__ import annotations

import asyncio

import asyncpg

from storage.errors import StorageError
from storage.postgres import (
    LEASE_LOCK,
    WRITE_LOCK,
    WRITER_IDLE_TIMEOUT,
    close_session,
    connect_failure,
    server_settings,
    translate,
)
from storage.repos.lease import ADVANCE, CURRENT, EPOCH_KEY
from storage.url import StorageUrl

# What a broken or stuck session raises (an operation cut off mid-way leaves the connection
# in a state asyncpg refuses to go on from: InternalClientError).
_FAILURES = (
    TimeoutError,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


class PostgresLease:
    """The workers' lease: a session-level advisory lock that one process holds at a time.

    Held on a connection of its own, so the server frees it when that session ends: at once when
    the holder's process dies (its socket closes); within about `ttl` seconds when its host
    vanishes (TCP keepalives) or it stops renewing, frozen (`idle_session_timeout`, PostgreSQL
    14 and later). `renew` must therefore be called more often than every `ttl` seconds.
    """

    shared = True  # other processes take it too: its token is checked in the database

    def __init__(self, url: StorageUrl, *, ttl: float = 15.0) -> None:
        self.url = url
        self.ttl = ttl
        self._conn: asyncpg.Connection | None = None
        self._key = 0

    async def _connect(self) -> asyncpg.Connection:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        self._conn = None
        idle = max(1, round(self.ttl / 3))
        settings = {
            **server_settings(self.url, "lease"),
            # The server notices a vanished peer after idle + 2 x interval seconds.
            "tcp_keepalives_idle": str(idle),
            "tcp_keepalives_interval": str(idle),
            "tcp_keepalives_count": "2",
        }
        try:
            conn = await asyncio.wait_for(
                asyncpg.connect(self.url.target, server_settings=settings), self.ttl
            )
        except _FAILURES as exc:
            raise connect_failure(self.url, exc) from None
        try:
            if int(await conn.fetchval("SHOW server_version_num")) >= 140000:
                await conn.execute(f"SET idle_session_timeout = '{int(self.ttl * 1000)}ms'")
            self._key = int(await conn.fetchval("SELECT hashtext(current_schema())"))
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn
        return conn

    async def try_take(self) -> int | None:
        """Take the lease if nobody holds it: its new epoch (this holder's fencing token), or
        None if another process holds it.

        Raises:
            StorageError: the server cannot be reached, or the epoch could not be advanced.
        """
        try:
            conn = await self._connect()
            taken = await asyncio.wait_for(
                conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LEASE_LOCK, self._key),
                self.ttl,
            )
        except _FAILURES as exc:
            self._drop()
            raise connect_failure(self.url, exc) from None
        if not taken:
            return None
        try:
            # A writer frozen with the write lock keeps it until the server ends its session.
            return await asyncio.wait_for(self._advance(conn), WRITER_IDLE_TIMEOUT + self.ttl)
        except _FAILURES as exc:
            self._drop()  # a lease without its epoch is given up with the session
            raise StorageError(f"could not advance the lease's epoch: {exc!r}") from None

    async def _advance(self, conn: asyncpg.Connection) -> int:
        """Advance the epoch under the write lock: every fenced write of the previous holder
        commits before it (and is seen by this one's work) or finds the new epoch and stops."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", WRITE_LOCK, self._key)
            await conn.execute(translate(ADVANCE)[0], EPOCH_KEY)
            return int(await conn.fetchval(translate(CURRENT)[0], EPOCH_KEY))

    async def renew(self) -> bool:
        """Tell the server this holder is alive; False if the lease is lost (never raises)."""
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            held = await asyncio.wait_for(
                conn.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid = $1 AND objid = $2::oid"
                    " AND objsubid = 2",
                    LEASE_LOCK,
                    self._key & 0xFFFFFFFF,
                ),
                self.ttl / 3,
            )
        except _FAILURES:
            self._drop()
            return False
        return bool(held)

    async def holder(self) -> int | None:
        """The pid of the process holding the lease (from its session's name), if any."""
        conn = await self._connect()
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1"
            " AND l.objid = $2::oid AND l.objsubid = 2",
            LEASE_LOCK,
            self._key & 0xFFFFFFFF,
        )
        pid = str(name or "").rsplit(" ", 1)[-1]
        return int(pid) if pid.isdigit() else None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    async def release(self) -> None:
        """Give the lease up (idempotent): closing the session releases it."""
        conn, self._conn = self._conn, None
        await close_session(conn)
