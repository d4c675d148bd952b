"""/airing (preview the weekly airing privately) and /export (the ledger as .xlsx, privately)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.errors import InvalidInput, NotAllowed
from bot.services.ledger import default_range, parse_day
from bot.services.metrics import parse_week
from handlers.common import actor_of, guarded


@guarded
async def airing_command(update: Update, context: BotContext) -> None:
    """/airing [WEEK]: send the weekly airing (text and chart) privately, not recorded."""
    actor = await actor_of(update, context)
    if not actor.is_admin:
        raise NotAllowed("airing.admin_only")
    services = context.services
    week = parse_week(context.args[0], services.settings.park.tz) if context.args else None
    locale = await locale_of(update, context)
    await services.airing.preview(actor.telegram_id, week, locale)


async def locale_of(update: Update, context: BotContext) -> str:
    """The asker's own language (the preview goes to their private chat)."""
    user = update.effective_user
    assert user is not None
    settings = context.services.settings
    return await context.services.people.locale_of(user.id, settings.park.locale)


@guarded
async def export_command(update: Update, context: BotContext) -> None:
    """/export [FROM TO]: send the ledger .xlsx privately (admins and leaders)."""
    services = context.services
    actor = await actor_of(update, context)
    args = context.args or []
    if len(args) not in (0, 2):
        raise InvalidInput("export.usage")
    if args:
        start, end = parse_day(args[0]), parse_day(args[1])
    else:
        start, end = default_range(services.ledger.today())
    # Made afterwards (read on a reader, rendered in a thread): this update only stores the
    # request, so nobody's report waits for a year's ledger.
    await services.deferred.export(actor, start, end, await locale_of(update, context))


def register(app: BotApplication, *, group: int) -> None:
    """Register /airing and /export."""
    app.add_handler(CommandHandler("airing", airing_command), group=group)
    app.add_handler(CommandHandler("export", export_command), group=group)
