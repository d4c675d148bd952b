"""The lease's epoch: the fencing token of leader work, a number that grows at every take.

Each time a worker takes the lease (`storage.postgres_lease.PostgresLease.try_take`) it
advances the epoch, under the write lock, and keeps the new value as its token. Leader work
started under that token checks it, in the transaction of each write it commits
(`bot.runtime.lease.Fence.verify`): a worker that was paused while another took over finds a newer
epoch and writes nothing. Kept in `kv` (one row), where the other bot-wide facts are.
"""

from __future__ import annotations

from storage.interface import SqlDatabase

EPOCH_KEY = "lease_epoch"

# The same statements on both backends; `storage.postgres_lease` runs them on its connection.
CURRENT = "SELECT value FROM kv WHERE key = ?"
ADVANCE = (
    "INSERT INTO kv (key, value) VALUES (?, '1')"
    " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(kv.value AS BIGINT) + 1 AS TEXT)"
)


class LeaseEpochs:
    """Read and advance the lease's epoch (inside a write transaction)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def current(self) -> int:
        """The epoch of the last take (0: the lease was never taken)."""
        value = await self.db.fetchval(CURRENT, (EPOCH_KEY,))
        return 0 if value is None else int(value)

    async def advance(self) -> int:
        """Move the epoch on by one; return the new one (the taker's token)."""
        await self.db.execute(ADVANCE, (EPOCH_KEY,))
        return await self.current()
