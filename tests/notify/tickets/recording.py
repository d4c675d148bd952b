"""A notifier's world without a database: an outbox that records its calls, and the ticket
values an outcome carries, made by hand (a notifier reads nothing, so nothing else is needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.delivery.outbox import Keyboard, Outbox
from bot.domain.lifecycle import Status
from bot.domain.models import Cadre, Enterprise, Role, Ticket, TicketView
from bot.notify.voice import Voice

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)  # a Monday
GROUP = -100123
REPORTER = 501
CADRE_TG = 601
LEADER_TG = 602
ADMIN_CHAT = -100999


@dataclass(frozen=True)
class Call:
    """One outbox call: a message sent, or a line added to a collecting list."""

    method: str  # send_message | collect
    chat_id: int
    text: str
    purpose: str
    reply_to: int | None = None
    keyboard: Keyboard | None = None
    ticket_id: int | None = None
    not_before: datetime | None = None
    title: str | None = None
    hold: timedelta | None = None


@dataclass
class RecordingOutbox:
    """What a notifier asked the outbox for, in order."""

    calls: list[Call] = field(default_factory=list)

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        keyboard: Keyboard | None = None,
        force_reply: str | None = None,
        purpose: str = "",
        ticket_id: int | None = None,
        not_before: datetime | None = None,
    ) -> list[int]:
        assert force_reply is None  # no notice asks for a typed answer
        self.calls.append(
            Call(
                "send_message",
                chat_id,
                str(text),
                purpose,
                reply_to=reply_to,
                keyboard=keyboard,
                ticket_id=ticket_id,
                not_before=not_before,
            )
        )
        return [len(self.calls)]

    async def collect(
        self,
        chat_id: int,
        line: str,
        *,
        title: str,
        buttons: Keyboard,
        purpose: str,
        hold: timedelta,
    ) -> int:
        self.calls.append(
            Call("collect", chat_id, str(line), purpose, keyboard=buttons, title=title, hold=hold)
        )
        return len(self.calls)

    def to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id]

    def where(self) -> list[tuple[int, str]]:
        """(chat, purpose) of every call, in order: who was told, and why."""
        return [(c.chat_id, c.purpose) for c in self.calls]


def voice(outbox: RecordingOutbox, locale: str = "zh_CN") -> Voice:
    """The notifiers' voice on the recording outbox, in the park's language and zone."""
    return Voice(cast(Outbox, outbox), locale=locale, tz=TZ)


def cadre(
    name: str = "陈志远", telegram_id: int | None = CADRE_TG, *, id: int = 7, **kw: Any
) -> Cadre:
    values: dict[str, Any] = {
        "phone": "13800000000",
        "role": Role.CADRE,
        "leader_id": None,
        "on_leave": False,
    }
    values.update(kw)
    return Cadre(id=id, name=name, telegram_id=telegram_id, **values)


def view(assignee: Cadre | None = None, **changes: Any) -> TicketView:
    """Ticket #12 of 海澄精工, reported in its group, assigned to `assignee`."""
    ticket = Ticket(
        id=12,
        enterprise_id=3,
        reporter_id=REPORTER,
        chat_id=GROUP,
        source_message_id=77,
        kind="help",
        category="utilities",
        urgency="normal",
        content="厂区路灯坏了",
        status=Status.NEW,
        assignee_id=assignee.id if assignee else None,
        deadline_at=NOW + timedelta(days=7),
        created_at=NOW,
        updated_at=NOW,
        resolved_at=None,
        closed_at=None,
        solved_rating=None,
        satisfaction=None,
        supervision_level=0,
        claim_due_at=NOW + timedelta(hours=3),
        response_due_at=NOW + timedelta(days=1),
    )
    return TicketView(
        ticket=replace(ticket, **changes),
        enterprise=Enterprise(3, "海澄精工", None, None, None),
        assignee=assignee,
        reopen_count=0,
    )
