"""Job posts (招聘信息): fields, the status machine, validation and the wording check.

Pure: no I/O. The fields follow the 2026 national notice on online recruitment posts
(employer, position, headcount, requirements, work content, location, pay min–max and unit,
validity, contact; optional benefits and shift). Validation raises `InvalidInput` with a catalog
key naming exactly what is wrong, so the user gets a specific answer in their language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain import wording
from bot.errors import InvalidInput, InvalidTransition


class JobStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    FILLED = "filled"  # 已招满
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # 已撤回

    @property
    def label_key(self) -> str:
        """The catalog entry of the status's name (`bot.errors.Labelled`)."""
        return f"jobs.status_{self.value}"


class JobAction(StrEnum):
    PUBLISH = "publish"
    EDIT = "edit"
    FILL = "fill"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    HIRE = "hire"


# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[JobAction, tuple[frozenset[JobStatus], JobStatus | None]] = {
    JobAction.PUBLISH: (frozenset({JobStatus.DRAFT}), JobStatus.PUBLISHED),
    JobAction.EDIT: (frozenset({JobStatus.PUBLISHED}), JobStatus.PUBLISHED),
    JobAction.FILL: (frozenset({JobStatus.PUBLISHED}), JobStatus.FILLED),
    JobAction.WITHDRAW: (frozenset({JobStatus.PUBLISHED}), JobStatus.WITHDRAWN),
    JobAction.EXPIRE: (frozenset({JobStatus.PUBLISHED}), JobStatus.EXPIRED),
    # Reporting people hired keeps the status; a filled or expired post may still report.
    JobAction.HIRE: (
        frozenset({JobStatus.PUBLISHED, JobStatus.FILLED, JobStatus.EXPIRED}),
        None,
    ),
}


def next_job_status(current: JobStatus, action: JobAction) -> JobStatus:
    """Return the status `action` leads to from `current`.

    Raises:
        InvalidTransition: the action is not allowed in the current status.
    """
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise InvalidTransition("jobs.bad_status", status=current, action=action.value)
    return target or current


