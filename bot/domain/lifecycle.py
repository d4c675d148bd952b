"""The ticket state machine: every allowed status change lives in this one table.

Side states from the practice map onto it as follows: 重办 (reopen) goes back to in_progress,
转办 (transfer) goes back to new for the receiver, 督办 (supervision) and 延期 (extension) are flags
on the ticket, not statuses.
"""

from __future__ import annotations

from enum import StrEnum

from bot.errors import InvalidTransition


class Status(StrEnum):
    NEW = "new"  # 待受理
    CLAIMED = "claimed"  # 已签收
    CONTACTED = "contacted"  # 已联系
    IN_PROGRESS = "in_progress"  # 办理中
    RESOLVED = "resolved"  # 已办结(待评价)
    CLOSED = "closed"  # 已关闭
    WITHDRAWN = "withdrawn"  # 已撤销

    @property
    def label_key(self) -> str:
        """The catalog entry of the state's one name (`bot.errors.Labelled`)."""
        return f"status.{self.value}"


class Action(StrEnum):
    CLAIM = "claim"
    CONTACT = "contact"
    PROGRESS = "progress"
    RESOLVE = "resolve"
    RATE = "rate"  # a satisfied rating closes the ticket
    REOPEN = "reopen"  # 未解决 or 不满意
    TRANSFER = "transfer"
    WITHDRAW = "withdraw"
    AUTO_CLOSE = "close"  # no rating within the rating window: 未评价


OPEN_STATUSES = frozenset({Status.NEW, Status.CLAIMED, Status.CONTACTED, Status.IN_PROGRESS})
_WORKING = frozenset({Status.CLAIMED, Status.CONTACTED, Status.IN_PROGRESS})


def _into(sources: frozenset[Status], target: Status) -> dict[Status, Status]:
    return dict.fromkeys(sources, target)


# action -> {status it may start from: status it leads to}. Most actions lead to one status from
# every source; 已联系 records the response without ever moving a ticket backwards: from claimed it
# leads to contacted, from in_progress (progress came first, or after a reopen) it stays there.
# From contacted it is refused: the status already says the enterprise was contacted.
TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.CLAIM: _into(frozenset({Status.NEW}), Status.CLAIMED),
    Action.CONTACT: {
        Status.CLAIMED: Status.CONTACTED,
        Status.IN_PROGRESS: Status.IN_PROGRESS,
    },
    Action.PROGRESS: _into(_WORKING, Status.IN_PROGRESS),
    Action.RESOLVE: _into(_WORKING, Status.RESOLVED),
    Action.RATE: _into(frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.REOPEN: _into(frozenset({Status.RESOLVED}), Status.IN_PROGRESS),
    Action.TRANSFER: _into(OPEN_STATUSES, Status.NEW),
    Action.WITHDRAW: _into(OPEN_STATUSES, Status.WITHDRAWN),
    Action.AUTO_CLOSE: _into(frozenset({Status.RESOLVED}), Status.CLOSED),
}


def next_status(current: Status, action: Action) -> Status:
    """Return the status `action` leads to from `current`.

    Raises:
        InvalidTransition: the action is not allowed in the current status (its `status`
            parameter is the status itself, shown as its name, never its code).
    """
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise InvalidTransition(status=current, action=action.value)
    return target


def can(current: Status, action: Action) -> bool:
    """Tell whether `action` is allowed from `current` (for showing buttons)."""
    return current in TRANSITIONS[action]
