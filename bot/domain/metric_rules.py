"""The metric rules of domain.md ("Clarifications") applied to one ticket's history.

Pure: given a ticket's events up to the report time `as_of`, tell what it contributes to the
figures of the period [start, end). `MetricsService` folds the answers per cadre and for the park.

- 响应 (response): the first event by which the enterprise hears from the administration (已联系,
  a progress note, or the resolution: `Event.RESPONDS`) since the ticket's last transfer, which
  starts a fresh window for the receiver. On time if by `response_due_at`. The ticket counts in
  the period in which its response fell due, or in which it was answered if that came first, and
  only once that moment has passed by `as_of`.
- 办结 (resolved): the latest resolve/reopen event is a resolve (a closed ticket was resolved).
  按期 and the days to resolve are taken over the tickets whose latest state is a resolve made in
  the period; a reopened ticket not resolved again is not in that denominator. 按期 means by the
  deadline in force at that resolve (`Resolve.deadline_at`, an approved extension included), not
  the ticket's current one, which a later reopen moves.
- 重办率: tickets reopened in the period over tickets resolved at least once in the period.
- Verdict: the latest rating (`Rate` or `Reopen`), or 未评价 for a close without one; it counts in
  the period in which it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import events as ev
from bot.domain.taxonomy import UNRATED


@dataclass(frozen=True)
class Logged:
    """One event of a ticket's history, as the metrics read it."""

    at: datetime
    event: ev.Event


@dataclass
class TicketHistory:
    """A ticket a period touches, with its events up to the report time, in order."""

    ticket_id: int
    assignee_id: int | None
    created_at: datetime
    response_due_at: datetime | None
    events: list[Logged] = field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """What one ticket contributes to one period's figures."""

    received: bool  # created in the period
    resolved: bool  # its latest state at as_of is resolved (or closed)
    response: bool | None  # None: not in this period's 响应率; else answered on time
    resolved_at: datetime | None  # set when a resolve in the period is its latest state
    in_time: bool  # that resolve was by the deadline in force when it was made
    resolved_once: bool  # resolved at least once in the period (重办率 denominator)
    reopened: bool  # reopened in the period (重办率 numerator)
    verdict: tuple[str, str] | None  # (solved, satisfaction) given in the period


def facts(history: TicketHistory, start: datetime, end: datetime, as_of: datetime) -> Facts:
    """Apply the rules to one ticket (its events are those up to `as_of`, in order)."""
    answered: datetime | None = None
    state: ev.Event | None = None
    state_at: datetime | None = None
    verdict: tuple[str, str] | None = None
    verdict_at: datetime | None = None
    resolved_once = reopened = False
    for logged in history.events:
        event, at = logged.event, logged.at
        inside = start <= at < end
        if isinstance(event, ev.Transfer):
            answered = None  # the receiver's own response counts
        elif event.RESPONDS and answered is None:
            answered = at
        if isinstance(event, ev.Resolve | ev.Reopen):
            state, state_at = event, at
            resolved_once |= inside and isinstance(event, ev.Resolve)
            reopened |= inside and isinstance(event, ev.Reopen)
        if isinstance(event, ev.Rating):
            verdict, verdict_at = (event.solved, event.satisfaction), at
        elif isinstance(event, ev.Close):
            verdict, verdict_at = (UNRATED, UNRATED), at
    resolved = isinstance(state, ev.Resolve)
    return Facts(
        received=start <= history.created_at < end,
        resolved=resolved,
        response=_response(history.response_due_at, answered, start, end, as_of),
        resolved_at=state_at if resolved and state_at and start <= state_at < end else None,
        in_time=isinstance(state, ev.Resolve)
        and state_at is not None
        and state_at <= state.deadline_at,
        resolved_once=resolved_once,
        reopened=reopened,
        verdict=verdict if verdict_at is not None and start <= verdict_at < end else None,
    )


def _response(
    due: datetime | None, answered: datetime | None, start: datetime, end: datetime, as_of: datetime
) -> bool | None:
    if due is None:
        return None  # a ticket from before the deadline rules: no response window
    moment = min(due, answered) if answered is not None else due
    if not (start <= moment < end and moment <= as_of):
        return None
    return answered is not None and answered <= due
