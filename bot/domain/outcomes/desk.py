"""The duty desk's outcomes: failures of delivery and of the intake, refused invitations and
upgraded groups. Each carries the desk (`Desk`) it goes to, resolved by the publishing service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.models import ChatBinding
from bot.domain.outcomes import Desk, Outcome, Recipient


@dataclass(frozen=True)
class DeliveryFailed(Outcome):
    """The first permanent failure of a chat (later ones are recorded, not told)."""

    chat_id: int
    ticket_id: int | None
    error: str
    target: tuple[str, str]  # how an admin recognises the chat: ("user" | "group" | "chat", name)
    desk: Desk


@dataclass(frozen=True)
class HandlerFailed(Outcome):
    """An update no handler could finish: its chat gets an apology, the admins an alert (unless
    an identical failure was alerted within the window: then `alert` is False, it is counted)."""

    chat: Recipient | None  # where the update came from (the apology, in the park's language)
    update_id: int | None
    error: str  # the exception's type name
    where: str  # its place in our code, `path:line`
    window: timedelta  # identical failures within it are counted, not alerted
    desk: Desk  # empty when there is no alert
    alert: bool = True


@dataclass(frozen=True)
class UpdateQuarantined(Outcome):
    """An update set aside after its attempts: not even its failure could be recorded. Only the
    admins are told (its chat may be what failed); `alert` as in `HandlerFailed`."""

    update_id: int
    error: str
    where: str
    desk: Desk  # empty when there is no alert
    alert: bool = True


@dataclass(frozen=True)
class FailuresRepeated(Outcome):
    """Identical failures after an alert, within its window: one follow-up with their count
    when the window closes (each one replaces the unsent follow-up before it)."""

    key: str  # a short digest of the signature: names the follow-up to replace
    error: str
    where: str
    count: int
    since: datetime
    until: datetime
    desk: Desk
    quarantined: bool = False


@dataclass(frozen=True)
class InviteTakeover(Outcome):
    """Someone opened an invitation that would have taken over a bound account."""

    telegram_id: int
    name: str  # as Telegram gave it
    reason: str  # already_cadre | already_contact | already_admin: what the opener is already
    target: str  # whom the invitation was for
    bound: str  # what the opener is bound to
    desk: Desk


@dataclass(frozen=True)
class Migrated(Outcome):
    """A bound group that became a supergroup, and what followed it to the new id."""

    old_chat_id: int
    new_chat_id: int
    binding: ChatBinding | None
    serves: str  # the enterprise's name, or the binding kind (park, jobs, logistics)
    moved: int  # queued messages readdressed
    desk: Desk
