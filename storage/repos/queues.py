"""The durable queues: the inbox of raw updates and the outbox of owed Bot API calls."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_iso, to_iso
from storage.interface import Row, SqlDatabase


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    # None: the stored text is no JSON object (it cannot be handled, only set aside).
    payload: dict[str, Any] | None
    attempts: int


def _payload(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class InboxFailure:
    update_id: int
    error: str
    failed_at: datetime | None
    attempts: int = 1


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    purpose: str
    ticket_id: int | None
    attempts: int
    next_attempt_at: datetime
    # Bytes to upload with the call (a chart, a spreadsheet); None for plain JSON calls.
    upload: bytes | None = None


def _outbox_item(r: Row) -> OutboxItem:
    return OutboxItem(
        id=r["id"],
        chat_id=r["chat_id"],
        method=r["method"],
        params=json.loads(r["params"]),
        purpose=r["purpose"],
        ticket_id=r["ticket_id"],
        attempts=r["attempts"],
        next_attempt_at=from_iso(r["next_attempt_at"]),
        upload=r["upload"],
    )


class InboxRepo:
    """Raw updates, persisted before Telegram is told they arrived."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def add_many(self, updates: Iterable[dict[str, Any]], now: datetime) -> None:
        """Store updates not seen before (deduplicated by update_id), in one statement batch."""
        stamp = to_iso(now)
        await self.db.executemany(
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(int(u["update_id"]), json.dumps(u, ensure_ascii=False), stamp) for u in updates],
        )

    async def add(self, update: dict[str, Any], now: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (int(update["update_id"]), json.dumps(update, ensure_ascii=False), to_iso(now)),
        )
        return changed > 0

    async def pending(self, limit: int = 100) -> list[InboxItem]:
        rows = await self.db.fetchall(
            "SELECT update_id, payload, attempts FROM inbox WHERE status = 'pending'"
            " ORDER BY update_id LIMIT ?",
            (limit,),
        )
        # Decoded one by one: a row that does not decode must not stop the others.
        return [InboxItem(r[0], _payload(r[1]), r[2]) for r in rows]

    async def claim(self, update_id: int) -> bool:
        """True if the update is still to handle. Inside the write transaction that handles it,
        this is the claim: no other worker's transaction can handle it meanwhile."""
        status = await self.db.fetchval(
            "SELECT status FROM inbox WHERE update_id = ?", (update_id,)
        )
        return status == "pending"

    async def mark_done(self, update_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE inbox SET status = 'done', processed_at = ?, attempts = attempts + 1"
            " WHERE update_id = ?",
            (to_iso(now), update_id),
        )

    async def mark_done_many(self, update_ids: Iterable[int], now: datetime) -> None:
        """Mark several updates handled at once (a group committed together)."""
        stamp = to_iso(now)
        await self.db.executemany(
            "UPDATE inbox SET status = 'done', processed_at = ?, attempts = attempts + 1"
            " WHERE update_id = ?",
            [(stamp, update_id) for update_id in update_ids],
        )

    async def mark_failed(self, update_id: int, error: str, now: datetime) -> bool:
        """Mark a pending update failed; False if it is not pending (another worker's)."""
        changed = await self.db.execute(
            "UPDATE inbox SET status = 'failed', processed_at = ?, attempts = attempts + 1,"
            " error = ? WHERE update_id = ? AND status = 'pending'",
            (to_iso(now), error[:2000], update_id),
        )
        return changed > 0

    async def count_attempt(self, update_id: int, error: str) -> int | None:
        """Count a failed attempt of a pending update, keeping it pending; return its attempts
        so far (None if it is not pending: another worker's)."""
        changed = await self.db.execute(
            "UPDATE inbox SET attempts = attempts + 1, error = ?"
            " WHERE update_id = ? AND status = 'pending'",
            (error[:2000], update_id),
        )
        if not changed:
            return None
        return int(
            await self.db.fetchval("SELECT attempts FROM inbox WHERE update_id = ?", (update_id,))
        )

    async def mark_quarantined(self, update_id: int, error: str, now: datetime) -> bool:
        """Set a pending update aside, its error kept; False if it is not pending."""
        changed = await self.db.execute(
            "UPDATE inbox SET status = 'quarantined', processed_at = ?, error = ?"
            " WHERE update_id = ? AND status = 'pending'",
            (to_iso(now), error[:2000], update_id),
        )
        return changed > 0

    async def purge_done(self, before: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM inbox WHERE status = 'done' AND processed_at < ?", (to_iso(before),)
        )

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}

    async def failures(self, limit: int = 5, *, status: str = "failed") -> list[InboxFailure]:
        """Return the most recent updates of `status` ('failed' or 'quarantined'), newest
        first (read-only, for `doctor`)."""
        rows = await self.db.fetchall(
            "SELECT update_id, error, processed_at, attempts FROM inbox WHERE status = ?"
            " ORDER BY processed_at DESC, update_id DESC LIMIT ?",
            (status, limit),
        )
        return [
            InboxFailure(int(r[0]), str(r[1] or ""), from_iso(r[2]) if r[2] else None, int(r[3]))
            for r in rows
        ]


