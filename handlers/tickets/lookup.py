"""Reading tickets: /mine (cadres), /mytickets (enterprise contacts), /ticket N (either)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.render import tickets as render
from handlers.common import actor_of, guarded, reply, ticket_number, tr_of


@guarded
async def mine_command(update: Update, context: BotContext) -> None:
    """List the open tickets assigned to me."""
    views = await context.services.tickets.lookup.mine(await actor_of(update, context))
    tr = await tr_of(update, context)
    await reply(
        update, context, render.listing(views, tr, context.services.settings.park.tz, "views.mine")
    )


@guarded
async def mytickets_command(update: Update, context: BotContext) -> None:
    """List my enterprise's recent tickets."""
    views = await context.services.tickets.lookup.of_enterprise(await actor_of(update, context))
    tr = await tr_of(update, context)
    await reply(
        update,
        context,
        render.listing(views, tr, context.services.settings.park.tz, "views.mytickets"),
    )


@guarded
async def ticket_command(update: Update, context: BotContext) -> None:
    """Show one ticket with its history, if I may see it."""
    ticket_id = ticket_number(context.args, "usage.ticket")
    actor = await actor_of(update, context)
    view = await context.services.tickets.lookup.view(actor, ticket_id)
    tr = await tr_of(update, context)
    keyboard = None
    if actor.is_staff:
        keyboard = render.work_buttons(view.ticket, tr)
    await reply(
        update,
        context,
        render.card(view, tr, context.services.settings.park.tz, history=True),
        keyboard=keyboard,
        ticket_id=ticket_id,
    )


def register(app: BotApplication, *, group: int) -> None:
    """Register the reading commands."""
    app.add_handler(CommandHandler("mine", mine_command), group=group)
    app.add_handler(CommandHandler("mytickets", mytickets_command), group=group)
    app.add_handler(CommandHandler("ticket", ticket_command), group=group)
