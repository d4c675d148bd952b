"""The enterprise's side of a ticket: rating buttons, and correcting category or kind."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotApplication, BotContext
from bot.domain.models import Actor
from bot.errors import InvalidInput
from bot.i18n import Translator
from bot.render import tickets as render
from bot.render.keyboards import tickets as keys
from handlers.common import actor_of, answer, edit, edit_buttons, guarded, ticket_button, tr_of


@dataclass(frozen=True)
class _Press:
    """A press on the enterprise's ticket message: who pressed, in which language, on what."""

    actor: Actor
    tr: Translator
    ticket_id: int


@guarded
async def feedback_button(update: Update, context: BotContext) -> None:
    """Rate (two steps: solved, then satisfied) or reclassify; every press is re-checked."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = ticket_button(update)
    press = _Press(
        await actor_of(update, context),
        await tr_of(update, context),
        pressed.ticket_id,
    )
    if isinstance(pressed, keys.RateSolved):
        await _ask_satisfaction(update, context, press, pressed.solved)
    elif isinstance(pressed, keys.Rate):
        await _rate(update, context, press, pressed.solved, pressed.satisfaction)
    elif isinstance(pressed, keys.CategoryMenu | keys.KindMenu):
        await _show_menu(update, context, press, pressed)
    elif isinstance(pressed, keys.SetCategory | keys.SetKind):
        await _reclassify(update, context, press, pressed)
    else:
        raise InvalidInput("error.stale_button")


async def _ask_satisfaction(
    update: Update, context: BotContext, press: _Press, solved: str
) -> None:
    """First rating step: record whether it was solved, then ask how satisfied."""
    services, tr, ticket_id = context.services, press.tr, press.ticket_id
    view = await services.tickets.ratings.begin_rating(press.actor, ticket_id, solved)
    await answer(update, context)
    await edit(
        update,
        context,
        tr("feedback.ask_satisfaction", id=ticket_id, solved=tr(f"rating.{solved}")),
        keyboard=render.satisfaction_buttons(view.ticket, solved, tr),
        ticket_id=ticket_id,
    )


async def _rate(
    update: Update, context: BotContext, press: _Press, solved: str, satisfaction: str
) -> None:
    """Second rating step: close the ticket, or reopen it when it was not solved."""
    services, tr, ticket_id = context.services, press.tr, press.ticket_id
    rated = await services.tickets.ratings.rate(press.actor, ticket_id, solved, satisfaction)
    await answer(update, context, tr("feedback.thanks"))
    key = "feedback.reopened" if rated.reopened else "feedback.closed"
    await edit(
        update,
        context,
        tr(
            key,
            id=ticket_id,
            solved=tr(f"rating.{solved}"),
            satisfaction=tr(f"rating.{satisfaction}"),
            deadline=render.when(rated.view.ticket.deadline_at, services.settings.park.tz, tr),
        ),
        ticket_id=ticket_id,
    )


async def _show_menu(
    update: Update, context: BotContext, press: _Press, menu: keys.CategoryMenu | keys.KindMenu
) -> None:
    """Show the category or kind choices in place of the ticket's buttons."""
    services, tr = context.services, press.tr
    view = await services.tickets.lookup.view(press.actor, press.ticket_id)
    await answer(update, context)
    keyboard = (
        render.category_buttons(view.ticket, tr)
        if isinstance(menu, keys.CategoryMenu)
        else render.kind_buttons(view.ticket, tr)
    )
    await edit_buttons(update, context, keyboard, ticket_id=press.ticket_id)


async def _reclassify(
    update: Update, context: BotContext, press: _Press, to: keys.SetCategory | keys.SetKind
) -> None:
    """Correct the ticket's category or kind and show the acknowledgement again."""
    services, tr = context.services, press.tr
    change = {"category": to.category} if isinstance(to, keys.SetCategory) else {"kind": to.kind}
    view = await services.tickets.work.reclassify(press.actor, press.ticket_id, **change)
    await answer(update, context, tr("feedback.reclassified"))
    await edit(
        update,
        context,
        render.ack(
            view,
            tr,
            services.settings.park.tz,
            phone=services.settings.tickets.show_cadre_phone,
        ),
        keyboard=render.reporter_buttons(view.ticket, tr),
        ticket_id=press.ticket_id,
    )


FEEDBACK_BUTTONS = keys.pattern(
    keys.RateSolved, keys.Rate, keys.CategoryMenu, keys.KindMenu, keys.SetCategory, keys.SetKind
)


def register(app: BotApplication, *, group: int) -> None:
    """Register the enterprise-side buttons."""
    app.add_handler(CallbackQueryHandler(feedback_button, pattern=FEEDBACK_BUTTONS), group=group)
