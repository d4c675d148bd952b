"""One row in every table, per release, as that release wrote it (storage tests).

`build(path, version)` makes a SQLite file at schema `version` holding the rows that release
wrote; at the latest version every table holds rows. `test_upgrades.py` migrates older ones and
compares; `test_port.py` copies the latest into PostgreSQL. A new migration needs an entry here:
rows for each table it creates, or its changes to older rows (`Row.after`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.migrate import load_migrations
from tests.storage.schemas import schema_at

AT = "2026-11-02T01:00:00.000000Z"
LATER = "2026-11-03T01:00:00.000000Z"
DEADLINE = "2026-11-09T01:00:00.000000Z"
VERDICT = {"solved": "unsolved", "satisfaction": "basic"}

LATEST = len(load_migrations())


@dataclass(frozen=True)
class Row:
    """A row as the releases from `since` to `until` wrote it, and what later migrations make of it.

    `after[m]` is what migration m changes in the row (columns it adds or rewrites), or None if
    it removes the row; it applies to databases older than m. JSON columns are given as dicts.
    `moved[m]` names the table migration m moves the row to; `after[m]` is then the whole row
    as it lands there.
    """

    table: str
    values: dict[str, Any]
    since: int = 1
    until: int = LATEST
    after: dict[int, dict[str, Any] | None] = field(default_factory=dict)
    moved: dict[int, str] = field(default_factory=dict)

    def table_after(self, version: int) -> str:
        """The table the row is in once a database at `version` is upgraded."""
        table = self.table
        for migration in sorted(m for m in self.moved if m > version):
            table = self.moved[migration]
        return table

    def expected(self, version: int) -> dict[str, Any] | None:
        """The row in the current schema, for a database upgraded from `version`."""
        row: dict[str, Any] | None = dict(self.values)
        for migration in sorted(m for m in self.after if m > version):
            change = self.after[migration]
            if change is None:
                return None
            assert row is not None
            if migration in self.moved:
                row = dict(change)
            else:
                row.update(change)
        return row


ROWS = [
    # -- 0001 ------------------------------------------------------------------------------------
    Row("cadres", {"id": 1, "name": "陈志远", "phone": "13912345678", "role": "leader",
                   "leader_id": None, "telegram_id": 1001, "on_leave": 0,
                   "created_at": AT, "updated_at": AT}),
    Row("cadres", {"id": 2, "name": "张海涛", "phone": None, "role": "cadre", "leader_id": 1,
                   "telegram_id": 1002, "on_leave": 1, "created_at": AT, "updated_at": LATER}),
    Row("enterprises", {"id": 1, "name": "海澄精工机械有限公司", "credit_code": None,
                        "industry": "装备制造", "grid": "一网格", "created_at": AT,
                        "updated_at": AT}),
    Row("assignments", {"enterprise_id": 1, "primary_cadre_id": 2, "backup_cadre_id": 1,
                        "updated_at": AT}),
    Row("contacts", {"telegram_id": 777, "enterprise_id": 1, "source": "invite",
                     "created_at": AT}),
    Row("users", {"telegram_id": 777, "first_name": "李敏", "username": "limin",
                  "locale": "zh_CN", "private_chat_ok": 1, "seen_at": AT}),
    Row("chat_bindings", {"chat_id": -100, "kind": "enterprise", "enterprise_id": 1,
                          "title": "海澄服务群", "bound_by": 1001, "bound_at": AT}),
    Row("invites", {"token_hash": "ab" * 32, "kind": "cadre", "target_id": 2, "created_at": AT,
                    "expires_at": DEADLINE, "used_at": LATER, "used_by": 1002}),
    Row("tickets", {"id": 1, "enterprise_id": 1, "reporter_id": 777, "chat_id": -100,
                    "source_message_id": 5, "kind": "help", "category": "amenities",
                    "urgency": "normal", "content": "食堂网络不通", "status": "in_progress",
                    "assignee_id": 2, "deadline_at": DEADLINE, "created_at": AT,
                    "updated_at": LATER, "resolved_at": LATER, "closed_at": None,
                    "solved_rating": "unsolved", "satisfaction": "basic",
                    "supervision_level": 1},
        after={
            2: {"claim_due_at": None, "response_due_at": None},
            7: {"channel": "group"},
            12: {"next_step_at": AT},  # open before 0012: due at once; the sweep computes it
        }),
    Row("ticket_events", {"id": 1, "ticket_id": 1, "type": "create", "actor_id": 777,
                          "from_status": None, "to_status": "new", "data": {}, "at": AT}),
    Row("ticket_events", {"id": 2, "ticket_id": 1, "type": "claim", "actor_id": 1002,
                          "from_status": "new", "to_status": "claimed", "data": {}, "at": AT}),
    # Up to 0010 a resolve carried no deadline; 0011 stamps the one in force (no extension).
    Row("ticket_events", {"id": 3, "ticket_id": 1, "type": "resolve", "actor_id": 1002,
                          "from_status": "claimed", "to_status": "resolved",
                          "data": {"note": "已处理"}, "at": LATER},
        until=10, after={11: {"data": {"note": "已处理", "deadline_at": DEADLINE}}}),
    # Up to 0008 a rating was two events: the verdict, then an empty status change. 0009 makes
    # them one reopen; 0011 stamps that reopen with the deadline in force.
    Row("ticket_events", {"id": 4, "ticket_id": 1, "type": "rate", "actor_id": 777,
                          "from_status": None, "to_status": None, "data": VERDICT, "at": LATER},
        until=8,
        after={
            9: {"type": "reopen", "from_status": "resolved", "to_status": "in_progress"},
            11: {"data": {**VERDICT, "deadline_at": DEADLINE}},
        }),
    Row("ticket_events", {"id": 5, "ticket_id": 1, "type": "reopen", "actor_id": 777,
                          "from_status": "resolved", "to_status": "in_progress", "data": {},
                          "at": LATER},
        until=8, after={9: None}),
    Row("attachments", {"id": 1, "ticket_id": 1, "kind": "photo", "file_id": "AgADphoto",
                        "file_unique_id": "AQADu1", "file_name": None, "mime_type": "image/jpeg",
                        "created_at": AT}),
    Row("inbox", {"update_id": 9001, "payload": {"update_id": 9001}, "status": "done",
                  "attempts": 1, "received_at": AT, "processed_at": AT, "error": None}),
    Row("outbox", {"id": 1, "chat_id": -100, "method": "sendMessage",
                   "params": {"chat_id": -100, "text": "工单 #1 已签收"}, "purpose": "ticket",
                   "ticket_id": 1, "status": "sent", "attempts": 1, "next_attempt_at": AT,
                   "created_at": AT, "sent_at": AT, "message_id": 42, "error": None},
        after={3: {"upload": None}}),
    Row("delivery_failures", {"chat_id": 555, "error": "403 Forbidden: bot was blocked",
                              "first_at": AT, "last_at": LATER, "notified": 1}),
    Row("kv", {"key": "poller.offset", "value": "9002"}),
    # -- 0002 ------------------------------------------------------------------------------------
    Row("escalation_steps", {"ticket_id": 1, "step": "remind_claim", "at": AT}, since=2),
    # Up to 0010 a chase was taken once per ticket; 0011 keys it by the deadline it chased.
    Row("escalation_steps", {"ticket_id": 1, "step": "chase1", "at": LATER}, since=2, until=10,
        after={11: {"step": f"chase1@{DEADLINE}"}}),
    Row("extension_requests", {"id": 1, "ticket_id": 1, "cadre_id": 2, "days": 3,
                               "reason": "等待供电公司排期", "status": "refused",
                               "requested_at": AT, "decided_at": LATER, "decided_by": 1001},
        since=2),
    Row("daily_briefs", {"cadre_id": 1, "day": "2026-11-02", "sent_at": AT}, since=2),
    Row("calendar_warnings", {"year": 2027, "warned_at": AT}, since=2),
    # -- 0003 ------------------------------------------------------------------------------------
    Row("airing_weeks", {"week": "2026-W45", "as_of": AT, "posted_at": AT, "chats": 3}, since=3),
    Row("airing_ranks", {"week": "2026-W45", "cadre_id": 2, "rank": 1, "score": 95.5}, since=3),
    # -- 0004 ------------------------------------------------------------------------------------
    Row("job_posts", {"id": 1, "enterprise_id": 1, "author_id": 777, "position": "数控车工",
                      "headcount": 2, "requirements": "三年以上经验", "content": "操作数控车床",
                      "location": "海澄工业园", "pay_min": 6000, "pay_max": 8000,
                      "pay_unit": "month", "validity_days": 30, "contact": "13912345678",
                      "benefits": "五险一金", "shift": "白班", "status": "published",
                      "hired": 1, "created_at": AT, "updated_at": AT, "published_at": AT,
                      "expires_at": DEADLINE, "closed_at": None, "expiry_notice_at": None},
        since=4),
    Row("job_events", {"id": 1, "post_id": 1, "type": "publish", "actor_id": 777, "count": 0,
                       "data": {}, "at": AT}, since=4),
    Row("job_cards", {"id": 1, "post_id": 1, "chat_id": -300, "outbox_id": 1}, since=4),
    # 0017 moves the drafts of both dialogues into `conversations` (see there).
    Row("job_drafts", {"user_id": 778, "enterprise_id": 1, "post_id": None,
                       "data": {"position": "焊工"}, "created_at": AT, "updated_at": AT},
        since=4, until=16, moved={17: "conversations"},
        after={17: {"user_id": 778, "topic": "job", "kind": "job", "step": "",
                    "data": {"position": "焊工", "enterprise_id": 1, "post_id": None},
                    "created_at": AT, "updated_at": AT}}),
    # -- 0005 ------------------------------------------------------------------------------------
    Row("truck_offers", {"id": 1, "owner_id": 777, "enterprise_id": 1, "origin": "南通",
                         "destination": "常州", "via": "", "depart_date": "2026-11-10",
                         "vehicle": "box", "length": "9.6米", "capacity_tonnes": 18.0,
                         "capacity_m3": None, "spare_tonnes": 10.0, "spare_m3": None,
                         "price_note": "面议", "contact": None, "status": "open",
                         "created_at": AT, "updated_at": AT}, since=5),
    Row("truck_stops", {"offer_id": 1, "city": "常州", "depart_date": "2026-11-10"}, since=5),
    Row("cargo_requests", {"id": 1, "owner_id": 779, "enterprise_id": None, "origin": "南通",
                           "destination": "常州", "ready_date": "2026-11-09",
                           "latest_date": "2026-11-12", "cargo_name": "机床配件",
                           "tonnes": 5.0, "m3": None, "pieces": 12, "cold": 0,
                           "price_note": None, "contact": "13800000000", "status": "open",
                           "created_at": AT, "updated_at": AT}, since=5),
    Row("logistics_matches", {"id": 1, "offer_id": 1, "request_id": 1, "status": "proposed",
                              "truck_answer": "accept", "cargo_answer": None,
                              "proposed_at": AT, "accepted_at": None, "completed_at": None,
                              "updated_at": AT}, since=5),
    Row("logistics_drafts", {"user_id": 780, "kind": "cargo", "step": "tonnes",
                             "data": {"origin": "南通"}, "updated_at": AT},
        since=5, until=16, moved={17: "conversations"},
        after={17: {"user_id": 780, "topic": "logistics", "kind": "cargo", "step": "tonnes",
                    "data": {"origin": "南通"}, "created_at": AT, "updated_at": AT}}),
    # -- 0006 ------------------------------------------------------------------------------------
    Row("chat_migrations", {"old_chat_id": -200, "new_chat_id": -1002000, "migrated_at": AT},
        since=6),
    # -- 0007 ------------------------------------------------------------------------------------
    Row("pending_reports", {"reporter_id": 777, "message_id": 12, "content": "想咨询融资贴息",
                            "files": [], "created_at": AT}, since=7),
    # -- 0008 ------------------------------------------------------------------------------------
    Row("unreachable_cadres", {"cadre_id": 2, "noticed_at": AT, "reminded_at": LATER}, since=8),
    # -- 0013 ------------------------------------------------------------------------------------
    Row("deferred_work", {"id": 1, "kind": "export", "chat_id": 1001,
                          "params": {"actor": 1001, "start": "2026-01-01", "end": "2026-11-01",
                                     "locale": "zh_CN"},
                          "status": "pending", "created_at": AT, "done_at": None, "error": None},
        since=13),
    # -- 0015 ------------------------------------------------------------------------------------
    # 0015 copies the inbox (a new status allowed): its rows stay as they were.
    Row("failure_alerts", {"signature": "KeyError@handlers/work.py:88", "alerted_at": AT,
                           "repeats": 3, "last_at": LATER}, since=15),
    # -- 0016 ------------------------------------------------------------------------------------
    # 0016 copies the prompts among the outbox rows (the outbox row above is none of them).
    Row("prompts", {"outbox_id": 1, "purpose": "prompt:resolve", "ticket_id": 1,
                    "chat_id": 1002, "message_id": 43, "created_at": AT}, since=16),
    # -- 0017 ------------------------------------------------------------------------------------
    Row("conversations", {"user_id": 778, "topic": "job", "kind": "job", "step": "pay",
                          "data": {"position": "焊工", "headcount": 3, "enterprise_id": 1,
                                   "post_id": 1},
                          "created_at": AT, "updated_at": LATER}, since=17),
    Row("conversations", {"user_id": 778, "topic": "logistics", "kind": "truck",
                          "step": "date", "data": {"origin": "南通", "destination": "常州"},
                          "created_at": AT, "updated_at": AT}, since=17),
]  # fmt: skip


def build(path: Path, version: int) -> None:
    """A database at schema `version`, holding the rows that release wrote."""
    raw = schema_at(path, version)
    for row in ROWS:
        if row.since <= version <= row.until:
            columns = ", ".join(row.values)
            marks = ", ".join("?" for _ in row.values)
            raw.execute(
                f"INSERT INTO {row.table} ({columns}) VALUES ({marks})",
                [stored(value) for value in row.values.values()],
            )
    raw.close()


def stored(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def read(value: Any, like: Any) -> Any:
    return json.loads(value) if isinstance(like, dict | list) and value is not None else value
