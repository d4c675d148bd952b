"""The park and its ticket rules: park identity, ticket intake, working calendar, deadlines."""

from __future__ import annotations

from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, invalid
from bot.domain.taxonomy import (
    CATEGORIES,
    DEFAULT_CATEGORY_KEYWORDS,
    DEFAULT_KIND_KEYWORDS,
    DEFAULT_URGENT_KEYWORDS,
    KINDS,
)


class ParkSettings(Section):
    name: str = "开发区"
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh_CN", "en"] = "zh_CN"
    admins: list[int] = Field(default_factory=list)
    # Where unexpected errors and delivery failures are reported; 0 = each admin privately.
    admin_chat_id: int = 0

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid("time_zone", value=repr(value)) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TicketSettings(Section):
    resolve_working_days: int = Field(default=5, ge=1, le=60)
    rating_window_days: int = Field(default=7, ge=1, le=60)
    hashtags: list[str] = Field(default_factory=lambda: ["#诉求", "#问题", "#求助"])
    category_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CATEGORY_KEYWORDS.items()}
    )
    kind_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_KIND_KEYWORDS.items()}
    )
    urgent_keywords: list[str] = Field(default_factory=lambda: list(DEFAULT_URGENT_KEYWORDS))
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    # Show the cadre's roster phone to the enterprise in the acknowledgement.
    show_cadre_phone: bool = False
    # Reports one person may make in any hour; past it a report is refused (0: no limit).
    reports_per_person_per_hour: int = Field(default=10, ge=0, le=1000)

    @field_validator("category_keywords")
    @classmethod
    def _known_categories(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise invalid("unknown_category", value=repr(unknown[0]), known=", ".join(CATEGORIES))
        for name, words in value.items():
            _keywords(words, what=f"category {name!r}")
        return value

    @field_validator("kind_keywords")
    @classmethod
    def _known_kinds(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise invalid("unknown_kind", value=repr(unknown[0]), known=", ".join(KINDS))
        for name, words in value.items():
            _keywords(words, what=f"kind {name!r}")
        return value

    @field_validator("urgent_keywords")
    @classmethod
    def _urgent(cls, value: list[str]) -> list[str]:
        return _keywords(value, what="the list")

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        if not value:
            raise invalid("no_hashtag")
        for tag in value:
            if not tag.startswith("#") or len(tag) < 2:
                raise invalid("hashtag_shape", value=repr(tag))
        return value


def _keywords(words: list[str], *, what: str) -> list[str]:
    """Refuse an empty list and blank words: "" is in every text, so it would match them all."""
    if not words:
        raise invalid("no_keywords", what=what)
    if any(not word.strip() for word in words):
        raise invalid("empty_keyword", what=what)
    return words


class CalendarSettings(Section):
    """Working days and hours: the Chinese calendar plus the park's own exceptions."""

    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSettings:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            raise invalid("both_days", day=both[0].isoformat())
        if self.work_start >= self.work_end:
            raise invalid("work_hours")
        return self


class DeadlineSettings(Section):
    """Deadlines per kind, category and urgency, reminders, escalation and the daily brief."""

    claim_working_hours: float = Field(default=2.0, gt=0, le=72)
    response_working_days: int = Field(default=1, ge=1, le=30)
    complex_working_days: int = Field(default=15, ge=1, le=120)
    urgent_hours: float = Field(default=24.0, gt=0, le=240)
    kind_working_days: dict[str, int] = Field(default_factory=lambda: {"question": 1})
    category_working_days: dict[str, int] = Field(default_factory=dict)
    remind_claim_minutes: int = Field(default=30, ge=0, le=1440)
    remind_response_hours: float = Field(default=2.0, ge=0, le=72)
    remind_resolve_hours: float = Field(default=2.0, ge=0, le=72)
    level2_chases: int = Field(default=2, ge=1, le=10)
    level2_reworks: int = Field(default=2, ge=1, le=10)
    max_extension_days: int = Field(default=15, ge=1, le=60)
    sweep_seconds: int = Field(default=60, ge=10, le=3600)
    brief_time: time = time(8, 30)

    @field_validator("kind_working_days")
    @classmethod
    def _kinds(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise invalid("unknown_kind", value=repr(unknown[0]), known=", ".join(KINDS))
        if any(not 1 <= days <= 120 for days in value.values()):
            raise invalid("working_days")
        return value

    @field_validator("category_working_days")
    @classmethod
    def _categories(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise invalid("unknown_category", value=repr(unknown[0]), known=", ".join(CATEGORIES))
        if any(not 1 <= days <= 120 for days in value.values()):
            raise invalid("working_days")
        return value
