"""Ticket texts and button layouts.

Texts are `Markup`: the translator escapes every parameter, and lines are joined with
`Markup.join`, which escapes any plain string (a problem text, a note) placed on a line of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from bot.domain import events as ev
from bot.domain import taxonomy
from bot.domain.buttons import Button
from bot.domain.lifecycle import Action, Status, can
from bot.domain.models import Cadre, Enterprise, Ticket, TicketView
from bot.i18n import Translator
from bot.render.keyboards import reports
from bot.render.keyboards import tickets as keys

PREVIEW = 60


def when(moment: datetime, tz: ZoneInfo, tr: Translator) -> str:
    local = moment.astimezone(tz)
    hm = f"{local.hour:02d}:{local.minute:02d}"  # strftime's own %H:%M, at a third of its cost
    return tr("time.format", month=local.month, day=local.day, hm=hm)


# Statuses a reopened ticket can be in while it is worked again: shown as 重办.
_REWORK = frozenset({Status.CLAIMED, Status.CONTACTED, Status.IN_PROGRESS})


def status_key(status: Status | str, *, reopens: int = 0) -> str:
    """The catalog key of a state's one name; a reopened ticket being worked again is 重办."""
    status = Status(status)
    if reopens and status in _REWORK:
        return "status.reopened"
    return f"status.{status.value}"


def status_label(status: Status | str, tr: Translator, *, reopens: int = 0) -> str:
    """The one name of a state everywhere (cards, lists, acks, refusals, the ledger)."""
    return tr(status_key(status, reopens=reopens))


def cadre_label(cadre: Cadre | None, tr: Translator, *, phone: bool = False) -> str:
    """The cadre's name (or the duty desk); with the roster phone when `phone` and known."""
    if cadre is None:
        return tr("ticket.duty_desk")
    if phone and cadre.phone:
        return tr("ticket.cadre_phone", name=cadre.name, phone=cadre.phone)
    return cadre.name


