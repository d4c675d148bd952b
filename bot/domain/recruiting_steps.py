"""The /job conversation's shape: its steps, where a draft stands, and a page of the listing.

Driven by `bot.services.recruiting.dialogue` on the conversation engine (every answer
re-checked against the stored step), shown by `bot.render.recruiting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain.models import Enterprise
from bot.domain.recruiting import OPTIONAL_FIELDS, REQUIRED_FIELDS, JobView

EMPLOYER = "employer"


CONFIRM = "confirm"


STEPS: tuple[str, ...] = (EMPLOYER, *REQUIRED_FIELDS, *OPTIONAL_FIELDS)


SKIP = "-"


@dataclass(frozen=True)
class DraftState:
    """Where a conversation stands, with what the next question needs."""

    user_id: int
    step: str
    data: dict[str, Any]
    employer: str | None
    post_id: int | None
    choices: list[Enterprise] = field(default_factory=list)  # for the employer step


@dataclass(frozen=True)
class JobPage:
    views: list[JobView]
    page: int  # 0-based
    pages: int
    total: int
