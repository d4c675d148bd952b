"""Plain-text views of the bot's HTML messages (terminal output, transcripts), and days as
people write them."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from bot.i18n import Translator

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain_text(html_text: str) -> str:
    """Drop Telegram HTML tags and unescape entities."""
    return unescape(_TAG.sub("", html_text))


def day_label(day: date, tr: Translator) -> str:
    """`11月30日` as people write a day (plain text: a parameter or a chart label)."""
    return tr.plain("airing.day", month=day.month, day=day.day)
