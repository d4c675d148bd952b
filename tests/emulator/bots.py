"""The emulator tests' bot: its token and name, and a real PTB Bot talking to an emulator."""

from __future__ import annotations

import telegram

from sandbox import TelegramSandbox

TOKEN = "7000000001:AAH-sandbox-test-token"
BOT_USERNAME = "liaison_bot"


def make_bot(sb: TelegramSandbox, token: str = TOKEN) -> telegram.Bot:
    """A real python-telegram-bot Bot talking to the emulator."""
    return telegram.Bot(token, base_url=sb.api_base_url, base_file_url=sb.base_file_url)
