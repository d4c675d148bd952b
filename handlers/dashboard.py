"""/dashboard: a button that opens the 服务驾驶舱 Mini App, and the chat's menu button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotApplication, BotContext
from bot.domain.buttons import WebAppButton
from handlers.common import actor_of, guarded, reply, set_menu_button, tr_of


@guarded
async def dashboard_command(update: Update, context: BotContext) -> None:
    """Offer the dashboard to staff and enterprise contacts, in the private chat only."""
    services = context.services
    tr = await tr_of(update, context)
    config = services.settings.dashboard
    if not config.enabled:
        await reply(update, context, tr("dashboard.disabled"))
        return
    # Refuses anyone with nothing to see (NotAllowed, answered by `guarded`).
    scope = await services.dashboard.scope(await actor_of(update, context))
    key = "dashboard.intro_contact" if scope.role == "enterprise" else "dashboard.intro"
    await reply(
        update,
        context,
        tr(key, park=services.settings.park.name),
        keyboard=[[WebAppButton(tr("dashboard.open_button"), config.public_url)]],
    )
    await set_menu_button(update, context, tr("dashboard.menu_button"), config.public_url)


def register(app: BotApplication, *, group: int) -> None:
    """Register /dashboard for private chats (Web App buttons are refused in groups)."""
    app.add_handler(
        CommandHandler("dashboard", dashboard_command, filters=filters.ChatType.PRIVATE),
        group=group,
    )
