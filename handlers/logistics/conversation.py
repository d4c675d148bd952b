"""The guided /truck and /cargo conversation: questions with buttons, typed answers, /cancel.

The state is the conversation's row (`Services.logistics_conversations`, the conversation engine),
never memory, so a restart mid-conversation continues.
Typed answers and /cancel are caught in an earlier handler group of their own that lets the
update through when the user has no logistics draft (PTB runs only the first matching handler per
group, and the job-post conversation catches typed text the same way in its own group).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
)

from bot.context import BotApplication, BotContext
from bot.domain.logistics import Draft
from bot.errors import InvalidInput
from bot.render import logistics as render
from bot.render import logistics_chat as chat_render
from bot.render.keyboards import logistics as keys
from bot.services.logistics.service import PostedCargo, PostedTruck
from handlers.common import actor_of, answer, guarded, reply, tr_of
from handlers.conversation import register_catchers


async def ask(update: Update, context: BotContext, draft: Draft) -> None:
    """Send the question of the draft's current step with its buttons."""
    tr = await tr_of(update, context)
    text, keyboard = chat_render.prompt(draft, tr)
    await reply(update, context, text, keyboard=keyboard, purpose="logistics_question", quote=False)


async def start(update: Update, context: BotContext, kind: str) -> None:
    """Begin the guided conversation of `kind` (truck or cargo)."""
    actor = await actor_of(update, context)
    draft = await context.services.logistics_conversations.start(actor, kind)
    await ask(update, context, draft)


async def announce(update: Update, context: BotContext, posted: PostedTruck | PostedCargo) -> None:
    """Confirm a new post to its owner (the groups and the matches were told by the service)."""
    tr = await tr_of(update, context)
    count = len(posted.proposals)
    found = tr("logistics.found_some", count=count) if count else tr("logistics.found_none")
    if isinstance(posted, PostedTruck):
        line = render.truck_line(posted.offer, tr)
        await reply(update, context, tr("logistics.posted_truck", line=line, found=found))
    else:
        line = render.cargo_line(posted.request, tr)
        await reply(update, context, tr("logistics.posted_cargo", line=line, found=found))


async def _progress(
    update: Update, context: BotContext, progress: Draft | PostedTruck | PostedCargo
) -> None:
    if isinstance(progress, Draft):
        await ask(update, context, progress)
        return
    await announce(update, context, progress)


@guarded
async def step_button(update: Update, context: BotContext) -> None:
    """Apply a choice, 跳过 or 取消 pressed on a question; the service checks the step."""
    query = update.callback_query
    assert query is not None
    press = keys.unpack(query.data or "")
    actor = await actor_of(update, context)
    drafts = context.services.logistics_conversations
    if isinstance(press, keys.Cancel):
        await answer(update, context)
        if await drafts.cancel(actor):
            await reply(update, context, (await tr_of(update, context))("logistics.cancelled"))
        return
    if not isinstance(press, keys.Step):
        raise InvalidInput("logistics.stale_step")
    progress = await drafts.press(actor, press.step, press.value)
    await answer(update, context)
    await _progress(update, context, progress)


def register(app: BotApplication, *, group: int) -> None:
    """Register the conversation's buttons."""
    app.add_handler(
        CallbackQueryHandler(step_button, pattern=keys.pattern(keys.Step, keys.Cancel)), group=group
    )


def register_drafts(app: BotApplication, *, group: int) -> None:
    """Register the typed-answer catcher and /cancel in their own earlier group."""
    register_catchers(
        app,
        group=group,
        conversations=lambda services: services.logistics_conversations,
        then=_progress,
        cancelled="logistics.cancelled",
        guard=guarded,
    )
