"""Private reports (私信): a bound enterprise contact reports a problem to the bot privately.

`/report TEXT`, a message with a report hashtag, or a photo or document with a caption, sent in
a private chat, becomes a ticket for the sender's enterprise, routed like a group report. A
contact of several enterprises picks one with buttons (the report waits in the database, so
the pick works after a restart). Anyone else is told how to get bound.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.domain.outcomes.tickets import Created
from bot.errors import InvalidInput
from bot.render import tickets as render
from bot.render.keyboards import reports
from bot.services.private_reports import Held
from bot.services.tickets.intake import Report
from handlers.common import answer, guarded, reply, rest_text, tr_of
from handlers.tickets.report import acknowledge, files_of

log = logging.getLogger(__name__)


async def _created(update: Update, context: BotContext, created: Created) -> None:
    await acknowledge(update, context, created)
    ticket = created.view.ticket
    log.info(
        "update %s: private ticket #%s for enterprise %s routed to %s (%s)",
        update.update_id,
        ticket.id,
        ticket.enterprise_id,
        ticket.assignee_id,
        created.route,
    )


async def _submit(update: Update, context: BotContext, message: Message, content: str) -> None:
    user = message.from_user
    assert user is not None
    services = context.services
    await services.people.seen(user.id, user.first_name, user.username, private=True)
    outcome = await services.private_reports.report(
        Report(
            chat_id=message.chat.id,
            message_id=message.message_id,
            reporter_id=user.id,
            text=content,
            files=files_of(message),
            private=True,
        )
    )
    if isinstance(outcome, Held):
        tr = await tr_of(update, context)
        await reply(
            update,
            context,
            tr("ticket.choose_enterprise"),
            keyboard=render.enterprise_choice(outcome.message_id, outcome.enterprises),
            purpose="report_choice",
        )
        return
    await _created(update, context, outcome)


@guarded
async def private_report_command(update: Update, context: BotContext) -> None:
    """/report TEXT in private: a ticket for the sender's own enterprise."""
    message = update.effective_message
    assert message is not None
    await _submit(update, context, message, rest_text(update, 1))


@guarded
async def private_report_message(update: Update, context: BotContext) -> None:
    """A private message with a report hashtag, or a captioned photo or document: a ticket."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    text = message.text or message.caption or ""
    tags = [tag for tag in context.services.settings.tickets.hashtags if tag in text]
    for tag in tags:
        text = text.replace(tag, " ")
    await _submit(update, context, message, " ".join(text.split()))


@guarded
async def enterprise_button(update: Update, context: BotContext) -> None:
    """The contact picked the enterprise of a held private report; re-checked on the server."""
    query = update.callback_query
    assert query is not None
    press = reports.unpack(query.data or "")
    if press is None:
        raise InvalidInput("error.stale_button")
    created = await context.services.private_reports.choose(
        query.from_user.id, press.message_id, press.enterprise_id
    )
    await answer(update, context)
    await _created(update, context, created)


class _ReportHashtag(filters.MessageFilter):
    """Text or caption containing one of the park's report hashtags."""

    def __init__(self, hashtags: list[str]) -> None:
        super().__init__(name="ReportHashtag")
        self.hashtags = tuple(hashtags)

    def filter(self, message: Message) -> bool:
        text = message.text or message.caption or ""
        return any(tag in text for tag in self.hashtags)


def register(app: BotApplication, *, group: int, hashtags: list[str]) -> None:
    """Register private report intake and the enterprise-choice buttons."""
    private = filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED
    app.add_handler(CommandHandler("report", private_report_command, filters=private), group=group)
    captioned = (filters.PHOTO | filters.Document.ALL) & filters.CAPTION
    app.add_handler(
        MessageHandler(
            private & ~filters.COMMAND & (_ReportHashtag(hashtags) | captioned),
            private_report_message,
        ),
        group=group,
    )
    app.add_handler(CallbackQueryHandler(enterprise_button, pattern=reports.PATTERN), group=group)
