"""督办 and the lists: /supervise N (and its button), /overdue, /blockers (堵点清单)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.errors import InvalidInput
from bot.render import deadlines as render_dl
from bot.render.keyboards import tickets as keys
from handlers.common import actor_of, answer, guarded, reply, ticket_button, ticket_number, tr_of


async def _supervise(update: Update, context: BotContext, ticket_id: int) -> None:
    services = context.services
    actor = await actor_of(update, context)
    await services.escalation.supervise(actor, ticket_id)
    tr = await tr_of(update, context)
    await reply(
        update,
        context,
        tr("clock.supervised", id=ticket_id),
        ticket_id=ticket_id,
        quote=update.callback_query is None,
    )


@guarded
async def supervise_command(update: Update, context: BotContext) -> None:
    """/supervise N: flag a ticket for supervision (督办, level 1)."""
    await _supervise(update, context, ticket_number(context.args, "usage.supervise"))


@guarded
async def supervise_button(update: Update, context: BotContext) -> None:
    """The 督办 button under a chase: flag the ticket, re-checking the presser's role."""
    query = update.callback_query
    assert query is not None
    press = ticket_button(update)
    if not isinstance(press, keys.Supervise):
        raise InvalidInput("error.stale_button")
    await _supervise(update, context, press.ticket_id)
    await answer(update, context)


@guarded
async def overdue_command(update: Update, context: BotContext) -> None:
    """List the overdue tickets I oversee (mine; my cadres' for leaders; all for admins)."""
    services = context.services
    items = await services.escalation.overdue(await actor_of(update, context))
    tr = await tr_of(update, context)
    text = render_dl.listing(items, tr, services.settings.park.tz, "clock.overdue_title")
    await reply(update, context, text)


@guarded
async def blockers_command(update: Update, context: BotContext) -> None:
    """List supervised tickets, the blocker list (堵点清单) first."""
    services = context.services
    items = await services.escalation.blockers(await actor_of(update, context))
    tr = await tr_of(update, context)
    text = render_dl.listing(items, tr, services.settings.park.tz, "clock.blockers_title")
    await reply(update, context, text)


def register(app: BotApplication, *, group: int) -> None:
    """Register /supervise, /overdue, /blockers and the 督办 button."""
    app.add_handler(CommandHandler("supervise", supervise_command), group=group)
    app.add_handler(CommandHandler("overdue", overdue_command), group=group)
    app.add_handler(CommandHandler("blockers", blockers_command), group=group)
    app.add_handler(
        CallbackQueryHandler(supervise_button, pattern=keys.pattern(keys.Supervise)), group=group
    )
