"""The ledger as an .xlsx workbook a clerk can file (opens in Excel and WPS): 问题台账, 指标 and
办理记录.

Every sheet starts with a title row (park, period), then a bold header with an autofilter, frozen
with the title; the first column is 序号. Times are park-local datetimes (naive: Excel has no time
zones), rates are percentages, events are phrases with people's names (`ledger_events`).

The workbook is written in openpyxl's write-only mode: each row goes to a temporary file as it
is appended, so a year's ledger (tens of thousands of cells) never sits in memory as cell
objects. Every value is made by `_value`: a text is always stored as text, and one that begins
with `=`, `+`, `-` or `@` (an enterprise's report may be `=HYPERLINK(...)`) is marked
quote-prefixed too, so it never becomes a live formula in the clerk's Excel, even when edited.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.domain.figures import Metrics, Rate
from bot.domain.ledger import Ledger
from bot.i18n import Translator
from bot.render.airing import left_out
from bot.render.ledger_events import EventWords, actor_name, label
from bot.render.tickets import status_key

FORMULA_STARTS = ("=", "+", "-", "@")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
HEADER_ROW = 2  # row 1 is the title
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

TICKET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("seq", 6),
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
# The 指标 sheet: one row for the park, then one per cadre; (catalog key, width, kind).
METRIC_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("col_seq", 6, "int"),
    ("col_scope", 14, "text"),
    ("m_received", 8, "int"),
    ("m_closed", 8, "int"),
    ("m_closure", 9, "rate"),
    ("m_closure_ytd", 11, "rate"),
    ("m_response", 9, "rate"),
    ("m_on_time", 10, "rate"),
    ("m_rated", 8, "int"),
    ("m_solved", 9, "rate"),
    ("m_partly", 9, "rate"),
    ("m_satisfaction", 9, "rate"),
    ("m_strict", 11, "rate"),
    ("m_unrated", 8, "int"),
    ("m_overdue", 8, "int"),
    ("m_avg_days", 10, "number"),
    ("m_reopen", 9, "rate"),
    ("m_score", 9, "number"),
    ("m_left_out", 16, "text"),
)
EVENT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("seq", 6),
    ("id", 8),
    ("enterprise", 24),
    ("time", 18),
    ("actor", 20),
    ("event", 60),
)


def _value(
    ws: WriteOnlyWorksheet,
    value: object,
    *,
    font: Font | None = None,
    number_format: str | None = None,
    alignment: Alignment | None = None,
) -> object:
    """One cell for `append`: the value as is when it needs no care, else a styled cell. A text
    stays text (never a formula), whatever it begins with."""
    risky = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if not (risky or font or alignment or (number_format and value is not None)):
        return value
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes a text beginning with "=" for a formula
        if risky:
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if number_format is not None and value is not None:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def _sheet(
    book: Workbook, title: str, heading: str, headers: list[str], widths: list[int], rows: int
) -> WriteOnlyWorksheet:
    """A new sheet: widths, autofilter over the data, frozen title and header (all set before
    any row is written, as write-only mode needs), then the title row and the bold header."""
    ws = book.create_sheet(title)
    assert isinstance(ws, WriteOnlyWorksheet)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(rows, 1)}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.append([_value(ws, heading, font=TITLE_FONT)])
    ws.append([_value(ws, header, font=BOLD) for header in headers])
    return ws


def _day(value: date) -> str:
    return value.isoformat()


def _title(ledger: Ledger, tr: Translator, sheet: str) -> str:
    return tr.plain(
        "export.title",
        park=ledger.park_name,
        sheet=tr.plain(f"export.sheet_{sheet}"),
        start=_day(ledger.start),
        end=_day(ledger.end),
    )


def _tickets(book: Workbook, ledger: Ledger, tr: Translator, tz: ZoneInfo) -> None:
    ws = _sheet(
        book,
        tr.plain("export.sheet_tickets"),
        _title(ledger, tr, "tickets"),
        [tr.plain(f"export.col_{name}") for name, _ in TICKET_COLUMNS],
        [width for _, width in TICKET_COLUMNS],
        len(ledger.rows),
    )
    for seq, r in enumerate(ledger.rows, start=1):
        times = [_local(t, tz) for t in (r.created_at, r.deadline_at, r.claimed_at, r.resolved_at)]
        values: list[object] = [
            seq,
            r.id,
            r.enterprise,
            label(tr, "category", r.category),
            label(tr, "kind", r.kind),
            _value(ws, r.content, alignment=WRAP),
            r.cadre or tr.plain("airing.duty_desk"),
            *[_value(ws, t, number_format=TIME_FORMAT) for t in times],
            tr.plain(status_key(r.status, reopens=r.reopens)),
            label(tr, "rating", r.solved_rating),
            label(tr, "rating", r.satisfaction),
            r.reopens,
            r.supervision_level,
            tr.plain(f"export.channel_{r.channel}"),
        ]
        ws.append([_value(ws, v) for v in values])


def _percent(rate: Rate) -> float | None:
    """The rounded percentage as Excel's fraction (97.8 % is 0.978), None when nothing was due."""
    return None if rate.pct is None else round(rate.pct / 100, 4)


