"""One way a status becomes words: every feature's status names its catalog entry (`Labelled`),
and every refusal shows that entry, never the code."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import pytest

from bot.domain.lifecycle import Status
from bot.domain.logistics import (
    CargoStatus,
    MatchStatus,
    TruckStatus,
    cargo_move,
    match_move,
    truck_move,
)
from bot.domain.recruiting import JobAction, JobStatus, next_job_status
from bot.errors import InvalidTransition, Labelled
from bot.i18n import Translator, catalog

STATUSES: list[type[StrEnum]] = [Status, JobStatus, TruckStatus, CargoStatus, MatchStatus]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", STATUSES)
def test_every_status_of_every_feature_has_words(kind: type[StrEnum], locale: str) -> None:
    words = catalog(locale)
    for status in kind:
        assert isinstance(status, Labelled)
        assert status.label_key in words, (locale, status.label_key)


@pytest.mark.parametrize(
    ("refused", "expected"),
    [
        (
            lambda: next_job_status(JobStatus.EXPIRED, JobAction.WITHDRAW),
            "招聘信息当前状态为「已到期」，不能执行该操作。",
        ),
        (
            lambda: truck_move(TruckStatus.DEPARTED, TruckStatus.WITHDRAWN),
            "该车源当前状态为「已发车」，不能执行该操作。",
        ),
        (
            lambda: cargo_move(CargoStatus.SHIPPED, CargoStatus.WITHDRAWN),
            "该货源当前状态为「已发运」，不能执行该操作。",
        ),
        (
            lambda: match_move(MatchStatus.VOID, MatchStatus.COMPLETED),
            "该匹配当前状态为「已失效」，不能执行该操作。",
        ),
    ],
)
def test_refusals_of_jobs_and_logistics_name_the_status_in_words(
    refused: Callable[[], object], expected: str
) -> None:
    with pytest.raises(InvalidTransition) as caught:
        refused()
    assert caught.value.message(Translator("zh_CN")) == expected
    status = caught.value.params["status"]
    assert isinstance(status, Labelled)
    en = Translator("en")
    assert str(en(status.label_key)) in caught.value.message(en)
