"""Leadership among the workers: one holds the lease and does the work that must run once.

Any number of `liaison-bot run` processes may share one PostgreSQL database. Each of them
stores the updates it receives and handles inbox rows (`bot.ingest.processor` claims each row
under the write lock, so an update is handled once). One of them, the holder of the lease, also
does what must happen in one place: it polls (in polling mode: Telegram allows one poller), it
sends the outbox (one sender, so Telegram's flood limits and per-chat order hold across all
workers), and it runs the scheduled jobs. The others try to take the lease every `retry`
seconds, so one of them takes over within a few seconds of the holder's death; the holder
renews it every `renew` seconds and steps down as soon as a renewal fails.

The lease is a session-level advisory lock on a connection of its own
(`storage.postgres.PostgresLease`): the server frees it when the holder's session ends. On
SQLite the run lock already keeps every other process away, so the one process leads
(`SoloLease`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final, Literal, Protocol

from storage.errors import StorageError
from storage.url import POSTGRESQL, parse_url

log = logging.getLogger(__name__)

Role = Literal["leader", "follower"]
LEADER: Final = "leader"
FOLLOWER: Final = "follower"
RETRY_SECONDS = 2.0
RENEW_SECONDS = 2.0


class Lease(Protocol):
    """A lock one process holds at a time (see `storage.postgres.PostgresLease`)."""

    async def try_take(self) -> bool:
        """Take it if free; True if this process holds it now (StorageError: no server)."""
        ...

    async def renew(self) -> bool:
        """Keep it; False once it is lost."""
        ...

    async def release(self) -> None:
        """Give it up (idempotent)."""
        ...


class SoloLease:
    """SQLite: one process per database (the run lock), so it always leads."""

    async def try_take(self) -> bool:
        return True

    async def renew(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def open_lease(url: str) -> Lease:
    """The lease of the database at `url`: shared on PostgreSQL, trivial on SQLite."""
    parsed = parse_url(url)
    if parsed.backend == POSTGRESQL:
        from storage.postgres_lease import PostgresLease

        return PostgresLease(parsed)
    return SoloLease()


Step = Callable[[], Awaitable[None]]


class Leadership:
    """Take the lease, lead while it holds, follow (and keep trying) once it is lost.

    `on_lead` starts the leader's work, `on_follow` stops it; neither runs twice in a row.
    """

    def __init__(
        self,
        lease: Lease,
        *,
        on_lead: Step,
        on_follow: Step,
        retry: float = RETRY_SECONDS,
        renew: float = RENEW_SECONDS,
    ) -> None:
        self.lease = lease
        self.on_lead = on_lead
        self.on_follow = on_follow
        self.retry = retry
        self.renew = renew
        self.role: Role = FOLLOWER
        self.changes = 0  # how many times this worker took the lease
        self._task: asyncio.Task[None] | None = None
        self._unreachable_logged = False

    async def start(self) -> None:
        """Try once now (so a lone worker leads before `start` returns), then keep trying."""
        await self._attempt()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def _attempt(self) -> None:
        try:
            taken = await self.lease.try_take()
        except StorageError as exc:
            if not self._unreachable_logged:
                log.warning("cannot reach the database to take the lease: %s", exc)
                self._unreachable_logged = True
            return
        self._unreachable_logged = False
        if not taken:
            return
        self.role = LEADER
        self.changes += 1
        log.info("took the lease: this worker now leads (polls, sends, runs scheduled work)")
        try:
            await self.on_lead()
        except Exception:
            log.exception("could not start leading; giving the lease up")
            await self._step_down()

    async def _step_down(self) -> None:
        self.role = FOLLOWER
        await self.lease.release()
        try:
            await self.on_follow()
        except Exception:
            log.exception("could not stop the leader's work cleanly")

    async def _run(self) -> None:
        while True:
            if self.role == LEADER:
                await asyncio.sleep(self.renew)
                started = time.monotonic()
                if await self.lease.renew():
                    continue
                log.warning(
                    "lost the lease (renewal failed after %.1fs): following; another worker "
                    "takes over",
                    time.monotonic() - started,
                )
                await self._step_down()
            else:
                await asyncio.sleep(self.retry)
                await self._attempt()

    async def stop(self) -> None:
        """Stop trying; the caller stops the leader's work, then calls `release`."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def release(self) -> None:
        """Give the lease up, so another worker takes over at its next try."""
        self.role = FOLLOWER
        await self.lease.release()
