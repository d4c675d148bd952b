"""The ledger as an .xlsx workbook (opens in Excel and WPS): 问题台账, 指标, 办理记录.

Headers bold, header row frozen, column widths set; times in park time, as text-free datetimes
(naive, since Excel has no time zones).
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.events import Event
from bot.i18n import Translator
from bot.render.tickets import status_key
from bot.services.ledger import Ledger
from bot.services.metrics import Metrics, Rate

TICKET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("id", 8),
    ("enterprise", 28),
    ("category", 16),
    ("kind", 8),
    ("content", 48),
    ("cadre", 12),
    ("created", 18),
    ("deadline", 18),
    ("claimed", 18),
    ("resolved", 18),
    ("status", 12),
    ("solved", 12),
    ("satisfaction", 12),
    ("reopens", 10),
    ("supervision", 10),
    ("channel", 8),
)
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def _sheet(ws: Worksheet, headers: list[str], widths: list[int]) -> None:
    ws.append(headers)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        ws.cell(row=1, column=index).font = Font(bold=True)
    ws.freeze_panes = "A2"


def _detail(event: Event) -> str:
    payload = event.payload()
    return json.dumps(payload, ensure_ascii=False) if payload else ""


def _label(tr: Translator, prefix: str, code: str | None) -> str:
    if not code:
        return ""
    try:
        return tr.plain(f"{prefix}.{code}")
    except KeyError:
        return code


def _rate_cells(rate: Rate) -> tuple[float | None, str]:
    return rate.pct, f"{rate.num}/{rate.den}"


def _metric_rows(scope: str, m: Metrics, tr: Translator) -> list[list[object]]:
    rows: list[list[object]] = [[tr.plain("export.m_received"), scope, m.received, ""]]
    for key, rate in (
        ("m_response", m.response),
        ("m_closure", m.closure),
        ("m_closure_ytd", m.closure_ytd),
        ("m_on_time", m.on_time),
        ("m_solved", m.solved),
        ("m_partly", m.partly),
        ("m_satisfaction", m.satisfaction),
        ("m_strict", m.strict_satisfaction),
        ("m_reopen", m.reopen),
    ):
        value, count = _rate_cells(rate)
        rows.append([tr.plain(f"export.{key}"), scope, value, count])
    rows.append([tr.plain("export.m_unrated"), scope, m.unrated, ""])
    rows.append([tr.plain("export.m_overdue"), scope, m.overdue, ""])
    rows.append([tr.plain("export.m_avg_days"), scope, m.avg_days, ""])
    rows.append([tr.plain("export.m_score"), scope, m.score, ""])
    return rows


def ledger_xlsx(ledger: Ledger, tr: Translator, tz: ZoneInfo) -> bytes:
    """Build the workbook and return its bytes."""
    book = Workbook()
    tickets = book.active
    assert tickets is not None
    tickets.title = tr.plain("export.sheet_tickets")
    _sheet(
        tickets,
        [tr.plain(f"export.col_{name}") for name, _ in TICKET_COLUMNS],
        [width for _, width in TICKET_COLUMNS],
    )
    for r in ledger.rows:
        tickets.append(
            [
                r.id,
                r.enterprise,
                _label(tr, "category", r.category),
                _label(tr, "kind", r.kind),
                r.content,
                r.cadre or "",
                _local(r.created_at, tz),
                _local(r.deadline_at, tz),
                _local(r.claimed_at, tz),
                _local(r.resolved_at, tz),
                tr.plain(status_key(r.status, reopens=r.reopens)),
                _label(tr, "rating", r.solved_rating),
                _label(tr, "rating", r.satisfaction),
                r.reopens,
                r.supervision_level,
                tr.plain(f"export.channel_{r.channel}"),
            ]
        )
    for row in tickets.iter_rows(min_row=2, min_col=7, max_col=10):
        for cell in row:
            cell.number_format = TIME_FORMAT
    for row in tickets.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    metrics = book.create_sheet(tr.plain("export.sheet_metrics"))
    _sheet(
        metrics,
        [tr.plain(f"export.col_{k}") for k in ("metric", "scope", "value", "count")],
        [30, 16, 12, 14],
    )
    for row in _metric_rows(tr.plain("export.park"), ledger.park, tr):
        metrics.append(row)
    for cadre in ledger.cadres:
        for row in _metric_rows(cadre.name, cadre.metrics, tr):
            metrics.append(row)

    events = book.create_sheet(tr.plain("export.sheet_events"))
    _sheet(
        events,
        [tr.plain(f"export.col_{k}") for k in ("id", "time", "event", "actor", "detail")],
        [8, 18, 12, 14, 60],
    )
    for e in ledger.events:
        events.append(
            [
                e.ticket_id,
                _local(e.at, tz),
                _label(tr, "event", e.type),
                e.actor_id or "",
                _detail(e.event),
            ]
        )
    for row in events.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = TIME_FORMAT
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
