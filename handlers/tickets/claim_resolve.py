"""Working a ticket: /claim, /progress, /resolve, /transfer and their buttons.

Buttons that need text (progress, resolve) send a ForceReply prompt; the answer is matched to the
prompt through its row in `prompts` (`bot.services.prompts`), so no conversation state lives in
memory.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.domain.models import TicketView
from bot.errors import InvalidInput
from bot.render import tickets as render
from bot.render.keyboards import tickets as keys
from handlers.common import (
    actor_of,
    answer,
    guarded,
    reply,
    rest_text,
    ticket_button,
    ticket_number,
    tr_of,
)
from handlers.tickets.report import group_message

PROMPT_PROGRESS = "prompt:progress"
PROMPT_RESOLVE = "prompt:resolve"


async def _after_claim(update: Update, context: BotContext, view: TicketView) -> None:
    tr = await tr_of(update, context)
    await reply(
        update,
        context,
        tr("work.claimed", id=view.ticket.id),
        keyboard=render.work_buttons(view.ticket, tr),
        ticket_id=view.ticket.id,
    )


async def _do_progress(update: Update, context: BotContext, ticket_id: int, note: str) -> None:
    actor = await actor_of(update, context)
    await context.services.tickets.work.progress(actor, ticket_id, note)
    tr = await tr_of(update, context)
    await reply(update, context, tr("work.progress_saved", id=ticket_id), ticket_id=ticket_id)


async def _do_resolve(update: Update, context: BotContext, ticket_id: int, note: str) -> None:
    actor = await actor_of(update, context)
    await context.services.tickets.work.resolve(actor, ticket_id, note)
    tr = await tr_of(update, context)
    await reply(update, context, tr("work.resolved", id=ticket_id), ticket_id=ticket_id)


@guarded
async def claim_command(update: Update, context: BotContext) -> None:
    """/claim N: accept a ticket (签收)."""
    ticket_id = ticket_number(context.args, "usage.claim")
    view = await context.services.tickets.work.claim(await actor_of(update, context), ticket_id)
    await _after_claim(update, context, view)


@guarded
async def progress_command(update: Update, context: BotContext) -> None:
    """/progress N TEXT: record progress; the enterprise is told."""
    ticket_id = ticket_number(context.args, "usage.progress")
    note = rest_text(update, 2)
    if not note:
        raise InvalidInput("usage.progress")
    await _do_progress(update, context, ticket_id, note)


@guarded
async def resolve_command(update: Update, context: BotContext) -> None:
    """/resolve N TEXT: mark resolved (办结); the enterprise is asked to rate."""
    ticket_id = ticket_number(context.args, "usage.resolve")
    note = rest_text(update, 2)
    if not note:
        raise InvalidInput("usage.resolve")
    await _do_resolve(update, context, ticket_id, note)


@guarded
async def transfer_command(update: Update, context: BotContext) -> None:
    """/transfer N CADRE: hand the ticket to another cadre (转办)."""
    ticket_id = ticket_number(context.args, "usage.transfer")
    name = rest_text(update, 2)
    if not name:
        raise InvalidInput("usage.transfer")
    await _transfer(update, context, ticket_id, name)


async def _transfer(update: Update, context: BotContext, ticket_id: int, target: str | int) -> None:
    actor = await actor_of(update, context)
    moved = await context.services.tickets.work.transfer(actor, ticket_id, target)
    tr = await tr_of(update, context)
    receiver = moved.view.assignee
    await reply(
        update,
        context,
        tr("work.transferred", id=ticket_id, name=render.cadre_label(receiver, tr)),
        ticket_id=ticket_id,
    )


@guarded
async def work_button(update: Update, context: BotContext) -> None:
    """Handle claim / progress / resolve / transfer / view buttons, re-checking everything."""
    query = update.callback_query
    assert query is not None
    press = ticket_button(update)
    ticket_id = press.ticket_id
    services = context.services
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    if isinstance(press, keys.Claim):
        view = await services.tickets.work.claim(actor, ticket_id)
        await answer(update, context, tr("work.claimed_short", id=ticket_id))
        await _after_claim(update, context, view)
    elif isinstance(press, keys.Progress | keys.Resolve):
        # Check permission now, so nobody is prompted for text they may not submit.
        await services.tickets.lookup.workable(actor, ticket_id)
        await answer(update, context)
        key, purpose = (
            ("work.prompt_progress", PROMPT_PROGRESS)
            if isinstance(press, keys.Progress)
            else ("work.prompt_resolve", PROMPT_RESOLVE)
        )
        await reply(
            update,
            context,
            tr(key, id=ticket_id),
            force_reply=tr("work.prompt_placeholder"),
            purpose=purpose,
            ticket_id=ticket_id,
            quote=False,
        )
    elif isinstance(press, keys.TransferMenu):
        view, candidates = await services.tickets.lookup.transfer_choices(actor, ticket_id)
        await answer(update, context)
        await reply(
            update,
            context,
            tr("work.pick_cadre", id=ticket_id),
            keyboard=render.transfer_buttons(view.ticket, candidates),
            ticket_id=ticket_id,
            quote=False,
        )
    elif isinstance(press, keys.TransferTo):
        await _transfer(update, context, ticket_id, press.cadre_id)
        await answer(update, context)
    elif isinstance(press, keys.View):
        view = await services.tickets.lookup.view(actor, ticket_id)
        await answer(update, context)
        await reply(
            update,
            context,
            render.card(view, tr, services.settings.park.tz, history=True),
            quote=False,
        )
    else:
        raise InvalidInput("error.stale_button")


@guarded
async def prompt_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's text prompts: submit it as progress or resolution."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    prompt = await context.services.prompts.answered(
        message.chat.id, message.reply_to_message.message_id
    )
    if prompt is None or prompt.ticket_id is None:
        if message.chat.type != "private":
            await group_message(update, context)  # a reply to the bot may still be a report
        return
    note = message.text or ""
    if prompt.purpose == PROMPT_PROGRESS:
        await _do_progress(update, context, prompt.ticket_id, note)
    elif prompt.purpose == PROMPT_RESOLVE:
        await _do_resolve(update, context, prompt.ticket_id, note)


class _ReplyToBot(filters.MessageFilter):
    """Messages that reply to one of the bot's own messages."""

    def filter(self, message: Message) -> bool:
        original = message.reply_to_message
        return bool(
            original is not None
            and original.from_user is not None
            and original.from_user.id == message.get_bot().id
        )


REPLY_TO_BOT = _ReplyToBot(name="reply_to_bot")

WORK_BUTTONS = keys.pattern(
    keys.Claim, keys.Progress, keys.Resolve, keys.TransferMenu, keys.TransferTo, keys.View
)


def register(app: BotApplication, *, group: int) -> None:
    """Register the cadre commands, their buttons and prompt replies."""
    app.add_handler(CommandHandler("claim", claim_command), group=group)
    app.add_handler(CommandHandler("progress", progress_command), group=group)
    app.add_handler(CommandHandler("resolve", resolve_command), group=group)
    app.add_handler(CommandHandler("transfer", transfer_command), group=group)
    app.add_handler(CallbackQueryHandler(work_button, pattern=WORK_BUTTONS), group=group)
    # Before report detection: a reply to a prompt is an answer, not a new problem.
    app.add_handler(
        MessageHandler(REPLY_TO_BOT & filters.TEXT & ~filters.COMMAND, prompt_reply),
        group=group,
    )
