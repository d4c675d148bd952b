"""The python-telegram-bot Application: every handler registered in order, the command table
checked against them, and the command menus Telegram shows.

The only module that imports the handlers. Built without PTB's Updater: the bot's own poller or
webhook server (`bot.ingest`) feeds it from the inbox. `bot.runtime.process.Runtime` builds and
runs it.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import Application, CommandHandler, ContextTypes

import handlers.airing
import handlers.binding
import handlers.dashboard
import handlers.edits
import handlers.fallback
import handlers.logistics.conversation
import handlers.logistics.offers
import handlers.recruiting.conversation
import handlers.recruiting.posts
import handlers.start
import handlers.tickets.claim_resolve
import handlers.tickets.contact_extend
import handlers.tickets.lookup
import handlers.tickets.private_report
import handlers.tickets.rating
import handlers.tickets.report
import handlers.tickets.supervision
from bot.commands import DEFAULT_MENU, Audience, check_registered, menu
from bot.config import Settings
from bot.context import BotApplication, BotContext, BotData
from bot.delivery.http import AiohttpRequest, telegram_request
from bot.i18n import Translator
from bot.ingest.processor import current_scope

log = logging.getLogger(__name__)

# First of all: edited messages stop here, so an edit never runs a command or report again.
EDITS_GROUP = -10
GATE_GROUP = -1  # the unbound-group gate; /bind and chat upgrades run one group earlier
MAIN_GROUP = 0
# Typed answers and /cancel of an open /job draft, before everything else; they let the update
# through when the user has no job draft.
JOB_DRAFT_GROUP = -3
# Its own group: PTB runs only the first matching handler per group, and both conversations
# catch typed private text (each lets it through when the user has no draft of its kind).
LOGISTICS_DRAFT_GROUP = -4


def register_handlers(app: BotApplication, settings: Settings) -> None:
    """Register every handler. Order matters across groups; see each comment."""
    handlers.edits.register(app, group=EDITS_GROUP)
    # Group -2: /bind and /unbind must work in groups that are not bound yet.
    # Group -1: the gate that silences everything else in unbound groups.
    handlers.binding.register(app, gate_group=GATE_GROUP)
    handlers.recruiting.conversation.register_drafts(app, group=JOB_DRAFT_GROUP)
    handlers.logistics.conversation.register_drafts(app, group=LOGISTICS_DRAFT_GROUP)
    # Group 0, first match wins: /start /help /lang, cadre work (incl. replies to prompts),
    # reading, enterprise feedback buttons, then report detection for ordinary group messages.
    handlers.start.register(app, group=MAIN_GROUP)
    handlers.tickets.claim_resolve.register(app, group=MAIN_GROUP)
    handlers.tickets.lookup.register(app, group=MAIN_GROUP)
    handlers.tickets.rating.register(app, group=MAIN_GROUP)
    handlers.tickets.report.register(app, group=MAIN_GROUP)
    # Private reports (私信): /report, report hashtags and captioned files in private chats,
    # after prompt replies (an answer is not a new problem) and before the fallbacks.
    handlers.tickets.private_report.register(
        app, group=MAIN_GROUP, hashtags=settings.tickets.hashtags
    )
    # Deadlines and 督办: commands and their own `t:` button verbs (not matched above).
    handlers.tickets.contact_extend.register(app, group=MAIN_GROUP)
    handlers.tickets.supervision.register(app, group=MAIN_GROUP)
    # /airing and /export (admins, leaders): plain commands, no buttons.
    handlers.airing.register(app, group=MAIN_GROUP)
    # /dashboard (private chats): the Mini App's button and the chat menu button.
    handlers.dashboard.register(app, group=MAIN_GROUP)
    # Job posts: /job and its `j:` buttons, /jobs, owners' commands.
    handlers.recruiting.conversation.register(app, group=MAIN_GROUP)
    handlers.recruiting.posts.register(app, group=MAIN_GROUP)
    # Logistics exchange: /truck /cargo /mytrucks /mycargo /done and their `lg:` buttons.
    handlers.logistics.offers.register(app, group=MAIN_GROUP)
    # After every feature's own /cancel: the answer when nothing is open.
    handlers.recruiting.conversation.register_last(app, group=MAIN_GROUP)
    # Last in group 0, so they only see what no handler above matched.
    handlers.fallback.register(app, group=MAIN_GROUP)
    # Every press must be answered (or the client spins): the one no button pattern above
    # routes (an older version's, or forged) is answered as outdated. Every `CallbackQueryHandler`
    # is in group 0, so this last one sees only those.
    handlers.fallback.register_buttons(app, group=MAIN_GROUP)
    app.add_error_handler(on_error)


async def on_error(update: object, context: BotContext) -> None:
    """Record a handler failure for the intake (which rolls back) and log the traceback."""
    scope = current_scope.get()
    if scope is not None and isinstance(update, Update):
        scope.error = context.error
        log.error("update %s failed in a handler", update.update_id, exc_info=context.error)
        return
    log.error("job or background failure", exc_info=context.error)


def build_application(
    settings: Settings, requests: tuple[AiohttpRequest, AiohttpRequest] | None = None
) -> BotApplication:
    """Build the Application without PTB's Updater: our poller or webhook feeds it.

    `requests` (for API calls, for getUpdates) default to the configured transport.
    """
    calls, updates = requests or (
        telegram_request(settings.telegram, connections=64),
        telegram_request(settings.telegram, connections=2),
    )
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    app: BotApplication = (
        Application.builder()
        .token(settings.telegram.token.get_secret_value())
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.api_base_url.replace("/bot", "/file/bot"))
        .updater(None)
        .request(calls)
        .get_updates_request(updates)
        .context_types(context_types)
        .build()
    )
    register_handlers(app, settings)
    # The command table feeds /help and the menus; the handlers must answer exactly its commands.
    check_registered(
        {
            name
            for group in app.handlers.values()
            for handler in group
            if isinstance(handler, CommandHandler)
            for name in handler.commands
        }
    )
    return app


def bot_commands(locale: str, audiences: frozenset[Audience] = DEFAULT_MENU) -> list[BotCommand]:
    """The command menu for these audiences (default: contacts and anyone), from the one table."""
    return [BotCommand(name, text) for name, text in menu(audiences, Translator(locale))]
