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
(`storage.postgres_lease.PostgresLease`): the server frees it when the holder's session ends. On
SQLite the run lock already keeps every other process away, so the one process leads
(`SoloLease`).

A holder may not know it lost the lease: a process paused (SIGSTOP, a frozen VM, a long stall)
past the lease's timeout wakes up believing it leads, while another worker took over. So the
leader's work is fenced, as a lease in etcd or ZooKeeper carries a token: each take advances
the lease's epoch in the database (`storage.repos.lease`), and the work started under a take
holds a `Fence` with that epoch. Its Bot API calls (`FencedBot`: polls, sends) go out only while
the lease was renewed within its timeout, and each write transaction it commits (sent marks,
stored polls, scheduled runs, deferred answers: `Database.fenced`) checks, under the write lock,
that the epoch is still its own. A fence that fails breaks for good: the worker stops all of its
leader work at once and keeps serving as a follower; it may take the lease again later, with a
new epoch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal, Protocol

from bot.delivery.calls import ApiCaller
from storage.errors import LeaseLost, StorageError
from storage.interface import SqlDatabase
from storage.repos.lease import LeaseEpochs
from storage.url import POSTGRESQL, parse_url

log = logging.getLogger(__name__)

Role = Literal["leader", "follower"]
LEADER: Final = "leader"
FOLLOWER: Final = "follower"
RETRY_SECONDS = 2.0
RENEW_SECONDS = 2.0
SOLO_TOKEN = 1  # SQLite: one process, never another holder to fence off

Monotonic = Callable[[], float]


class Lease(Protocol):
    """A lock one process holds at a time (see `storage.postgres_lease.PostgresLease`)."""

    # Whether other processes take it too (then a holder's token is checked in the database).
    shared: bool
    # Seconds the lease outlives its last renewal: a holder silent longer may have lost it.
    ttl: float

    async def try_take(self) -> int | None:
        """Take it if free: the new epoch (fencing token) if this process holds it now
        (StorageError: no server)."""
        ...

    async def renew(self) -> bool:
        """Keep it; False once it is lost."""
        ...

    async def release(self) -> None:
        """Give it up (idempotent)."""
        ...


class SoloLease:
    """SQLite: one process per database (the run lock), so it always leads."""

    shared = False
    ttl = math.inf

    async def try_take(self) -> int | None:
        return SOLO_TOKEN

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


class Fence:
    """The token of one take of the lease, which the work started under it must still hold.

    It holds while the lease was renewed within its `ttl` (a monotonic clock, so a pause counts)
    and, for each write, while the database's epoch is still `token`. Once it fails it stays
    broken (`broken` is set, `reason` says why): the work stops, another take makes a new fence.
    """

    def __init__(
        self, token: int, *, ttl: float, shared: bool, since: float, clock: Monotonic
    ) -> None:
        self.token = token
        self.ttl = ttl
        self.shared = shared
        self.reason: str | None = None
        self.broken = asyncio.Event()
        self._clock = clock
        self._renewed = since  # when the last successful renewal (or the take) began

    def renewed(self, since: float) -> None:
        """A renewal that began at `since` (monotonic) succeeded."""
        self._renewed = max(self._renewed, since)

    def holds(self) -> bool:
        """Whether the work may still act (breaks the fence once the lease lapsed)."""
        if self.reason is None:
            silent = self._clock() - self._renewed
            if silent >= self.ttl:
                self.lose(
                    f"not renewed for {silent:.1f}s, past its {self.ttl:.0f}s: this process "
                    "was paused or stalled, another worker may lead now"
                )
        return self.reason is None

    def check(self) -> None:
        """Raise LeaseLost unless the work may still act."""
        if not self.holds():
            raise LeaseLost(self.reason)

    def lose(self, reason: str) -> None:
        """Break the fence (the first reason stays)."""
        if self.reason is None:
            self.reason = reason
            self.broken.set()

    async def verify(self, db: SqlDatabase) -> None:
        """Raise LeaseLost unless the work may still write: inside its transaction, under the
        write lock, the lease's epoch must still be this fence's token."""
        self.check()
        if not self.shared:
            return
        epoch = await LeaseEpochs(db).current()
        if epoch != self.token:
            self.lose(f"another worker took the lease (epoch {epoch}, this worker's {self.token})")
            raise LeaseLost(self.reason)


