"""Baseline for the benchmark: a minimal python-telegram-bot echo bot, no database.

`python bench/echo_bot.py TOKEN BASE_URL` replies to every text message, as a reply, with stock
`run_polling` (which handles SIGTERM itself).
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer as a reply; the text carries the same marker as the real bot's acknowledgement."""
    assert update.message is not None
    await update.message.reply_text(f"已登记为工单: {update.message.text}", do_quote=True)


def main() -> None:
    token, base_url = sys.argv[1], sys.argv[2]
    app = Application.builder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=1)


if __name__ == "__main__":
    main()
