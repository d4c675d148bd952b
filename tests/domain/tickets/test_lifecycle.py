"""The ticket state machine: every allowed move, and every other move refused."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import TRANSITIONS, Action, Status, can, next_status
from bot.errors import InvalidTransition
from bot.i18n import Translator


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_transition_table_is_the_only_truth(status: Status, action: Action) -> None:
    moves = TRANSITIONS[action]
    if status in moves:
        assert next_status(status, action) is moves[status]
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


def test_contact_is_recorded_from_any_working_status_and_never_moves_back() -> None:
    assert next_status(Status.CLAIMED, Action.CONTACT) is Status.CONTACTED
    # Progress came first, or the ticket was reopened: the contact is recorded, status stays.
    assert next_status(Status.IN_PROGRESS, Action.CONTACT) is Status.IN_PROGRESS
    reopened = next_status(Status.RESOLVED, Action.REOPEN)
    assert next_status(reopened, Action.CONTACT) is Status.IN_PROGRESS
    for status in (Status.NEW, Status.CONTACTED, Status.RESOLVED, Status.CLOSED):
        assert not can(status, Action.CONTACT)


def test_a_refusal_names_the_status_by_its_catalog_term() -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(Status.IN_PROGRESS, Action.CLAIM)
    assert caught.value.params["status"] is Status.IN_PROGRESS
    assert caught.value.message(Translator("zh_CN")) == "工单当前状态为「办理中」，不能执行该操作。"
    assert "in_progress" not in caught.value.message(Translator("en"))
