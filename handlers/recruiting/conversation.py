"""/job: the guided job-post conversation, its buttons, /cancel.

No conversation state lives in memory: every answer goes to the conversation engine
(`Services.job_conversations`), which stores it, and the next question follows from what is
still missing, so a restart mid-conversation just continues.
Typed answers are caught in an earlier handler group that lets the update through when the user
has no open job draft, so other features' conversations and the fallbacks still see it.
"""

from __future__ import annotations

import functools

from markupsafe import Markup
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
)

from bot.context import BotApplication, BotContext
from bot.domain.outcomes.recruiting import Confirmed
from bot.domain.recruiting import WordingRefused
from bot.errors import DomainError, InvalidInput
from bot.i18n import Translator
from bot.render import recruiting as render
from bot.render.keyboards import recruiting as keys
from bot.services.recruiting.dialogue import DraftState
from handlers.common import Handler, actor_of, answer, refuse, reply, rest_text, tr_of
from handlers.conversation import register_catchers


def localize(error: DomainError, tr: Translator) -> DomainError:
    """Turn codes in a job error's params (field, reason) into words (a status names its own)."""
    params = dict(error.params)
    if isinstance(error, WordingRefused):
        params["reasons"] = Markup("、").join(tr(f"jobs.reason_{r}") for r in error.found)
        params["words"] = str(params["words"])
    if "field" in params:
        params["field"] = tr(f"jobs.field_{params['field']}")
    return DomainError(error.key, **params)


def job_guarded(func: Handler) -> Handler:
    """Like `guarded`, with job error params put into words first."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> None:
        try:
            await func(update, context)
        except DomainError as error:
            await refuse(update, context, localize(error, await tr_of(update, context)))

    return wrapper


async def ask(update: Update, context: BotContext, turn: DraftState | Confirmed) -> None:
    """Send the question of the current step (or the preview with its buttons), or say what
    the confirmed conversation published or edited."""
    tr = await tr_of(update, context)
    if isinstance(turn, Confirmed):
        post_id = turn.view.post.id
        if turn.edited:
            await reply(update, context, tr("jobs.edited", id=post_id))
        else:
            count = len(turn.chats)
            await reply(update, context, tr("jobs.published", id=post_id, count=count))
        return
    rules = context.services.recruiting.rules
    text, keyboard = render.question(turn, rules, tr)
    await reply(update, context, text, keyboard=keyboard, purpose="job_question", quote=False)


@job_guarded
async def job_command(update: Update, context: BotContext) -> None:
    """/job [FORM]: start a job post, guided or from a one-line form (private chat)."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type != "private":
        raise InvalidInput("jobs.err_private")
    form = rest_text(update, 1)
    actor = await actor_of(update, context)
    state = await context.services.job_conversations.start(actor, "job", form=form)
    await ask(update, context, state)


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel with nothing open anywhere."""
    tr = await tr_of(update, context)
    await reply(update, context, tr("jobs.nothing_to_cancel"))


@job_guarded
async def draft_button(update: Update, context: BotContext) -> None:
    """Handle the conversation's buttons; the service re-checks the step of every press."""
    query = update.callback_query
    assert query is not None
    press = keys.unpack(query.data or "")
    actor = await actor_of(update, context)
    drafts = context.services.job_conversations
    tr = await tr_of(update, context)
    turn: DraftState | Confirmed
    if isinstance(press, keys.Cancel):
        await drafts.cancel(actor)
        await answer(update, context)
        await reply(update, context, tr("jobs.cancelled"))
        return
    if isinstance(press, keys.Change):
        state = await drafts.current(actor)
        if state is None or state.step != "confirm":
            raise InvalidInput("jobs.err_stale_button")
        await answer(update, context)
        await reply(update, context, tr("jobs.pick_field"), keyboard=render.field_picker(tr))
        return
    if isinstance(press, keys.Confirm):
        turn = await drafts.confirm(actor)
    elif isinstance(press, keys.Reopen):
        turn = await drafts.reopen(actor, press.name)
    elif isinstance(press, keys.STEP_ANSWERS):
        turn = await drafts.press(actor, press.STEP, press.value)
    else:
        raise InvalidInput("jobs.err_stale_button")
    await answer(update, context)
    await ask(update, context, turn)


DRAFT_BUTTONS = keys.pattern(*keys.DRAFT_KINDS)


def register_drafts(app: BotApplication, *, group: int) -> None:
    """Register the typed-answer catcher and /cancel in their own earlier group."""
    register_catchers(
        app,
        group=group,
        conversations=lambda services: services.job_conversations,
        then=ask,
        cancelled="jobs.cancelled",
        guard=job_guarded,
    )


def register(app: BotApplication, *, group: int) -> None:
    """Register /job and the conversation's buttons."""
    app.add_handler(CommandHandler("job", job_command), group=group)
    app.add_handler(CallbackQueryHandler(draft_button, pattern=DRAFT_BUTTONS), group=group)


def register_last(app: BotApplication, *, group: int) -> None:
    """Register the last-resort /cancel answer (after every feature's own /cancel)."""
    app.add_handler(CommandHandler("cancel", nothing_to_cancel), group=group)
