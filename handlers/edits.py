"""Edited messages never act: a command or report runs once, when it is sent.

PTB's CommandHandler (and any MessageHandler without an EDITED filter) also matches
`edited_message`, so editing a message into `/report …`, or editing an old `/progress`,
`/transfer` or `/truck`, would run it again. This guard runs before every other handler group
and ends the update there.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)


async def ignore_edit(update: Update, context: BotContext) -> None:
    """Stop an edited message (or channel post) from reaching any handler."""
    log.debug("update %s: an edit, not acted on", update.update_id)
    raise ApplicationHandlerStop


def register(app: BotApplication, *, group: int) -> None:
    """Register the edit guard in a group that runs before all others."""
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, ignore_edit), group=group)