def _metric_values(scope: str, m: Metrics, ledger: Ledger, tr: Translator) -> list[object]:
    return [
        scope,
        m.received,
        m.closure.num,
        _percent(m.closure),
        _percent(m.closure_ytd),
        _percent(m.response),
        _percent(m.on_time),
        m.solved.den,
        _percent(m.solved),
        _percent(m.partly),
        _percent(m.satisfaction),
        _percent(m.strict_satisfaction),
        m.unrated,
        m.overdue,
        m.avg_days,
        _percent(m.reopen),
        m.score,
        "、".join(left_out(m, tr)),
    ]


def _metrics(book: Workbook, ledger: Ledger, tr: Translator) -> None:
    scopes = [(tr.plain("export.park"), ledger.park)]
    scopes += [(c.name, c.metrics) for c in ledger.cadres]
    ws = _sheet(
        book,
        tr.plain("export.sheet_metrics"),
        _title(ledger, tr, "metrics"),
        [tr.plain(f"export.{key}") for key, _, _ in METRIC_COLUMNS],
        [width for _, width, _ in METRIC_COLUMNS],
        len(scopes),
    )
    empty = tr.plain("airing.no_value")
    formats = {"rate": PERCENT_FORMAT, "number": "0.0"}
    for seq, (scope, m) in enumerate(scopes, start=1):
        values = [seq, *_metric_values(scope, m, ledger, tr)]
        ws.append(
            [
                _value(ws, empty)
                if value is None
                else _value(ws, value, number_format=formats.get(kind))
                for (_, _, kind), value in zip(METRIC_COLUMNS, values, strict=True)
            ]
        )
    ws.append([])
    ws.append([_value(ws, tr.plain("export.metrics_note"))])


def _events(book: Workbook, ledger: Ledger, tr: Translator, tz: ZoneInfo) -> None:
    ws = _sheet(
        book,
        tr.plain("export.sheet_events"),
        _title(ledger, tr, "events"),
        [tr.plain(f"export.col_{name}") for name, _ in EVENT_COLUMNS],
        [width for _, width in EVENT_COLUMNS],
        len(ledger.events),
    )
    enterprises = {r.id: r.enterprise for r in ledger.rows}
    words = EventWords(tr, tz, ledger.cadre_names)
    for seq, e in enumerate(ledger.events, start=1):
        ws.append(
            [
                seq,
                e.ticket_id,
                _value(ws, enterprises.get(e.ticket_id, "")),
                _value(ws, _local(e.at, tz), number_format=TIME_FORMAT),
                _value(ws, actor_name(e.actor_id, ledger.people, tr)),
                _value(ws, words(e.event), alignment=WRAP),
            ]
        )


def ledger_xlsx(ledger: Ledger, tr: Translator, tz: ZoneInfo) -> bytes:
    """Build the workbook (streamed, see the module docstring) and return its bytes."""
    book = Workbook(write_only=True)
    _tickets(book, ledger, tr, tz)
    _metrics(book, ledger, tr)
    _events(book, ledger, tr, tz)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
