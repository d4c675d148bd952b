"""The weekly airing's outcomes: a week's post to the airing chats, or a private preview. The
post is rendered before the outcome is published (outside the transaction); the outcome carries
it, the chats it goes to and, when the chart lacks a CJK font the first time, the duty desk."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.outcomes import Desk, Outcome, Recipient
from bot.domain.weeks import Week


@dataclass(frozen=True)
class AiringPost:
    """A week's post as rendered: the text, and the chart with its caption."""

    text: str
    png: bytes
    caption: str
    filename: str
    font_missing: bool  # the chart was drawn without a CJK font


@dataclass(frozen=True)
class AiringPosted(Outcome):
    """A week recorded as posted: its post goes to every airing chat."""

    week: Week
    chats: tuple[Recipient, ...]
    post: AiringPost
    warn_font: bool  # first post without a CJK font: the admins are told, once
    desk: Desk = ()  # who is told, when `warn_font`


@dataclass(frozen=True)
class AiringPreviewed(Outcome):
    """A private preview of a week's post (nothing recorded)."""

    chat: Recipient
    post: AiringPost
    warn_font: bool
    desk: Desk = ()
