"""Texts and buttons of the deadline half: deadline lines on cards, extension and supervision
buttons, the overdue and blocker lists and the daily brief (days in working days, as the
deadlines count them). The translator escapes every parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.domain.briefs import BriefItem
from bot.domain.buttons import Button
from bot.domain.models import Ticket
from bot.domain.outcomes.deadlines import Brief
from bot.i18n import Translator
from bot.render.keyboards import tickets as keys
from bot.render.text import day_label
from bot.render.tickets import cadre_label, preview, when


def extension_buttons(ticket_id: int, request_id: int, tr: Translator) -> list[list[Button]]:
    return [
        [
            Button(tr("clock.button_approve"), keys.ApproveExtension(ticket_id, request_id).pack()),
            Button(tr("clock.button_refuse"), keys.RefuseExtension(ticket_id, request_id).pack()),
        ]
    ]


def supervise_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    row = [Button(tr("button.view"), keys.View(ticket.id).pack())]
    if ticket.supervision_level == 0:
        row.insert(0, Button(tr("clock.button_supervise"), keys.Supervise(ticket.id).pack()))
    return [row]


def listing(items: Sequence[BriefItem], tr: Translator, tz: ZoneInfo, key: str) -> str:
    """/overdue and /blockers: a counted title, then one line per ticket (working days)."""
    if not items:
        return tr(f"{key}_empty")
    return Markup("\n").join([tr(key, count=len(items)), *[line(i, tr, tz) for i in items]])


def line(item: BriefItem, tr: Translator, tz: ZoneInfo) -> str:
    """One ticket in a list: number, level, enterprise, problem, deadline, owner, working days."""
    t = item.view.ticket
    mark = tr("clock.level_mark", level=t.supervision_level) if t.supervision_level else ""
    return tr(
        "clock.list_line",
        id=t.id,
        mark=mark,
        enterprise=item.view.enterprise.name,
        content=preview(t.content, 30),
        deadline=when(t.deadline_at, tz, tr),
        cadre=cadre_label(item.view.assignee, tr),
        days=working_days(item, tr),
    )


def working_days(item: BriefItem, tr: Translator) -> Markup:
    """Working days past the deadline when late, else working days since it was received."""
    if item.overdue_days is None:
        return tr("clock.brief_days_open", days=item.days_open)
    if item.overdue_days == 0:
        return tr("clock.brief_overdue_today")
    return tr("clock.brief_days_overdue", days=item.overdue_days)


def brief_line(item: BriefItem, tr: Translator) -> Markup:
    """One ticket of the brief: number, 督办 mark, enterprise, problem, owner, working days."""
    t = item.view.ticket
    return tr(
        "clock.brief_line",
        id=t.id,
        mark=tr("clock.level_mark", level=t.supervision_level) if t.supervision_level else "",
        enterprise=item.view.enterprise.name,
        content=preview(t.content, 30),
        cadre=cadre_label(item.view.assignee, tr),
        days=working_days(item, tr),
    )


def brief(item: Brief, tr: Translator, *, limit: int = 10) -> Markup:
    """The daily brief: a dated title, then each non-empty heading (most urgent first) with its
    count and its first `limit` tickets."""
    lines: list[Markup] = [
        tr("clock.brief_title", name=item.leader.name, day=day_label(item.day, tr))
    ]
    for key, items in item.sections:
        if not items:
            continue
        lines.append(Markup(""))
        lines.append(tr(f"clock.brief_{key}", count=len(items)))
        lines += [brief_line(i, tr) for i in items[:limit]]
        if len(items) > limit:
            lines.append(tr("clock.brief_more", count=len(items) - limit))
    return Markup("\n").join(lines)
