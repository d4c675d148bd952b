"""The ticket state machine: every allowed move, and every other move refused."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import TRANSITIONS, Action, Status, can, next_status
from bot.errors import InvalidTransition


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_transition_table_is_the_only_truth(status: Status, action: Action) -> None:
    sources, target = TRANSITIONS[action]
    if status in sources:
        assert next_status(status, action) is target
        assert can(status, action)
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, action)
        assert not can(status, action)


def test_the_practice_path() -> None:
    status = Status.NEW
    for action in (
        Action.CLAIM,
        Action.PROGRESS,
        Action.RESOLVE,
        Action.REOPEN,
        Action.RESOLVE,
        Action.RATE,
    ):
        status = next_status(status, action)
    assert status is Status.CLOSED


def test_closed_and_withdrawn_are_final() -> None:
    for final in (Status.CLOSED, Status.WITHDRAWN):
        assert not any(can(final, action) for action in Action)
