"""The SQLite writer's checkpoints, run off the event loop.

The writer commits to the WAL without syncing and without checkpointing (see
`storage.sqlite`). A checkpoint copies the WAL's pages into the database file and syncs both:
the only step that waits for the disk. It runs here, on a connection of its own in a worker
thread, `delay` seconds after a commit (one at a time; commits meanwhile call for the next).
PASSIVE: it never waits for the writer or a reader, and copies what no reader still needs; a
later one copies the rest. Once everything is copied, the next commit starts the WAL file over,
so it does not grow.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

log = logging.getLogger(__name__)

CHECKPOINT_DELAY = 1.0  # seconds from a commit to the checkpoint that syncs it


class Checkpointer:
    """Checkpoints a WAL database in a worker thread, shortly after each commit."""

    def __init__(self, conn: sqlite3.Connection, *, delay: float = CHECKPOINT_DELAY) -> None:
        self.delay = delay
        self.done = 0  # checkpoints run so far
        self._conn = conn
        self._lock = asyncio.Lock()  # one checkpoint at a time on this connection
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    async def open(cls, uri: str, *, delay: float = CHECKPOINT_DELAY) -> Checkpointer:
        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=5000")  # in its thread: waiting is harmless
            return conn

        return cls(await asyncio.to_thread(connect), delay=delay)

    def committed(self) -> None:
        """A commit reached the WAL: checkpoint it soon (unless one is already due)."""
        if self._timer is None and not self._closed:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._scheduled(), name="sqlite-checkpoint")
        else:  # still copying the last ones: these follow when it ends
            self.committed()

    async def _scheduled(self) -> None:
        try:
            await self.run()
        except sqlite3.Error as exc:  # the next commit tries again
            log.warning("checkpoint failed: %s", exc)

    async def run(self) -> None:
        """Checkpoint now, in the worker thread; return when the pages are on disk."""
        async with self._lock:
            if self._closed:
                return
            await asyncio.to_thread(self._checkpoint)
            self.done += 1

    def _checkpoint(self) -> None:
        # Read the result row: the statement is finished, and holds nothing, when it returns.
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def close(self) -> None:
        """Stop scheduling, wait for a checkpoint under way, and close the connection."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is not None and not self._running.done():
            await self._running  # it ends at once now, or when the pages are on disk
        async with self._lock:
            await asyncio.to_thread(self._conn.close)
