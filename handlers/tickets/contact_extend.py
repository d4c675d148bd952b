"""The response and extensions: /contact (已联系), /extend and the leader's approve/refuse buttons.

Every press is re-checked in the services: only the assignee (or their leader, an admin) records
the contact, only the assignee asks to extend, only their leader decides.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.domain import numbers
from bot.domain.models import TicketView
from bot.errors import InvalidInput
from bot.render import tickets as render
from bot.render.keyboards import tickets as keys
from handlers.common import (
    actor_of,
    answer,
    edit_buttons,
    guarded,
    number_arg,
    reply,
    rest_text,
    ticket_button,
    ticket_number,
    tr_of,
)


async def _contact(update: Update, context: BotContext, ticket_id: int) -> TicketView:
    actor = await actor_of(update, context)
    view = await context.services.tickets.work.contact(actor, ticket_id)
    tr = await tr_of(update, context)
    await reply(
        update,
        context,
        tr("clock.contacted", id=ticket_id),
        keyboard=render.work_buttons(view.ticket, tr),
        ticket_id=ticket_id,
        quote=update.callback_query is None,
    )
    return view


@guarded
async def contact_command(update: Update, context: BotContext) -> None:
    """/contact N: record that the enterprise was contacted (已联系)."""
    await _contact(update, context, ticket_number(context.args, "usage.contact"))


@guarded
async def extend_command(update: Update, context: BotContext) -> None:
    """/extend N DAYS REASON: ask the leader to move the deadline by DAYS working days."""
    ticket_id = ticket_number(context.args, "usage.extend")
    days = number_arg(context.args, 1, numbers.EXTENSION_DAYS, "usage.extend")
    reason = rest_text(update, 3)
    if not reason:
        raise InvalidInput("usage.extend")
    services = context.services
    actor = await actor_of(update, context)
    asked = await services.extensions.request(actor, ticket_id, days, reason)
    tr = await tr_of(update, context)
    key = "clock.extend_sent" if asked.leader_reachable else "clock.extend_sent_admins"
    await reply(update, context, tr(key, id=ticket_id, days=days), ticket_id=ticket_id)


@guarded
async def deadline_button(update: Update, context: BotContext) -> None:
    """Handle the contact button and the leader's approve / refuse buttons."""
    query = update.callback_query
    assert query is not None
    press = ticket_button(update)
    ticket_id = press.ticket_id
    tr = await tr_of(update, context)
    if isinstance(press, keys.Contact):
        await _contact(update, context, ticket_id)
        await answer(update, context, tr("clock.contacted_short", id=ticket_id))
        return
    if not isinstance(press, keys.ApproveExtension | keys.RefuseExtension):
        raise InvalidInput("error.stale_button")
    services = context.services
    actor = await actor_of(update, context)
    decided = await services.extensions.decide(
        actor, ticket_id, press.request_id, approve=isinstance(press, keys.ApproveExtension)
    )
    ticket = decided.view.ticket
    if decided.approved:
        text = tr(
            "clock.extend_approved",
            id=ticket_id,
            deadline=render.when(ticket.deadline_at, services.settings.park.tz, tr),
        )
    else:
        text = tr("clock.extend_refused", id=ticket_id)
    await answer(update, context, text)
    await reply(update, context, text, ticket_id=ticket_id, quote=False)
    # The decision is made: take the buttons away so nobody presses them again.
    await edit_buttons(update, context, None)


def register(app: BotApplication, *, group: int) -> None:
    """Register /contact, /extend and their buttons."""
    app.add_handler(CommandHandler("contact", contact_command), group=group)
    app.add_handler(CommandHandler("extend", extend_command), group=group)
    pattern = keys.pattern(keys.Contact, keys.ApproveExtension, keys.RefuseExtension)
    app.add_handler(CallbackQueryHandler(deadline_button, pattern=pattern), group=group)
