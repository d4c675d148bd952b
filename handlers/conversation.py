"""The transport every guided conversation shares: a typed answer and /cancel in private.

Each feature's conversation (`handlers/recruiting/conversation.py`, `handlers/logistics/
conversation.py`, and the dialogues to come) registers these two in an earlier handler group of
its own. Each lets the update through when the user has no open conversation of that feature, so
other features' conversations and the fallbacks still see it (PTB runs only the first matching
handler per group); the engine (`bot.services.conversation`) holds the state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext, Services
from bot.services.conversation import Conversations
from handlers.common import Handler, actor_of, reply, tr_of

# Which feature's conversations, and what follows an answer (the next question or the result).
Pick = Callable[[Services], Conversations[Any, Any]]
Next = Callable[[Update, BotContext, Any], Awaitable[None]]


def register_catchers(
    app: BotApplication,
    *,
    group: int,
    conversations: Pick,
    then: Next,
    cancelled: str,
    guard: Callable[[Handler], Handler],
) -> None:
    """Register the typed-answer catcher and /cancel of one feature's conversation in `group`."""

    @guard
    async def answer_text(update: Update, context: BotContext) -> None:
        message = update.effective_message
        assert message is not None
        actor = await actor_of(update, context)
        turn = await conversations(context.services).answer(actor, message.text or "")
        await then(update, context, turn)

    async def typed_answer(update: Update, context: BotContext) -> None:
        """A typed answer in private: apply it to the open conversation, if there is one."""
        actor = await actor_of(update, context)
        if await conversations(context.services).current(actor) is None:
            return  # not ours: later groups (other conversations, fallbacks) handle it
        await answer_text(update, context)
        raise ApplicationHandlerStop

    async def cancel(update: Update, context: BotContext) -> None:
        """/cancel: drop the open conversation, if there is one."""
        actor = await actor_of(update, context)
        if not await conversations(context.services).cancel(actor):
            return  # nothing of ours: another feature's /cancel, or the last-resort answer
        tr = await tr_of(update, context)
        await reply(update, context, tr(cancelled))
        raise ApplicationHandlerStop

    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("cancel", cancel, filters=private), group=group)
    app.add_handler(
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED, typed_answer
        ),
        group=group,
    )
