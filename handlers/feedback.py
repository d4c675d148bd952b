"""The enterprise's side of a ticket: rating buttons, and correcting category or kind."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotApplication, BotContext
from bot.errors import InvalidInput
from bot.render import keyboards as cb
from bot.render import tickets as render
from handlers.common import actor_of, answer, guarded, ticket_button, tr_of


@guarded
async def feedback_button(update: Update, context: BotContext) -> None:
    """Rate (two steps: solved, then satisfied) or reclassify; every press is re-checked."""
    query = update.callback_query
    assert query is not None and query.message is not None
    verb, ticket_id, args = ticket_button(update)
    services = context.services
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if verb == cb.RATE_SOLVED and len(args) == 1:
        view = await services.tickets.begin_rating(actor, ticket_id, args[0])
        await answer(update, context)
        await services.outbox.edit_text(
            chat_id,
            message_id,
            tr("feedback.ask_satisfaction", id=ticket_id, solved=tr(f"rating.{args[0]}")),
            keyboard=render.satisfaction_buttons(view.ticket, args[0], tr),
            ticket_id=ticket_id,
        )
    elif verb == cb.RATE and len(args) == 2:
        rated = await services.tickets.rate(actor, ticket_id, args[0], args[1])
        await answer(update, context, tr("feedback.thanks"))
        key = "feedback.reopened" if rated.reopened else "feedback.closed"
        await services.outbox.edit_text(
            chat_id,
            message_id,
            tr(
                key,
                id=ticket_id,
                solved=tr(f"rating.{args[0]}"),
                satisfaction=tr(f"rating.{args[1]}"),
                deadline=render.when(rated.view.ticket.deadline_at, services.settings.park.tz, tr),
            ),
            ticket_id=ticket_id,
        )
    elif verb in (cb.CATEGORY_MENU, cb.KIND_MENU):
        view = await services.tickets.view(actor, ticket_id)
        await answer(update, context)
        keyboard = (
            render.category_buttons(view.ticket, tr)
            if verb == cb.CATEGORY_MENU
            else render.kind_buttons(view.ticket, tr)
        )
        await services.outbox.edit_keyboard(chat_id, message_id, keyboard, ticket_id=ticket_id)
    elif verb in (cb.SET_CATEGORY, cb.SET_KIND) and len(args) == 1:
        change = {"category": args[0]} if verb == cb.SET_CATEGORY else {"kind": args[0]}
        view = await services.tickets.reclassify(actor, ticket_id, **change)
        await answer(update, context, tr("feedback.reclassified"))
        await services.outbox.edit_text(
            chat_id,
            message_id,
            render.ack(
                view,
                tr,
                services.settings.park.tz,
                phone=services.settings.tickets.show_cadre_phone,
            ),
            keyboard=render.reporter_buttons(view.ticket, tr),
            ticket_id=ticket_id,
        )
    else:
        raise InvalidInput("error.stale_button")


FEEDBACK_VERBS = "^t:({}):".format(
    "|".join(
        (cb.RATE_SOLVED, cb.RATE, cb.CATEGORY_MENU, cb.KIND_MENU, cb.SET_CATEGORY, cb.SET_KIND)
    )
)


def register(app: BotApplication, *, group: int) -> None:
    """Register the enterprise-side buttons."""
    app.add_handler(CallbackQueryHandler(feedback_button, pattern=FEEDBACK_VERBS), group=group)
