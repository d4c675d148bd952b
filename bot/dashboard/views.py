"""The dashboard's JSON: service results shaped for the page, every label in the reader's words.

Figures are passed through as the services computed them (count, denominator, rounded
percentage); nothing here does arithmetic on them. Texts are plain (`Translator.plain`): the
page puts them in with `textContent`, never as HTML.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.dashboard.svg import Series, trend_svg
from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.lifecycle import OPEN_STATUSES, Status
from bot.domain.models import Ticket, TicketEvent
from bot.i18n import Translator
from bot.services.dashboard import (
    CadreLine,
    Overview,
    Standings,
    TicketDetail,
    TicketLine,
    TicketPage,
)
from bot.services.metrics import CadreMetrics, Metrics, Rate, Week

JSON = dict[str, Any]


def when(moment: datetime | None, tz: ZoneInfo, tr: Translator) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return tr.plain("time.format", month=local.month, day=local.day, hm=local.strftime("%H:%M"))


def week_json(week: Week, tr: Translator) -> JSON:
    last = week.monday + timedelta(days=6)
    return {
        "label": week.label,
        "text": tr.plain(
            "dashboard.week",
            number=week.number,
            start=f"{week.monday.month}/{week.monday.day}",
            end=f"{last.month}/{last.day}",
        ),
    }


def rate_json(rate: Rate) -> JSON:
    return {"num": rate.num, "den": rate.den, "pct": rate.pct}


def metrics_json(m: Metrics) -> JSON:
    return {
        "received": m.received,
        "response": rate_json(m.response),
        "closure": rate_json(m.closure),
        "closure_ytd": rate_json(m.closure_ytd),
        "on_time": rate_json(m.on_time),
        "solved": rate_json(m.solved),
        "satisfaction": rate_json(m.satisfaction),
        "reopen": rate_json(m.reopen),
        "overdue": m.overdue,
        "score": m.score,
        "sample": m.sample,
    }


def overview_json(o: Overview, tr: Translator, tz: ZoneInfo, latest: Week) -> JSON:
    chart = trend_svg(
        [f"W{p.week.number}" for p in o.trend],
        [
            Series(tr.plain("dashboard.closure"), "s1", [p.closure.pct for p in o.trend]),
            Series(tr.plain("dashboard.satisfaction"), "s2", [p.satisfaction.pct for p in o.trend]),
        ],
        tr.plain("dashboard.trend", weeks=len(o.trend)),
    )
    return {
        "week": week_json(o.week, tr),
        "prev": o.week.shifted(-1).label,
        "next": None if o.week.label == latest.label else o.week.shifted(1).label,
        "as_of": tr.plain("dashboard.as_of", at=when(o.as_of, tz, tr)),
        "scope": o.scope.role,
        "figures": None if o.figures is None else metrics_json(o.figures),
        "counts": {"overdue": o.overdue, "supervised": o.supervised, "reopened": o.reopened},
        "trend": [
            {
                "week": p.week.label,
                "closure": rate_json(p.closure),
                "satisfaction": rate_json(p.satisfaction),
            }
            for p in o.trend
        ],
        "trend_title": tr.plain("dashboard.trend", weeks=len(o.trend)),
        "chart": str(chart),
    }


def _change(line: CadreLine, tr: Translator) -> str:
    if line.change is None:
        return tr.plain("dashboard.rank_new")
    if line.change == 0:
        return tr.plain("dashboard.rank_same")
    key = "dashboard.rank_up" if line.change > 0 else "dashboard.rank_down"
    return tr.plain(key, n=abs(line.change))


def _cadre(c: CadreMetrics) -> JSON:
    return {"id": c.cadre_id, "name": c.name, "metrics": metrics_json(c.metrics)}


def standings_json(s: Standings, tr: Translator, latest: Week) -> JSON:
    return {
        "week": week_json(s.week, tr),
        "prev": s.week.shifted(-1).label,
        "next": None if s.week.label == latest.label else s.week.shifted(1).label,
        "ranked": [
            {
                **_cadre(line.cadre),
                "rank": line.rank,
                "tied": line.tied,
                "change": _change(line, tr),
                "board": line.board,
            }
            for line in s.ranked
        ],
        "insufficient": [_cadre(c) for c in s.insufficient],
        "insufficient_title": tr.plain("dashboard.insufficient", min=s.min_tickets),
    }


def _ticket_head(t: Ticket, tr: Translator, tz: ZoneInfo) -> JSON:
    return {
        "id": t.id,
        "status": t.status.value,
        "status_text": tr.plain(f"status.{t.status.value}"),
        "category": tr.plain(f"category.{t.category}"),
        "kind": tr.plain(f"kind.{t.kind}"),
        "content": t.content,
        "created": when(t.created_at, tz, tr),
        "deadline": when(t.deadline_at, tz, tr),
        "supervision": t.supervision_level,
        "rating_owed": t.status is Status.RESOLVED,
    }


def ticket_line_json(line: TicketLine, tr: Translator, tz: ZoneInfo) -> JSON:
    return {
        **_ticket_head(line.ticket, tr, tz),
        "enterprise": line.enterprise,
        "assignee": line.assignee or tr.plain("dashboard.duty"),
        "overdue": line.overdue,
    }


def ticket_page_json(page: TicketPage, tr: Translator, tz: ZoneInfo) -> JSON:
    return {
        "tickets": [ticket_line_json(line, tr, tz) for line in page.lines],
        "more": page.more,
        "enterprises": [{"id": i, "name": n} for i, n in page.enterprises],
    }


def _history_line(item: TicketEvent, tr: Translator, tz: ZoneInfo) -> JSON:
    event = item.event
    text = tr.plain(f"event.{item.type}")
    note = event.note if isinstance(event, ev.Note) else ""
    if isinstance(event, ev.Rating):
        note = " / ".join(
            tr.plain(f"rating.{code}") for code in (event.solved, event.satisfaction) if code
        )
    return {"at": when(item.at, tz, tr), "text": text, "note": note}


def ticket_detail_json(d: TicketDetail, tr: Translator, tz: ZoneInfo) -> JSON:
    view = d.view
    t = view.ticket
    staff = d.scope.role != "enterprise"
    rating = None
    if t.solved_rating:
        rating = " / ".join(
            tr.plain(f"rating.{code}") for code in (t.solved_rating, t.satisfaction) if code
        )
    return {
        **_ticket_head(t, tr, tz),
        "enterprise": view.enterprise.name,
        "assignee": view.assignee.name if view.assignee else tr.plain("dashboard.duty"),
        "overdue": d.overdue,
        "open": t.status in OPEN_STATUSES,
        "claim_due": when(t.claim_due_at, tz, tr) if t.status is Status.NEW else None,
        "response_due": when(t.response_due_at, tz, tr)
        if t.status in (Status.NEW, Status.CLAIMED)
        else None,
        "rating": rating,
        "reopens": view.reopen_count,
        # The enterprise sees its progress; the internal chases and escalations stay inside.
        "history": [
            _history_line(item, tr, tz)
            for item in view.events
            if staff or item.type not in _INTERNAL
        ],
        "files": [
            {"id": a.id, "kind": a.kind, "name": a.file_name or tr.plain("dashboard.attachment")}
            for a in view.attachments
        ],
        "pending": None
        if d.pending is None
        else {
            "request_id": d.pending.request_id,
            "text": tr.plain("dashboard.extension", days=d.pending.days, reason=d.pending.reason),
        },
    }


_INTERNAL = frozenset(
    {
        ev.EventType.URGE,
        ev.EventType.ESCALATE,
        ev.EventType.EXTEND_REQUEST,
        ev.EventType.EXTEND_REFUSED,
        ev.EventType.ASSIGN,
    }
)


def labels_json(tr: Translator) -> JSON:
    """Status and category names for the filters, in the reader's words."""
    return {
        "status": {s.value: tr.plain(f"status.{s.value}") for s in Status},
        "category": {c: tr.plain(f"category.{c}") for c in taxonomy.CATEGORIES},
    }
