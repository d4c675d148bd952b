"""Last in line: unknown commands, stray private messages and unknown buttons get a pointer
to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import commands
from bot.commands import Audience
from bot.context import BotApplication, BotContext
from handlers.common import actor_of, answer, guarded, reply, tr_of


async def unknown_command(update: Update, context: BotContext) -> None:
    """Tell the user the command is unknown and where to look."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].split("@")[0][:32]
    tr = await tr_of(update, context)
    await reply(update, context, tr("fallback.unknown_command", command=command))


async def private_text(update: Update, context: BotContext) -> None:
    """A private message that is not a command: how to get bound, or where /help is."""
    tr = await tr_of(update, context)
    actor = await actor_of(update, context)
    if commands.primary(actor) is Audience.ANYONE:
        # A stranger gets no menu of someone else's: only how to become somebody here.
        park = context.services.settings.park.name
        await reply(update, context, tr("start.welcome_stranger", park=park))
        return
    await reply(update, context, tr("fallback.private_text"))


@guarded
async def unknown_button(update: Update, context: BotContext) -> None:
    """Answer a press no handler routes (an older version's button, or forged): outdated."""
    # Every press must be answered, or the user's client keeps spinning on the button.
    tr = await tr_of(update, context)
    await answer(update, context, tr("fallback.unknown_button"), alert=True)


def register(app: BotApplication, *, group: int) -> None:
    """Register the fallbacks; they must be the last handlers of their group."""
    private = filters.ChatType.PRIVATE
    app.add_handler(
        MessageHandler(private & filters.COMMAND & ~filters.UpdateType.EDITED, unknown_command),
        group=group,
    )
    app.add_handler(MessageHandler(private & ~filters.UpdateType.EDITED, private_text), group=group)


def register_buttons(app: BotApplication, *, group: int) -> None:
    """Register the button fallback: last of the group that holds every button handler.

    PTB runs the first match per group, so this pattern-less handler sees exactly the presses
    that no feature's pattern routes.
    """
    app.add_handler(CallbackQueryHandler(unknown_button), group=group)
