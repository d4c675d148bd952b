"""Record delivered outbox rows as sent, in batches, and re-arm failure alerts.

Under load many sends finish while one transaction waits for the writer lock, so their "sent"
marks share the next transaction. Until its mark is written an item counts as pending, and the
sender keeps it out of its next read so this process never sends it twice.

A chat with a recorded permanent failure alerts the admins once; the first message that reaches
it again clears the record (in the same transaction as its mark), so the next failure alerts
again.

A delivered prompt (a message asking for a reply, ForceReply) has its chat and message id
written to its `prompts` row in the same transaction as its mark, so a reply to it finds what
it answers (`bot.services.prompts`).

The marks are the leader's writes, fenced (`bot.runtime.lease`): once another worker took the lease,
a batch is refused, and this sender's pending marks are dropped rather than retried. Their rows
stay due and the new leader sends them (again: a pause between a send and its mark repeats it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.clock import Clock
from storage.db import Database
from storage.errors import LeaseLost
from storage.repos.prompts import PromptRepo
from storage.repos.queues import OutboxItem, OutboxRepo

log = logging.getLogger(__name__)


def asks_for_reply(item: OutboxItem) -> bool:
    """Whether the item is a prompt: a message whose answer is a reply to it (ForceReply)."""
    markup = item.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("force_reply"))


class SentMarks:
    """Pending "sent" marks and the task that writes them."""

    def __init__(self, db: Database, repo: OutboxRepo, clock: Clock) -> None:
        self.db = db
        self.repo = repo
        self.prompts = PromptRepo(db)
        self.clock = clock
        # Chats with a recorded permanent failure, and those a delivery will clear it for.
        self._failed_chats: set[int] = set()
        self._rearm: set[int] = set()
        self._marks: list[tuple[int, int | None]] = []
        self._asked: list[tuple[int, int, int | None]] = []  # prompts among the marks
        self._unmarked: set[int] = set()
        self._ready = asyncio.Event()
        self._written = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._fenced_off = False  # the lease is lost: no mark of this sender is written again

    async def start(self) -> None:
        """Load the chats with a recorded failure and start writing marks."""
        async with self.db.transaction():
            self._failed_chats = set(await self.repo.failed_chats())
        self._task = asyncio.create_task(self._writer())

    def pending(self, item_id: int) -> bool:
        """Whether this item was delivered but its mark is not written yet."""
        return item_id in self._unmarked

    def failed(self, chat_id: int) -> None:
        """Remember that a permanent failure is being recorded for this chat."""
        self._failed_chats.add(chat_id)

    async def add(self, item: OutboxItem, message_id: int | None) -> None:
        """Queue the mark for a delivered item; return once it is written.

        The caller holds its concurrency slot meanwhile, so at most `concurrency` sends are
        ever delivered but unrecorded: that bounds the repeats after a crash.

        Raises:
            LeaseLost: another worker leads now; the mark is not written.
        """
        self._check()
        self._unmarked.add(item.id)
        self._marks.append((item.id, message_id))
        if asks_for_reply(item):
            self._asked.append((item.id, item.chat_id, message_id))
        if item.chat_id in self._failed_chats:
            self._failed_chats.discard(item.chat_id)
            self._rearm.add(item.chat_id)
        written = self._written  # the event of the batch this mark joins
        self._ready.set()
        await written.wait()
        self._check()

    def _check(self) -> None:
        if self._fenced_off:
            raise LeaseLost("this worker lost the lease: its sends are not recorded")

    async def write(self) -> None:
        """Persist every pending mark (one transaction per batch)."""
        while self._marks:
            batch, self._marks = self._marks, []
            asked, self._asked = self._asked, []
            rearm, self._rearm = self._rearm, set()
            written, self._written = self._written, asyncio.Event()
            try:
                async with self.db.transaction():
                    await self.repo.mark_sent_many(batch, self.clock.now())
                    if asked:
                        await self.prompts.sent(asked)
                    if rearm:
                        await self.repo.clear_failures(rearm)
            except LeaseLost:
                self._fence_off(len(batch))
                raise
            except BaseException:
                self._marks = batch + self._marks  # keep them (and out of reads) for a retry
                self._asked = asked + self._asked
                self._rearm |= rearm
                raise
            else:
                for item_id, _ in batch:
                    self._unmarked.discard(item_id)
            finally:
                written.set()

    def _fence_off(self, refused: int) -> None:
        """Another worker leads: drop what is pending (its rows stay due)."""
        self._fenced_off = True
        dropped = refused + len(self._marks)
        self._marks, self._asked, self._rearm = [], [], set()
        self._written.set()
        log.warning("%d sent messages left unrecorded: this worker lost the lease", dropped)

    async def stop(self, timeout: float) -> None:
        """Write what is pending and end the writer task (bounded)."""
        self._stopping = True
        with contextlib.suppress(LeaseLost):
            await self.write()
        self._ready.set()  # lets the writer task see that it is done
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=timeout)

    async def _writer(self) -> None:
        """Write marks as soon as there are any, until stopped and none are left."""
        while not (self._stopping and not self._marks):
            await self._ready.wait()
            self._ready.clear()
            try:
                await self.write()
            except LeaseLost:
                return
            except Exception:
                log.exception("could not record sent messages; retrying")
                await asyncio.sleep(0.5)
                self._ready.set()
