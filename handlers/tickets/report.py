"""Tickets from group messages: /report, the #诉求 #问题 #求助 hashtags, and mentions of the bot.

A report is always its typist's: whoever sent the update is the reporter, and (in a park-wide
group) their enterprise is the ticket's, checked exactly as if they had typed it all. `/report`
sent as a reply only borrows the replied-to message's text (when the command has none) and its
photo or document; its author is never read. The ticket's source is the message the typist
sent, so a replay of the same update makes no second ticket, and two people replying `/report`
to one message make two reports, each their own. A photo or document whose caption triggers a
report is attached to the ticket.
"""

from __future__ import annotations

import logging

from markupsafe import Markup
from telegram import Message, MessageEntity, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.domain.outcomes.tickets import Created
from bot.render import tickets as render
from bot.services.tickets.intake import IncomingFile, Report
from handlers.common import guarded_in_chat, reply, rest_text, sender_of, tr_of

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


async def acknowledge(update: Update, context: BotContext, created: Created) -> None:
    """Answer the reporter where they reported: the ticket's number, its cadre, its buttons.

    A reply to the reporter's own update, quoting their report: in the group in the park's
    language, or privately in theirs (with how to follow the ticket from there).
    """
    view, ticket = created.view, created.view.ticket
    settings = context.services.settings
    tr = await tr_of(update, context)
    text = render.ack(view, tr, settings.park.tz, phone=settings.tickets.show_cadre_phone)
    if ticket.channel == "private":
        text = Markup("\n").join([text, tr("ticket.ack_private")])
    await reply(
        update,
        context,
        text,
        keyboard=render.reporter_buttons(ticket, tr),
        purpose="ack",
        ticket_id=ticket.id,
        reply_to=ticket.source_message_id,
    )


def _markers(message: Message, tags: list[str], username: str) -> list[MessageEntity]:
    """The report hashtags and mentions of the bot in a message, as whole entities.

    Telegram marks hashtags and mentions itself, so `#问题解决了` is not `#问题`, and neither an
    e-mail address nor `@otherbot_news` mentions `@bot`.
    """
    wanted = {tag.casefold() for tag in tags}
    mention = f"@{username}".casefold() if username else None
    parsed = (
        message.parse_entities(["hashtag", "mention"])
        if message.text
        else message.parse_caption_entities(["hashtag", "mention"])
    )
    return [
        entity
        for entity, piece in parsed.items()
        if (entity.type == "hashtag" and piece.casefold() in wanted)
        or (entity.type == "mention" and piece.casefold() == mention)
    ]


def _without(text: str, entities: list[MessageEntity]) -> str:
    """The text with the given entities cut out (offsets count UTF-16 units), spacing tidied."""
    raw = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        raw = raw[: 2 * entity.offset] + b" \x00" + raw[2 * (entity.offset + entity.length) :]
    return " ".join(raw.decode("utf-16-le").split())


async def _submit(
    update: Update,
    context: BotContext,
    message: Message,
    content: str,
    lent: Message | None = None,
) -> None:
    """File the report `message` makes, by its sender; `lent` adds only its attachments."""
    reporter = sender_of(message)
    assert reporter is not None
    services = context.services
    if not reporter.is_chat:
        await services.people.seen(reporter.id, reporter.name, reporter.username, private=False)
    files = files_of(message) + (files_of(lent) if lent is not None else [])
    created = await services.tickets.intake.report(
        Report(
            chat_id=message.chat.id,
            message_id=message.message_id,
            reporter_id=reporter.id,
            text=content,
            files=files,
            binding=context.chat_binding,
        )
    )
    await acknowledge(update, context, created)
    ticket = created.view.ticket
    log.info(
        "update %s: ticket #%s for enterprise %s routed to %s (%s)",
        update.update_id,
        ticket.id,
        ticket.enterprise_id,
        ticket.assignee_id,
        created.route,
    )


def _replied_to(message: Message) -> Message | None:
    """The message `message` answers, if a person (or a group) wrote it: a bot's or a channel's
    text is nobody's problem, and in a forum topic every message "replies" to the topic's
    creation unless it answers another one."""
    original = message.reply_to_message
    if original is None or original.forum_topic_created is not None:
        return None
    return original if sender_of(original) is not None else None


@guarded_in_chat
async def report_command(update: Update, context: BotContext) -> None:
    """/report TEXT makes a ticket; as a reply, it borrows the replied-to text and files."""
    message = update.effective_message
    assert message is not None
    if sender_of(message) is None:
        return  # channels, automatic forwards and bots make no tickets
    content = rest_text(update, 1)
    lent = _replied_to(message)
    if lent is not None:
        content = content or lent.text or lent.caption or ""
    await _submit(update, context, message, content, lent)


@guarded_in_chat
async def group_message(update: Update, context: BotContext) -> None:
    """Make a ticket from a message carrying a report hashtag or mentioning the bot."""
    message = update.effective_message
    if message is None or sender_of(message) is None:
        return
    text = message.text or message.caption or ""
    markers = _markers(
        message, context.services.settings.tickets.hashtags, context.bot_data.bot_username
    )
    if not markers:
        return
    await _submit(update, context, message, _without(text, markers))


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
