"""The park's other services: recruitment posts, the weekly airing, the logistics exchange, and
what a roster import may read."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, invalid
from bot.domain.recruiting import DEFAULT_ALLOWED_PHRASES, DEFAULT_BANNED_WORDS


class JobWordsSettings(Section):
    """Extra phrases that get a job post refused, by reason; `allowed` phrases never are.

    They add to the built-in patterns of `bot.domain.wording`.
    """

    ethnicity: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["ethnicity"]))
    sex: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["sex"]))
    religion: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["religion"]))
    disability: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["disability"]))
    health: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["health"]))
    household: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["household"]))
    region: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["region"]))
    bait: list[str] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS["bait"]))
    allowed: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED_PHRASES))

    @model_validator(mode="after")
    def _no_blank_words(self) -> JobWordsSettings:
        for name in type(self).model_fields:
            if any(not word.strip() for word in getattr(self, name)):
                # A blank banned word is in every post: every post would be refused.
                raise invalid("empty_word", words=name)
        return self


class JobsSettings(Section):
    # Chat ids of the recruitment channels every post goes to (besides groups bound with
    # /bind jobs); the bot must be an administrator there.
    channels: list[int] = Field(default_factory=list)
    validity_choices: list[int] = Field(default_factory=lambda: [7, 15, 30, 60, 90])
    max_validity_days: int = Field(default=90, ge=1, le=365)
    notice_days_before: int = Field(default=3, ge=0, le=30)
    shifts: list[str] = Field(default_factory=lambda: ["长白班", "两班倒", "三班倒", "做六休一"])
    page_size: int = Field(default=5, ge=1, le=20)
    words: JobWordsSettings = JobWordsSettings()

    @model_validator(mode="after")
    def _choices_within_limit(self) -> JobsSettings:
        too_long = [d for d in self.validity_choices if not 1 <= d <= self.max_validity_days]
        if too_long or not self.validity_choices:
            raise invalid("validity_choices", max=self.max_validity_days)
        return self


class AiringWeights(Section):
    """Composite score = 响应率 x response + 解决率 x solved + 满意率 x satisfaction."""

    response: float = Field(default=0.30, ge=0, le=1)
    solved: float = Field(default=0.35, ge=0, le=1)
    satisfaction: float = Field(default=0.35, ge=0, le=1)

    @model_validator(mode="after")
    def _not_all_zero(self) -> AiringWeights:
        if self.response + self.solved + self.satisfaction <= 0:
            raise invalid("weights_zero")
        return self


class AiringSettings(Section):
    """The weekly airing (晾晒) and the metrics behind it."""

    enabled: bool = True
    # ISO weekday (1 = Monday) and park-time HH:MM of the weekly post.
    weekday: int = Field(default=1, ge=1, le=7)
    post_time: str = "09:00"
    # Where it goes: these chat ids, and every group bound with /bind park if park_groups.
    chat_ids: list[int] = Field(default_factory=list)
    park_groups: bool = True
    # What the post shows about enterprises in the overdue list: full | name | anonymous.
    enterprise_detail: Literal["full", "name", "anonymous"] = "name"
    weights: AiringWeights = AiringWeights()
    min_tickets: int = Field(default=2, ge=1, le=100)
    flag_below: float = Field(default=70.0, ge=0, le=100)
    trend_weeks: int = Field(default=8, ge=2, le=26)
    # Job and logistics lines: "nonzero" (only when something happened) or "always".
    side_lines: Literal["nonzero", "always"] = "nonzero"
    # Overdue and supervised tickets named in the post (worst first); the rest are counted.
    named_items: int = Field(default=20, ge=1, le=200)
    # Every ranked cadre gets a line while there are at most this many; beyond, only the red
    # and yellow lists (every cadre's figures are in the ledger).
    cadre_lines: int = Field(default=30, ge=6, le=200)

    @field_validator("post_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise invalid("clock_time")
        return value


class LogisticsSettings(Section):
    """The logistics exchange (工业物流群): matching and expiry."""

    # Matches offered privately for each new or changed post (the best N).
    top_matches: int = Field(default=3, ge=1, le=10)
    # How far ahead a departure or a cargo's latest date may be.
    max_days_ahead: int = Field(default=60, ge=1, le=365)
    # Unfinished /truck and /cargo conversations are dropped after this many idle hours.
    draft_valid_hours: int = Field(default=24, ge=1, le=720)
    # How often the expiry job runs (offers after departure, requests after their latest date).
    expire_every_minutes: int = Field(default=10, ge=1, le=1440)


class RosterSettings(Section):
    """What one roster file may hold (`liaison-bot roster import`); past a limit the file is
    refused with the limit named, and nothing is imported."""

    # A bigger file is refused before it is read. An .xlsx may expand to 20 times this.
    max_file_mb: int = Field(default=5, ge=1, le=100)
    # Rows in one file, every sheet's, blank ones too; counted while reading, so a workbook
    # that unpacks into millions of rows is refused without being loaded.
    max_rows: int = Field(default=20_000, ge=1, le=1_000_000)
