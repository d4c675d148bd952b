"""Recruitment buttons: `j:<verb>[:<part>...]`.

The /job conversation: `j:ok` publish (or save), `j:no` cancel, `j:chg` pick a field to change,
`j:f:<field>` reopen that field, and one verb per step answered by a button (`j:e:<enterprise>`,
`j:u:<unit>`, `j:v:<days>`, `j:s:<shift index or ->`, `j:b:-`). The /jobs pages:
`j:pg:<page>[:<keyword>]` (the keyword is free text, cut to fit). /myjobs:
`j:m:<ed|fill|wd>:<post>`.

The draft service checks that an answer is for the current step and is one it offered; the post
service checks the owner of every post a press names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from bot.render.keyboards.codec import SEP, Codec, Press, number

PREFIX = "j"
TOKEN = re.compile(r"[a-z0-9_\-]{1,20}")  # a field name, a pay unit, a shift index or `-`


@dataclass(frozen=True)
class JobPress(Press):
    PREFIX: ClassVar[str] = PREFIX


@dataclass(frozen=True)
class Confirm(JobPress):
    """Publish the previewed post (or save the edit)."""

    VERB: ClassVar[str] = "ok"


@dataclass(frozen=True)
class Cancel(JobPress):
    VERB: ClassVar[str] = "no"


@dataclass(frozen=True)
class Change(JobPress):
    """From the preview: show the fields that can be changed."""

    VERB: ClassVar[str] = "chg"


@dataclass(frozen=True)
class Reopen(JobPress):
    """Ask field `name` again."""

    VERB: ClassVar[str] = "f"
    name: str


# One kind per step answered by a button; STEP names the draft service's step.
@dataclass(frozen=True)
class ChooseEmployer(JobPress):
    VERB: ClassVar[str] = "e"
    STEP: ClassVar[str] = "employer"
    value: int  # the enterprise id


@dataclass(frozen=True)
class ChoosePayUnit(JobPress):
    VERB: ClassVar[str] = "u"
    STEP: ClassVar[str] = "pay_unit"
    value: str


@dataclass(frozen=True)
class ChooseValidity(JobPress):
    VERB: ClassVar[str] = "v"
    STEP: ClassVar[str] = "validity"
    value: int  # days


@dataclass(frozen=True)
class ChooseShift(JobPress):
    VERB: ClassVar[str] = "s"
    STEP: ClassVar[str] = "shift"
    value: str  # an index into the configured shifts, or the skip mark


@dataclass(frozen=True)
class ChooseBenefits(JobPress):
    VERB: ClassVar[str] = "b"
    STEP: ClassVar[str] = "benefits"
    value: str  # only the skip mark is offered


StepAnswer = ChooseEmployer | ChoosePayUnit | ChooseValidity | ChooseShift | ChooseBenefits
STEP_ANSWERS: tuple[type[StepAnswer], ...] = (
    ChooseEmployer,
    ChoosePayUnit,
    ChooseValidity,
    ChooseShift,
    ChooseBenefits,
)


@dataclass(frozen=True)
class TurnPage(JobPress):
    """Turn /jobs to `page`; the keyword (free text, maybe empty) is what was searched for."""

    VERB: ClassVar[str] = "pg"
    page: int
    keyword: str = ""

    @classmethod
    def fitting(cls, page: int, keyword: str) -> TurnPage:
        """The page button with the keyword cut until it fits (never the page number)."""
        while keyword and len(SEP.join((PREFIX, cls.VERB, str(page), keyword)).encode()) > 64:
            keyword = keyword[:-1]
        return cls(page, keyword)

    def parts(self) -> tuple[object, ...]:
        return (self.page, self.keyword) if self.keyword else (self.page,)

    @classmethod
    def unpack_parts(cls, parts: list[str]) -> TurnPage | None:
        page = number(parts[0]) if parts else None
        keyword = SEP.join(parts[1:])
        if page is None or (len(parts) > 1 and not keyword):
            return None
        return cls(page, keyword)


class PostAction(Enum):
    EDIT = "ed"
    FILL = "fill"  # 已招满
    WITHDRAW = "wd"


@dataclass(frozen=True)
class ManagePost(JobPress):
    """An owner's button under /myjobs."""

    VERB: ClassVar[str] = "m"
    action: PostAction
    post_id: int


DRAFT_KINDS: tuple[type[JobPress], ...] = (Confirm, Cancel, Change, Reopen, *STEP_ANSWERS)
KINDS: tuple[type[JobPress], ...] = (*DRAFT_KINDS, TurnPage, ManagePost)
CODEC = Codec(PREFIX, KINDS, token=TOKEN)


def unpack(data: str) -> JobPress | None:
    """The typed press of a recruitment button, or None if the data is not one or is malformed."""
    return CODEC.unpack(data)


def pattern(*kinds: type[JobPress]) -> str:
    """The pattern routing these kinds of recruitment button to one handler."""
    return CODEC.pattern(*kinds)