def preview(text: str, limit: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _urgent(ticket: Ticket, tr: Translator) -> str:
    return tr("ticket.urgent_mark") if ticket.urgency == "urgent" else ""


def _deadline_lines(view: TicketView, tr: Translator, tz: ZoneInfo) -> list[str]:
    """Extra card lines: sign and contact deadlines still running, extension, 督办 level."""
    t = view.ticket
    lines: list[str] = []
    if t.status is Status.NEW and t.claim_due_at is not None:
        lines.append(tr("clock.card_claim_due", at=when(t.claim_due_at, tz, tr)))
    if t.status in (Status.NEW, Status.CLAIMED) and t.response_due_at is not None:
        lines.append(tr("clock.card_response_due", at=when(t.response_due_at, tz, tr)))
    extended = [e.event for e in view.events if isinstance(e.event, ev.ExtendOk)]
    if extended:
        lines.append(tr("clock.card_extended", days=extended[-1].days))
    if t.supervision_level > 0:
        lines.append(tr("clock.card_supervised", level=t.supervision_level))
    return lines


def _ack_response(ticket: Ticket, tr: Translator, tz: ZoneInfo) -> str:
    """The contact deadline under the acknowledgement ("" for tickets without one)."""
    if ticket.response_due_at is None:
        return ""
    return "\n" + tr("clock.ack_response", at=when(ticket.response_due_at, tz, tr))


def ack(view: TicketView, tr: Translator, tz: ZoneInfo, *, phone: bool = False) -> str:
    """The group reply that confirms a report became a ticket, naming its cadre."""
    t = view.ticket
    return tr(
        "ticket.ack",
        id=t.id,
        status=status_label(t.status, tr, reopens=view.reopen_count),
        category=tr(f"category.{t.category}"),
        kind=tr(f"kind.{t.kind}"),
        urgent=_urgent(t, tr),
        cadre=cadre_label(view.assignee, tr, phone=phone),
        deadline=when(t.deadline_at, tz, tr),
    ) + _ack_response(t, tr, tz)


def card(view: TicketView, tr: Translator, tz: ZoneInfo, *, history: bool = False) -> str:
    """A ticket's details (and history), for cadres and the enterprise itself."""
    t = view.ticket
    lines = [
        tr(
            "ticket.card_title",
            id=t.id,
            status=status_label(t.status, tr, reopens=view.reopen_count),
            urgent=_urgent(t, tr),
        ),
        tr("ticket.card_enterprise", name=view.enterprise.name),
        tr(
            "ticket.card_category",
            category=tr(f"category.{t.category}"),
            kind=tr(f"kind.{t.kind}"),
        ),
        tr("ticket.card_cadre", cadre=cadre_label(view.assignee, tr)),
        tr("ticket.card_created", at=when(t.created_at, tz, tr)),
        tr("ticket.card_deadline", at=when(t.deadline_at, tz, tr)),
        *_deadline_lines(view, tr, tz),
    ]
    if view.reopen_count:
        lines.append(tr("ticket.card_reopened", count=view.reopen_count))
    if t.solved_rating:
        lines.append(
            tr(
                "ticket.card_rating",
                solved=tr(f"rating.{t.solved_rating}"),
                satisfaction=tr(f"rating.{t.satisfaction}"),
            )
        )
    if view.attachments:
        lines.append(tr("ticket.card_attachments", count=len(view.attachments)))
    if t.channel == "private":
        lines.append(tr("ticket.card_private"))
    lines += ["", t.content]
    if history and view.events:
        lines += ["", tr("ticket.history_title")]
        for event in view.events:
            detail = _event_detail(event.event, tr)
            suffix = Markup("：{}").format(detail) if detail else ""
            lines.append(
                Markup("· {} {}{}").format(
                    when(event.at, tz, tr), tr(f"event.{event.type}"), suffix
                )
            )
    return Markup("\n").join(lines)


def _event_detail(event: ev.Event, tr: Translator) -> str:
    """What a history line adds after the event's name: a note, or the rating given."""
    if isinstance(event, ev.Note):
        return event.note
    if not isinstance(event, ev.Rating):
        return ""
    rating = tr(
        "ticket.history_rating",
        solved=tr(f"rating.{event.solved}"),
        satisfaction=tr(f"rating.{event.satisfaction}"),
    )
    return rating


def summary(view: TicketView, tr: Translator, tz: ZoneInfo) -> str:
    t = view.ticket
    return tr(
        "ticket.summary",
        id=t.id,
        status=status_label(t.status, tr, reopens=view.reopen_count),
        enterprise=view.enterprise.name,
        content=preview(t.content, 30),
        deadline=when(t.deadline_at, tz, tr),
    )


def listing(views: Sequence[TicketView], tr: Translator, tz: ZoneInfo, title_key: str) -> str:
    if not views:
        return tr(f"{title_key}_empty")
    return Markup("\n").join(
        [tr(title_key, count=len(views)), *[summary(v, tr, tz) for v in views]]
    )


# -- buttons ----------------------------------------------------------------------------------
def work_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    """Buttons for whoever works the ticket, only for the moves its status allows."""
    row: list[Button] = []
    if can(ticket.status, Action.CLAIM):
        row.append(Button(tr("button.claim"), keys.Claim(ticket.id).pack()))
    if can(ticket.status, Action.CONTACT):
        row.append(Button(tr("clock.button_contact"), keys.Contact(ticket.id).pack()))
    if can(ticket.status, Action.PROGRESS):
        row.append(Button(tr("button.progress"), keys.Progress(ticket.id).pack()))
    if can(ticket.status, Action.RESOLVE):
        row.append(Button(tr("button.resolve"), keys.Resolve(ticket.id).pack()))
    rows = [row] if row else []
    second: list[Button] = []
    if can(ticket.status, Action.TRANSFER):
        second.append(Button(tr("button.transfer"), keys.TransferMenu(ticket.id).pack()))
    second.append(Button(tr("button.view"), keys.View(ticket.id).pack()))
    rows.append(second)
    return rows


def grouped_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    """A ticket's row in a cadre's list of new tickets: claim it (the answer has the rest)."""
    return [[Button(tr("intake.grouped_claim", id=ticket.id), keys.Claim(ticket.id).pack())]]


def reporter_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    """Under the acknowledgement: let the reporter correct category or kind."""
    return [
        [
            Button(tr("button.change_category"), keys.CategoryMenu(ticket.id).pack()),
            Button(tr("button.change_kind"), keys.KindMenu(ticket.id).pack()),
        ]
    ]


def category_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    buttons = [
        Button(tr(f"category.{code}"), keys.SetCategory(ticket.id, code).pack())
        for code in taxonomy.CATEGORIES
    ]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def kind_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    return [
        [
            Button(tr(f"kind.{code}"), keys.SetKind(ticket.id, code).pack())
            for code in taxonomy.KINDS
        ]
    ]


def transfer_buttons(ticket: Ticket, cadres: Sequence[Cadre], limit: int = 9) -> list[list[Button]]:
    buttons = [Button(c.name, keys.TransferTo(ticket.id, c.id).pack()) for c in cadres[:limit]]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def solved_buttons(ticket: Ticket, tr: Translator) -> list[list[Button]]:
    return [
        [
            Button(tr(f"rating.{code}"), keys.RateSolved(ticket.id, code).pack())
            for code in taxonomy.SOLVED_RATINGS
        ]
    ]


def satisfaction_buttons(ticket: Ticket, solved: str, tr: Translator) -> list[list[Button]]:
    return [
        [
            Button(tr(f"rating.{code}"), keys.Rate(ticket.id, solved, code).pack())
            for code in taxonomy.SATISFACTION_RATINGS
        ]
    ]


def enterprise_choice(message_id: int, enterprises: Sequence[Enterprise]) -> list[list[Button]]:
    """One button per enterprise of a contact, to say which one a private report is for."""
    return [[Button(e.name, reports.ReportFor(message_id, e.id).pack())] for e in enterprises]
