"""Plain-text views of the bot's HTML messages (terminal output, transcripts)."""

from __future__ import annotations

import re
from html import unescape

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain_text(html_text: str) -> str:
    """Drop Telegram HTML tags and unescape entities."""
    return unescape(_TAG.sub("", html_text))
