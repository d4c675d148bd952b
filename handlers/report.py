"""Tickets from group messages: /report, the #诉求 #问题 #求助 hashtags, and mentions of the bot.

`/report` sent as a reply turns the replied-to message into a ticket. A photo or document whose
caption triggers a report is attached to the ticket.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.services.tickets import IncomingFile, Report
from handlers.common import guarded, rest_text

log = logging.getLogger(__name__)


def files_of(message: Message) -> list[IncomingFile]:
    """The largest photo size or the document of a message, as attachments."""
    if message.photo:
        best = message.photo[-1]
        return [IncomingFile("photo", best.file_id, best.file_unique_id)]
    if message.document:
        doc = message.document
        return [
            IncomingFile("document", doc.file_id, doc.file_unique_id, doc.file_name, doc.mime_type)
        ]
    return []


def _strip_markers(text: str, markers: list[str]) -> str:
    for marker in markers:
        text = text.replace(marker, " ")
    return " ".join(text.split())


async def _submit(update: Update, context: BotContext, source: Message, content: str) -> None:
    reporter = source.from_user
    assert reporter is not None
    services = context.services
    await services.people.seen(reporter.id, reporter.first_name, reporter.username, private=False)
    created = await services.tickets.report(
        Report(
            chat_id=source.chat.id,
            message_id=source.message_id,
            reporter_id=reporter.id,
            text=content,
            files=files_of(source),
        )
    )
    await services.notifier.created(created)
    ticket = created.view.ticket
    log.info(
        "update %s: ticket #%s for enterprise %s routed to %s (%s)",
        update.update_id,
        ticket.id,
        ticket.enterprise_id,
        ticket.assignee_id,
        created.route,
    )


@guarded
async def report_command(update: Update, context: BotContext) -> None:
    """/report TEXT makes a ticket; as a reply, the replied-to message becomes the ticket."""
    message = update.effective_message
    assert message is not None
    content = rest_text(update, 1)
    source = message
    original = message.reply_to_message
    if original is not None and original.from_user is not None and not original.from_user.is_bot:
        source = original
        content = content or original.text or original.caption or ""
    await _submit(update, context, source, content)


@guarded
async def group_message(update: Update, context: BotContext) -> None:
    """Make a ticket from a message carrying a report hashtag or mentioning the bot."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    text = message.text or message.caption or ""
    tags = context.services.settings.tickets.hashtags
    mention = f"@{context.bot_data.bot_username}" if context.bot_data.bot_username else None
    found = [tag for tag in tags if tag in text]
    mentioned = mention is not None and mention.lower() in text.lower()
    if not found and not mentioned:
        return
    markers = found + (
        [text[text.lower().index(mention.lower()) :][: len(mention)]]
        if mentioned and mention
        else []
    )
    await _submit(update, context, message, _strip_markers(text, markers))


def register(app: BotApplication, *, group: int) -> None:
    """Register report detection for groups (after commands and prompt replies)."""
    app.add_handler(
        CommandHandler("report", report_command, filters=filters.ChatType.GROUPS), group=group
    )
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND
            & ~filters.UpdateType.EDITED,
            group_message,
        ),
        group=group,
    )