PAY_UNITS: tuple[str, ...] = ("month", "day", "hour")
REQUIRED_FIELDS: tuple[str, ...] = (
    "position",
    "headcount",
    "pay",
    "pay_unit",
    "requirements",
    "content",
    "location",
    "validity",
    "contact",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("shift", "benefits")
# Free-text fields the wording check reads.
TEXT_FIELDS: tuple[str, ...] = (
    "position",
    "requirements",
    "content",
    "location",
    "contact",
    "benefits",
    "shift",
)
MAX_TEXT = 500
MAX_SHORT = 60
MAX_HEADCOUNT = 10000
MAX_PAY = 10_000_000


@dataclass(frozen=True)
class JobRules:
    """The configurable parts: validity choices and limits, shifts, the word lists."""

    validity_choices: tuple[int, ...]
    max_validity_days: int
    shifts: tuple[str, ...]
    banned_words: Mapping[str, Iterable[str]]  # reason code -> words
    allowed_phrases: tuple[str, ...]


@dataclass(frozen=True)
class JobFields:
    """A complete, validated post."""

    position: str
    headcount: int
    pay_min: int
    pay_max: int
    pay_unit: str
    requirements: str
    content: str
    location: str
    validity_days: int
    contact: str
    shift: str = ""
    benefits: str = ""


@dataclass(frozen=True)
class JobPost:
    id: int
    enterprise_id: int
    author_id: int
    fields: JobFields
    status: JobStatus
    hired: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    expires_at: datetime | None
    closed_at: datetime | None
    expiry_notice_at: datetime | None


@dataclass(frozen=True)
class JobView:
    """A post with the employer's name, for rendering."""

    post: JobPost
    employer: str


def check_text(field: str, value: str, *, limit: int = MAX_TEXT) -> str:
    """Strip a text answer; refuse it empty or too long."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput("jobs.err_empty", field=field)
    if len(cleaned) > limit:
        raise InvalidInput("jobs.err_too_long", field=field, limit=limit)
    return cleaned


def check_headcount(value: int) -> int:
    if value <= 0 or value > MAX_HEADCOUNT:
        raise InvalidInput("jobs.err_headcount", limit=MAX_HEADCOUNT)
    return value


def check_pay(pay_min: int, pay_max: int) -> tuple[int, int]:
    if pay_min <= 0 or pay_max > MAX_PAY:
        raise InvalidInput("jobs.err_pay_positive")
    if pay_min > pay_max:
        raise InvalidInput("jobs.err_pay_order", low=pay_min, high=pay_max)
    return pay_min, pay_max


def check_validity(days: int, rules: JobRules) -> int:
    if days <= 0 or days > rules.max_validity_days:
        raise InvalidInput("jobs.err_validity", limit=rules.max_validity_days)
    return days


def check_pay_unit(unit: str) -> str:
    if unit not in PAY_UNITS:
        raise InvalidInput("jobs.err_pay_unit")
    return unit


def offending_words(text: str, rules: JobRules) -> dict[str, list[str]]:
    """Return the discriminatory or bait phrases in `text`, by reason; empty when clean.

    The built-in patterns (`bot.domain.wording`) read the folded text, so spacing, full-width
    letters, invisible characters and traditional characters change nothing; the configured
    words and allowed phrases add to them. Phrases are named as the user spelled them.
    """
    return wording.find(text, extra_words=rules.banned_words, extra_allowed=rules.allowed_phrases)


def validate(data: Mapping[str, Any], rules: JobRules) -> JobFields:
    """Turn a complete draft into `JobFields`, checking every rule and the wording.

    Raises:
        InvalidInput: a required field is missing, a value breaks a rule, or the wording is
            discriminatory or bait (the reason names the offending words).
    """
    for name in REQUIRED_FIELDS:
        key = "pay_min" if name == "pay" else name
        if data.get(key) in (None, ""):
            raise InvalidInput("jobs.err_missing", field=name)
    pay_min, pay_max = check_pay(int(data["pay_min"]), int(data["pay_max"]))
    fields = JobFields(
        position=check_text("position", str(data["position"]), limit=MAX_SHORT),
        headcount=check_headcount(int(data["headcount"])),
        pay_min=pay_min,
        pay_max=pay_max,
        pay_unit=check_pay_unit(str(data["pay_unit"])),
        requirements=check_text("requirements", str(data["requirements"])),
        content=check_text("content", str(data["content"])),
        location=check_text("location", str(data["location"]), limit=MAX_SHORT * 2),
        validity_days=check_validity(int(data["validity"]), rules),
        contact=check_text("contact", str(data["contact"]), limit=MAX_SHORT * 2),
        shift=str(data.get("shift") or "").strip()[:MAX_SHORT],
        benefits=str(data.get("benefits") or "").strip()[:MAX_TEXT],
    )
    refuse_wording(" \n".join(str(getattr(fields, f)) for f in TEXT_FIELDS), rules)
    return fields


class WordingRefused(InvalidInput):
    """Discriminatory or bait wording; `found` maps each reason code to the words found.

    The edge turns the reason codes into labels (`jobs.reason_<code>`) in the user's language.
    """

    key = "jobs.err_wording"

    def __init__(self, found: dict[str, list[str]]) -> None:
        words = "、".join(w for hits in found.values() for w in hits)
        super().__init__(self.key, reasons=",".join(found), words=words)
        self.found = found


def refuse_wording(text: str, rules: JobRules) -> None:
    """Raise when `text` discriminates or baits, naming the reasons and the words.

    Raises:
        WordingRefused: the offending words, by reason.
    """
    found = offending_words(text, rules)
    if found:
        raise WordingRefused(found)


# Defaults for `[jobs.words]`: nothing beyond the built-in patterns of `bot.domain.wording`;
# a park adds its own phrases (a local place name, a new bait word) per reason.
DEFAULT_BANNED_WORDS: dict[str, tuple[str, ...]] = {reason: () for reason in wording.REASONS}
DEFAULT_ALLOWED_PHRASES: tuple[str, ...] = ()
