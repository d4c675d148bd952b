"""Texts and buttons of the deadline half: deadline lines on cards, extension and supervision
buttons, the overdue and blocker lists and the daily brief. User strings are HTML-escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.delivery.outbox import Button
from bot.domain.models import Ticket, TicketView
from bot.i18n import Translator
from bot.render import callbacks as cb
from bot.render.tickets import cadre_label, preview, when


def extension_buttons(ticket_id: int, request_id: int, tr: Translator) -> list[list[Button]]:
    return [
        [
            Button(tr("clock.button_approve"), cb.data(cb.EXTEND_OK, ticket_id, request_id)),
            Button(tr("clock.button_refuse"), cb.data(cb.EXTEND_NO, ticket_id, request_id)),
        ]
    ]


def supervise_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    row = [Button(tr("button.view"), cb.data(cb.VIEW, ticket.id))]
    if ticket.supervision_level == 0:
        row.insert(0, Button(tr("clock.button_supervise"), cb.data(cb.SUPERVISE, ticket.id)))
    return [row]


def line(view: TicketView, tr: Translator, tz: ZoneInfo, now: datetime) -> str:
    """One ticket in a list: number, level, enterprise, problem, deadline, owner, days open."""
    t = view.ticket
    mark = tr("clock.level_mark", level=t.supervision_level) if t.supervision_level else ""
    return tr(
        "clock.list_line",
        id=t.id,
        mark=mark,
        enterprise=view.enterprise.name,
        content=preview(t.content, 30),
        deadline=when(t.deadline_at, tz, tr),
        cadre=cadre_label(view.assignee, tr),
        days=max(0, (now - t.created_at).days),
    )


def listing(
    views: Sequence[TicketView], tr: Translator, tz: ZoneInfo, now: datetime, key: str
) -> str:
    if not views:
        return tr(f"{key}_empty")
    return Markup("\n").join([tr(key, count=len(views)), *[line(v, tr, tz, now) for v in views]])


def brief(
    sections: Sequence[tuple[str, Sequence[TicketView]]],
    tr: Translator,
    tz: ZoneInfo,
    now: datetime,
    *,
    name: str,
    limit: int = 10,
) -> str:
    """The daily brief: a count per section and the first `limit` tickets of each."""
    lines: list[str] = [tr("clock.brief_title", name=name)]
    for key, views in sections:
        lines.append("")
        lines.append(tr(key, count=len(views)))
        lines += [line(v, tr, tz, now) for v in views[:limit]]
        if len(views) > limit:
            lines.append(tr("clock.brief_more", count=len(views) - limit))
    return Markup("\n").join(lines)
