"""Job posts, their append-only events and the cards sent for them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import from_iso, to_iso
from bot.domain.recruiting import JobFields, JobPost, JobStatus
from storage.interface import Row, SqlDatabase


def _opt(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def _post(row: Row) -> JobPost:
    return JobPost(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        author_id=row["author_id"],
        fields=JobFields(
            position=row["position"],
            headcount=row["headcount"],
            pay_min=row["pay_min"],
            pay_max=row["pay_max"],
            pay_unit=row["pay_unit"],
            requirements=row["requirements"],
            content=row["content"],
            location=row["location"],
            validity_days=row["validity_days"],
            contact=row["contact"],
            shift=row["shift"],
            benefits=row["benefits"],
        ),
        status=JobStatus(row["status"]),
        hired=row["hired"],
        created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]),
        published_at=_opt(row["published_at"]),
        expires_at=_opt(row["expires_at"]),
        closed_at=_opt(row["closed_at"]),
        expiry_notice_at=_opt(row["expiry_notice_at"]),
    )


_FIELD_COLUMNS = (
    "position",
    "headcount",
    "pay_min",
    "pay_max",
    "pay_unit",
    "requirements",
    "content",
    "location",
    "validity_days",
    "contact",
    "shift",
    "benefits",
)
_UPDATABLE = frozenset(
    {*_FIELD_COLUMNS, "status", "hired", "published_at", "expires_at", "closed_at"}
    | {"expiry_notice_at"}
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class JobRepo:
    """SQL for job_posts, job_events and job_cards."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # -- posts --------------------------------------------------------------------------------
    async def get(self, post_id: int) -> JobPost | None:
        row = await self.db.fetchone("SELECT * FROM job_posts WHERE id = ?", (post_id,))
        return _post(row) if row else None

    async def insert(
        self, *, enterprise_id: int, author_id: int, fields: JobFields, now: datetime
    ) -> int:
        values = [getattr(fields, c) for c in _FIELD_COLUMNS]
        columns = ", ".join(_FIELD_COLUMNS)
        marks = ", ".join("?" for _ in _FIELD_COLUMNS)
        stamp = to_iso(now)
        return await self.db.insert(
            f"INSERT INTO job_posts (enterprise_id, author_id, {columns}, status, created_at,"
            f" updated_at) VALUES (?, ?, {marks}, ?, ?, ?)",
            (enterprise_id, author_id, *values, JobStatus.DRAFT.value, stamp, stamp),
        )

    async def update(self, post_id: int, now: datetime, **changes: Any) -> None:
        """Set the given columns (whitelisted) and bump updated_at."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update job post columns {sorted(unknown)}")
        values = [
            to_iso(v) if isinstance(v, datetime) else (v.value if isinstance(v, JobStatus) else v)
            for v in changes.values()
        ]
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self.db.execute(
            f"UPDATE job_posts SET {assignments}, updated_at = ? WHERE id = ?",
            (*values, to_iso(now), post_id),
        )

    async def set_fields(self, post_id: int, fields: JobFields, now: datetime) -> None:
        await self.update(post_id, now, **{c: getattr(fields, c) for c in _FIELD_COLUMNS})

    async def published(
        self, keyword: str, *, offset: int, limit: int, now: datetime
    ) -> tuple[list[JobPost], int]:
        """Open posts (published, not past expiry), newest first, matching `keyword`."""
        where = "p.status = 'published' AND p.expires_at > ?"
        params: list[Any] = [to_iso(now)]
        if keyword:
            like = f"%{_escape_like(keyword)}%"
            where += (
                " AND (p.position LIKE ? ESCAPE '\\' OR p.content LIKE ? ESCAPE '\\'"
                " OR p.location LIKE ? ESCAPE '\\' OR p.requirements LIKE ? ESCAPE '\\'"
                " OR e.name LIKE ? ESCAPE '\\')"
            )
            params += [like] * 5
        base = f"FROM job_posts p JOIN enterprises e ON e.id = p.enterprise_id WHERE {where}"
        total = int(await self.db.fetchval(f"SELECT COUNT(*) {base}", params) or 0)
        rows = await self.db.fetchall(
            f"SELECT p.* {base} ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_post(r) for r in rows], total

    async def of_enterprises(self, enterprise_ids: list[int], limit: int = 20) -> list[JobPost]:
        if not enterprise_ids:
            return []
        marks = ", ".join("?" for _ in enterprise_ids)
        rows = await self.db.fetchall(
            f"SELECT * FROM job_posts WHERE enterprise_id IN ({marks}) AND status != 'draft'"
            " ORDER BY (status = 'published') DESC, id DESC LIMIT ?",
            (*enterprise_ids, limit),
        )
        return [_post(r) for r in rows]

    async def by_author(self, author_id: int, limit: int = 20) -> list[JobPost]:
        rows = await self.db.fetchall(
            "SELECT * FROM job_posts WHERE author_id = ? AND status != 'draft'"
            " ORDER BY (status = 'published') DESC, id DESC LIMIT ?",
            (author_id, limit),
        )
        return [_post(r) for r in rows]

    async def enterprises_backed_by(self, cadre_id: int) -> list[int]:
        """Enterprises where the cadre is the backup (primary ones come from EnterpriseRepo)."""
        rows = await self.db.fetchall(
            "SELECT enterprise_id FROM assignments WHERE backup_cadre_id = ? ORDER BY 1",
            (cadre_id,),
        )
        return [int(r[0]) for r in rows]

    async def jobs_chats(self) -> list[int]:
        """Groups bound with /bind jobs."""
        rows = await self.db.fetchall(
            "SELECT chat_id FROM chat_bindings WHERE kind = 'jobs' ORDER BY chat_id"
        )
        return [int(r[0]) for r in rows]

    async def due_to_expire(self, now: datetime, limit: int = 200) -> list[JobPost]:
        rows = await self.db.fetchall(
            "SELECT * FROM job_posts WHERE status = 'published' AND expires_at <= ?"
            " ORDER BY expires_at LIMIT ?",
            (to_iso(now), limit),
        )
        return [_post(r) for r in rows]

    async def due_for_notice(self, before: datetime, limit: int = 200) -> list[JobPost]:
        """Published posts expiring by `before` whose owners were not told yet."""
        rows = await self.db.fetchall(
            "SELECT * FROM job_posts WHERE status = 'published' AND expiry_notice_at IS NULL"
            " AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            (to_iso(before), limit),
        )
        return [_post(r) for r in rows]

    # -- events -------------------------------------------------------------------------------
    async def add_event(
        self,
        post_id: int,
        type_: str,
        *,
        actor_id: int | None,
        at: datetime,
        count: int = 0,
        data: dict[str, Any] | None = None,
    ) -> None:
        await self.db.insert(
            "INSERT INTO job_events (post_id, type, actor_id, count, data, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                post_id,
                type_,
                actor_id,
                count,
                json.dumps(data or {}, ensure_ascii=False),
                to_iso(at),
            ),
        )

    async def event_totals(self, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
        """Per event type in [start, end): (number of events, sum of their counts)."""
        rows = await self.db.fetchall(
            "SELECT type, COUNT(*), COALESCE(SUM(count), 0) FROM job_events"
            " WHERE at >= ? AND at < ? GROUP BY type",
            (to_iso(start), to_iso(end)),
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    # -- cards --------------------------------------------------------------------------------
    async def add_card(self, post_id: int, chat_id: int, outbox_id: int) -> None:
        await self.db.execute(
            "INSERT INTO job_cards (post_id, chat_id, outbox_id) VALUES (?, ?, ?)",
            (post_id, chat_id, outbox_id),
        )

    async def outbox_mark(self) -> int:
        """The newest outbox row's id (0: none): the rows queued after it are newer."""
        value = await self.db.fetchval("SELECT MAX(id) FROM outbox")
        return int(value) if value is not None else 0

    async def record_cards(self, post_id: int, purpose: str, *, after: int) -> None:
        """Record the rows of `purpose` queued after the outbox row `after` as the post's cards,
        one per chat in the order queued: its last row (a long card is split in several)."""
        rows = await self.db.fetchall(
            "SELECT chat_id, MAX(id) FROM outbox WHERE id > ? AND purpose = ?"
            " GROUP BY chat_id ORDER BY MIN(id)",
            (after, purpose),
        )
        for chat_id, outbox_id in rows:
            await self.add_card(post_id, int(chat_id), int(outbox_id))

    async def sent_cards(self, post_id: int) -> list[tuple[int, int]]:
        """(chat_id, message_id) of the cards of a post that were delivered."""
        rows = await self.db.fetchall(
            "SELECT c.chat_id, o.message_id FROM job_cards c JOIN outbox o ON o.id = c.outbox_id"
            " WHERE c.post_id = ? AND o.status = 'sent' AND o.message_id IS NOT NULL"
            " ORDER BY c.id",
            (post_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]
