"""/help's buttons: `h:more`, the rest of the presser's commands (worked out again on press)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from bot.render.keyboards.codec import Codec, Press

PREFIX = "h"


@dataclass(frozen=True)
class HelpPress(Press):
    PREFIX: ClassVar[str] = PREFIX


@dataclass(frozen=True)
class More(HelpPress):
    VERB: ClassVar[str] = "more"


CODEC = Codec(PREFIX, (More,), token=re.compile(r"(?!)"))
PATTERN = CODEC.pattern()


def unpack(data: str) -> HelpPress | None:
    """The typed press of a help button, or None if malformed."""
    return CODEC.unpack(data)