class FencedBot:
    """The Bot API as the leader's work calls it: only while its fence holds.

    An answer that comes back after the fence broke (the process was paused during the call)
    raises LeaseLost instead: a 409 for a poll the new leader cut short is no conflict, and
    a poll's updates are the new leader's to store.
    """

    def __init__(self, bot: ApiCaller, fence: Fence) -> None:
        self.bot = bot
        self.fence = fence

    async def do_api_request(
        self, endpoint: str, api_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        self.fence.check()
        try:
            result = await self.bot.do_api_request(endpoint, api_kwargs=api_kwargs, **kwargs)
        except Exception:
            self.fence.check()
            raise
        self.fence.check()
        return result


Lead = Callable[[Fence], Awaitable[None]]
Step = Callable[[], Awaitable[None]]


class Leadership:
    """Take the lease, lead while it holds, follow (and keep trying) once it is lost.

    `on_lead` starts the leader's work under the take's fence, `on_follow` stops it; neither
    runs twice in a row. The lease is lost when a renewal fails, when the fence breaks (a write
    found a newer epoch) or when this process finds it was not renewed within its timeout.
    """

    def __init__(
        self,
        lease: Lease,
        *,
        on_lead: Lead,
        on_follow: Step,
        retry: float = RETRY_SECONDS,
        renew: float = RENEW_SECONDS,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.lease = lease
        self.on_lead = on_lead
        self.on_follow = on_follow
        self.retry = retry
        self.renew = renew
        self.clock = clock
        self.role: Role = FOLLOWER
        self.fence: Fence | None = None  # while leading
        self.changes = 0  # how many times this worker took the lease
        self._task: asyncio.Task[None] | None = None
        self._unreachable_logged = False

    async def start(self) -> None:
        """Try once now (so a lone worker leads before `start` returns), then keep trying."""
        await self._attempt()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def _attempt(self) -> None:
        since = self.clock()
        try:
            token = await self.lease.try_take()
        except StorageError as exc:
            if not self._unreachable_logged:
                log.warning("could not take the lease: %s", exc)
                self._unreachable_logged = True
            return
        self._unreachable_logged = False
        if token is None:
            return
        lease = self.lease
        fence = Fence(token, ttl=lease.ttl, shared=lease.shared, since=since, clock=self.clock)
        self.role, self.fence = LEADER, fence
        self.changes += 1
        log.info(
            "took the lease (epoch %d): this worker now leads (polls, sends, runs scheduled work)",
            token,
        )
        try:
            await self.on_lead(fence)
        except Exception:
            log.exception("could not start leading; giving the lease up")
            await self._step_down("could not start leading")

    async def _step_down(self, reason: str) -> None:
        """Break the fence first (the leader's work stops acting at once), then let go."""
        fence, self.fence = self.fence, None
        if fence is not None:
            fence.lose(reason)
        self.role = FOLLOWER
        await self._let_go()
        try:
            await self.on_follow()
        except Exception:
            log.exception("could not stop the leader's work cleanly")

    async def _let_go(self) -> None:
        try:
            await self.lease.release()
        except Exception:  # a broken session: the server frees its lock when it ends
            log.exception("could not release the lease")

    async def _run(self) -> None:
        while True:
            if self.role == LEADER and self.fence is not None:
                fence = self.fence
                await self._hold(fence)
                if fence.reason is not None:
                    log.warning(
                        "lost the lease (%s): this worker now follows; another worker takes over",
                        fence.reason,
                    )
                    await self._step_down(fence.reason)
            else:
                await asyncio.sleep(self.retry)
                await self._attempt()

    async def _hold(self, fence: Fence) -> None:
        """Renew after `renew` seconds (unless the fence breaks first); break it if lost."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fence.broken.wait(), self.renew)
        if not fence.holds():  # broken meanwhile, or this process was paused past the ttl
            return
        since = self.clock()
        try:
            held = await self.lease.renew()
        except Exception:  # a renewal must never end this loop: the lease is then lost
            log.exception("renewing the lease failed")
            held = False
        if not held:
            fence.lose(f"renewal failed after {self.clock() - since:.1f}s")
            return
        fence.renewed(since)
        fence.holds()  # paused during the renewal: its answer is stale

    async def stop(self) -> None:
        """Stop trying; the caller stops the leader's work, then calls `release`."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def release(self) -> None:
        """Give the lease up, so another worker takes over at its next try."""
        fence, self.fence = self.fence, None
        if fence is not None:
            fence.lose("this worker stops")
        self.role = FOLLOWER
        await self._let_go()
