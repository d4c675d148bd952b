"""The worker that makes deferred answers: read on a reader, render apart, then queue.

A leader's `/export` of a year's ledger stores a request in its update's transaction (see
`bot.services.deferred`) and the update is done. This worker then reads the ledger in a thread
on a reader connection of its own (the writer stays free), renders the workbook in a process of
its own (`bot.offload.ledger_child`: the event loop keeps the interpreter), and only the final
step writes: the document goes to the outbox in the same transaction as the request's done mark,
so it is sent once, even across a crash (an unfinished request is made again on start).
Meanwhile every enterprise's report is handled as usual. It is the leader's work: a worker that
lost the lease stops, and its last answer is not queued (its write is fenced, `bot.runtime.lease`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
import time
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.context import Services
from bot.errors import DomainError
from bot.i18n import Translator
from bot.offload.ledger_child import LedgerJob
from bot.services.deferred import EXPORT
from bot.services.ledger import Ledger
from storage.errors import LeaseLost
from storage.repos.deferred import WorkItem

log = logging.getLogger(__name__)

LedgerRenderer = Callable[[Ledger, Translator, ZoneInfo], bytes]


class DeferredWorker:
    """Make every pending deferred answer, oldest first, until stopped."""

    def __init__(self, services: Services, *, render_ledger: LedgerRenderer | None = None) -> None:
        self.services = services
        self.work = services.deferred
        # None: render in a process of its own (`bot.offload.ledger_child`). A function given
        # here runs in a thread instead (tests use one to hold a render in progress).
        self.render_ledger = render_ledger
        self._stopping = False

    async def run(self) -> None:
        """Drain whenever a request is stored (and every few seconds) until `stop()`."""
        while not self._stopping:
            self.work.wakeup.clear()
            try:
                await self.drain()
            except LeaseLost:  # another worker leads now: it makes what is left
                return
            except Exception:  # the loop must survive a bad round (e.g. database busy)
                log.exception("deferred work failed")
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.work.wakeup.wait(), timeout=5.0)

    async def drain(self) -> int:
        """Make every pending answer; return how many requests were finished."""
        done = 0
        for item in await self.work.pending():
            if self._stopping:
                break
            await self._make(item)
            done += 1
        return done

    async def _make(self, item: WorkItem) -> None:
        tr = Translator(str(item.params.get("locale") or self.services.settings.park.locale))
        try:
            if item.kind != EXPORT:
                raise ValueError(f"unknown deferred work {item.kind!r}")
            await self._export(item, tr)
        except DomainError as exc:  # e.g. no longer a leader: refused as the command would be
            await self._refuse(item, exc.message(tr), exc.key)
        except LeaseLost:
            raise
        except Exception as exc:
            log.exception("deferred work %s (%s) failed", item.id, item.kind)
            await self._refuse(item, tr("export.failed"), repr(exc))

    async def _export(self, item: WorkItem, tr: Translator) -> None:
        services = self.services
        start = date.fromisoformat(item.params["start"])
        end = date.fromisoformat(item.params["end"])
        actor_id = int(item.params["actor"])
        started = time.monotonic()
        if self.render_ledger is None and services.db.shareable:
            config = services.settings.model_dump()
            url, clock = services.db.url, services.clock
            job = LedgerJob(config, clock, url, actor_id, start, end, tr.locale)
            count, data = await make_apart(job)
        else:  # a renderer given (tests), or no second connection: read here, render in a thread
            # Here, not at the top: openpyxl stays out of the bot process until it renders.
            from bot.render.ledger import ledger_xlsx

            ledger = await read_ledger(services, actor_id, start, end)
            render = self.render_ledger or ledger_xlsx
            data = await asyncio.to_thread(render, ledger, tr, services.settings.park.tz)
            count = len(ledger.rows)
        async with services.db.transaction():
            if not await self.work.finish(item.id):
                return  # made meanwhile (another worker round)
            await services.outbox.send_document_bytes(
                item.chat_id,
                data,
                filename=f"ledger-{start.isoformat()}-{end.isoformat()}.xlsx",
                caption=tr(
                    "export.caption", start=start.isoformat(), end=end.isoformat(), count=count
                ),
                purpose="export",
            )
        log.info(
            "ledger %s..%s queued for %s: %d tickets, made in %.2f s",
            start,
            end,
            item.chat_id,
            count,
            time.monotonic() - started,
        )

    async def _refuse(self, item: WorkItem, text: str, error: str) -> None:
        async with self.services.db.transaction():
            if await self.work.finish(item.id, error=error):
                await self.services.outbox.send_message(item.chat_id, text, purpose="export")

    def stop(self) -> None:
        self._stopping = True
        self.work.wakeup.set()


async def make_apart(job: LedgerJob) -> tuple[int, bytes]:
    """Read and render the ledger in a child process (see `bot.offload.ledger_child`).

    Returns:
        The number of tickets and the workbook.

    Raises:
        DomainError: the asker may not export (any more).
        RuntimeError: the child failed (its last error lines are in the message).
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.offload.ledger_child",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, errors = await proc.communicate(pickle.dumps(job))
    if proc.returncode != 0 or not out:
        tail = errors.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"ledger child failed ({proc.returncode}): {' | '.join(tail)}")
    answer = pickle.loads(out)
    if answer[0] == "refused":
        raise DomainError(answer[1], **answer[2])
    return int(answer[1]), bytes(answer[2])


async def read_ledger(services: Services, actor_id: int, start: date, end: date) -> Ledger:
    """Read the ledger in one snapshot; permissions are checked again now (the request is
    data, not a decision)."""
    async with services.db.reading():
        actor = await services.people.actor(actor_id)
        return await services.ledger.ledger(actor, start, end)
