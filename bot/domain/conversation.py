"""A guided conversation in progress: which dialogue, what it fills in, where it stands.

Every multi-step dialogue (/job, /truck, /cargo) is one row of `conversations`, kept durably:
nothing lives in memory, so a restart mid-way continues from the row. A user has at most one
open conversation per topic (a new /truck replaces an unfinished /cargo; a /job draft stays
beside it). The engine (`bot.services.conversation`) stores and checks; each dialogue says
what its steps ask and how an answer is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Conversation:
    """One open conversation: the answers so far and the question it is at."""

    user_id: int
    topic: str  # the dialogue: "job", "logistics"; one open per user and topic
    kind: str  # what it fills in: job | truck | cargo
    step: str  # the question it is at
    data: dict[str, Any] = field(default_factory=dict)

    def at(self, step: str, data: dict[str, Any] | None = None) -> Conversation:
        """The same conversation moved to `step` (with `data`, if given)."""
        return Conversation(
            self.user_id, self.topic, self.kind, step, self.data if data is None else data
        )