# Methods that post a new message to a chat (and so can follow the chat to a new id).
CHAT_SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class OutboxRepo:
    """Owed Bot API calls, written in the same transaction as the change that caused them."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def enqueue(
        self,
        *,
        chat_id: int,
        method: str,
        params: dict[str, Any],
        purpose: str,
        ticket_id: int | None,
        now: datetime,
        upload: bytes | None = None,
        due: datetime | None = None,
    ) -> int:
        """Queue a call, due at once or (`due`) not before then."""
        stamp = to_iso(now)
        return await self.db.insert(
            "INSERT INTO outbox (chat_id, method, params, purpose, ticket_id, next_attempt_at,"
            " created_at, upload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                method,
                json.dumps(params, ensure_ascii=False),
                purpose,
                ticket_id,
                stamp if due is None else to_iso(due),
                stamp,
                upload,
            ),
        )

    async def withdraw_held(self, purpose: str, now: datetime) -> int:
        """Delete the rows of `purpose` not due yet (a held message replaced before it went
        out; a due one may have been read by a sender, and goes)."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE status = 'pending' AND purpose = ? AND next_attempt_at > ?",
            (purpose, to_iso(now)),
        )

    async def collecting(self, chat_id: int, purpose: str, now: datetime) -> OutboxItem | None:
        """The newest message to `chat_id` for `purpose` held until later and never tried."""
        row = await self.db.fetchone(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at > ?"
            " AND chat_id = ? AND purpose = ? AND attempts = 0 ORDER BY id DESC LIMIT 1",
            (to_iso(now), chat_id, purpose),
        )
        return _outbox_item(row) if row else None

    async def withdraw(self, item_id: int, now: datetime) -> bool:
        """Delete a pending row that is not due yet (so no sender has read it); False if it
        is due, sent or gone."""
        changed = await self.db.execute(
            "DELETE FROM outbox WHERE id = ? AND status = 'pending' AND next_attempt_at > ?",
            (item_id, to_iso(now)),
        )
        return changed > 0

    async def due(self, now: datetime, limit: int = 200) -> list[OutboxItem]:
        rows = await self.db.fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
            " ORDER BY id LIMIT ?",
            (to_iso(now), limit),
        )
        return [_outbox_item(r) for r in rows]

    async def due_after(self, after_id: int, now: datetime, limit: int = 200) -> list[OutboxItem]:
        """Like `due`, only rows past `after_id`: what was queued since the last read.

        Walks the rows in id order from `after_id` (the newest rows, few), not the whole
        pending index (which sorts every pending row before the limit applies).
        """
        unindexed = self.db.dialect.unindexed
        rows = await self.db.fetchall(
            f"SELECT * FROM outbox WHERE id > ? AND {unindexed('status')} = 'pending'"
            f" AND {unindexed('next_attempt_at')} <= ? ORDER BY id LIMIT ?",
            (after_id, to_iso(now), limit),
        )
        return [_outbox_item(r) for r in rows]

    async def next_due_at(self, after: datetime) -> datetime | None:
        """When the first pending row not yet due at `after` falls due (a retry's wait)."""
        value = await self.db.fetchval(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
            " AND next_attempt_at > ?",
            (to_iso(after),),
        )
        return from_iso(value) if value else None

    async def mark_sent_many(self, sent: list[tuple[int, int | None]], now: datetime) -> None:
        """Mark several rows sent at once: (outbox id, Telegram message id) pairs."""
        stamp = to_iso(now)
        await self.db.executemany(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?,"
            " attempts = attempts + 1, error = NULL WHERE id = ?",
            [(stamp, message_id, item_id) for item_id, message_id in sent],
        )

    async def reschedule(self, item_id: int, when: datetime, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, error = ?"
            " WHERE id = ?",
            (to_iso(when), error[:500], item_id),
        )

    async def mark_failed(self, item_id: int, error: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'failed', sent_at = ?, attempts = attempts + 1,"
            " error = ? WHERE id = ?",
            (to_iso(now), error[:500], item_id),
        )

    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}

    async def recent_sends(
        self, since: datetime, methods: Iterable[str]
    ) -> list[tuple[int, datetime]]:
        """(chat id, sent at) of the calls of `methods` sent since `since`, oldest first."""
        names = sorted(methods)
        marks = ", ".join("?" for _ in names)
        rows = await self.db.fetchall(
            f"SELECT chat_id, sent_at FROM outbox WHERE status = 'sent' AND sent_at >= ?"
            f" AND method IN ({marks}) ORDER BY sent_at",
            (to_iso(since), *names),
        )
        return [(int(r[0]), from_iso(r[1])) for r in rows]

    async def last_sent_at(self) -> datetime | None:
        value = await self.db.fetchval("SELECT MAX(sent_at) FROM outbox WHERE status = 'sent'")
        return from_iso(value) if value else None

    async def purge_sent(self, before: datetime, limit: int = 500) -> int:
        """Delete up to `limit` rows sent before `before`, with their uploaded bytes.

        Unsent rows (pending or failed) are never purged, nor the rows of job cards (their
        message id is how a card is edited in place later).
        """
        return await self.db.execute(
            "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o"
            " WHERE o.status = 'sent' AND o.sent_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM job_cards c WHERE c.outbox_id = o.id)"
            " ORDER BY o.id LIMIT ?)",
            (to_iso(before), limit),
        )

    async def record_failure(self, chat_id: int, error: str, now: datetime) -> bool:
        """Remember a permanent failure for a chat; True the first time (tell the admins)."""
        stamp = to_iso(now)
        await self.db.execute(
            "INSERT INTO delivery_failures (chat_id, error, first_at, last_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET error = excluded.error,"
            " last_at = excluded.last_at",
            (chat_id, error[:500], stamp, stamp),
        )
        changed = await self.db.execute(
            "UPDATE delivery_failures SET notified = 1 WHERE chat_id = ? AND notified = 0",
            (chat_id,),
        )
        return changed > 0

    async def clear_failure(self, chat_id: int) -> None:
        await self.db.execute("DELETE FROM delivery_failures WHERE chat_id = ?", (chat_id,))

    async def clear_failures(self, chat_ids: Iterable[int]) -> None:
        """Forget the failures of chats that received a message since (re-arms their alert)."""
        await self.db.executemany(
            "DELETE FROM delivery_failures WHERE chat_id = ?", [(c,) for c in chat_ids]
        )

    async def failed_chats(self) -> list[int]:
        """Chats with a recorded permanent failure."""
        rows = await self.db.fetchall("SELECT chat_id FROM delivery_failures")
        return [int(r[0]) for r in rows]

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Readdress the unsent messages of a chat that moved to a new id; return how many.

        Button answers keep their place in the queue under the new id.

        Replies lose their target (message ids do not carry over to the new chat), and edits
        or deletions of messages in the old chat cannot follow: they are dropped as failed.
        """
        rows = await self.db.fetchall(
            "SELECT id, method, params FROM outbox WHERE status = 'pending' AND chat_id = ?",
            (old_chat_id,),
        )
        moved: list[tuple[int, str, int]] = []
        dropped: list[tuple[int]] = []
        sends = 0
        for row in rows:
            params = json.loads(row["params"])
            if row["method"] in CHAT_SENDS:
                params["chat_id"] = new_chat_id
                params.pop("reply_parameters", None)
                sends += 1
            elif "chat_id" in params:  # an edit or deletion of an old message
                dropped.append((row["id"],))
                continue
            moved.append((new_chat_id, json.dumps(params, ensure_ascii=False), row["id"]))
        await self.db.executemany("UPDATE outbox SET chat_id = ?, params = ? WHERE id = ?", moved)
        await self.db.executemany(
            "UPDATE outbox SET status = 'failed', error = 'chat upgraded to a supergroup'"
            " WHERE id = ?",
            dropped,
        )
        await self.clear_failure(old_chat_id)
        return sends
