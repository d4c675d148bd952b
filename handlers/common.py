"""Helpers every handler uses: who is acting, their language, replies, refusals."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update

from bot.context import BotContext
from bot.delivery.outbox import Keyboard
from bot.domain.models import Actor
from bot.errors import DomainError, InvalidInput
from bot.i18n import Translator
from bot.render import callbacks as cb

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


# Telegram's own account: it forwards a linked channel's posts into the discussion group.
TELEGRAM_SERVICE_ID = 777000
# Who a channel, an automatic forward or a bot acts as: no role, no enterprise, and an id
# that is nobody's (a reporter id is a person's or a chat's, never 0).
NOBODY = Actor(telegram_id=0)


@dataclass(frozen=True)
class Sender:
    """Who wrote a message: a person, or a group speaking for itself (`sender_chat`)."""

    id: int  # the person's user id, or the chat's id
    name: str
    username: str | None
    is_chat: bool


def sender_of(message: Message) -> Sender | None:
    """The identity behind a message; None for channels, automatic forwards and bots.

    An anonymous group admin writes as GroupAnonymousBot with `sender_chat` = the group: the
    identity is the group itself, which every anonymous admin of that group shares and nobody
    else has. A post on behalf of a channel, or a channel's post forwarded by Telegram (777000),
    is nobody we can hold to a ticket.
    """
    if message.is_automatic_forward:
        return None
    chat = message.sender_chat
    if chat is not None:
        if chat.type == "channel" or chat.id != message.chat.id:
            return None
        return Sender(chat.id, chat.title or "", chat.username, is_chat=True)
    user = message.from_user
    if user is None or user.is_bot or user.id == TELEGRAM_SERVICE_ID:
        return None
    return Sender(user.id, user.first_name, user.username, is_chat=False)


async def actor_of(update: Update, context: BotContext) -> Actor:
    """Resolve who is acting, on the server, every time.

    A button press is always a person's. A message acts as its sender (`sender_of`): a group
    speaking for itself has the rights of the enterprise that group is bound to, nothing more;
    channels, automatic forwards and bots act as nobody.
    """
    people = context.services.people
    message = update.effective_message
    if update.callback_query is None and message is not None:
        sender = sender_of(message)
        if sender is None:
            return NOBODY
        if sender.is_chat:
            return await people.chat_actor(sender.id)
        return await people.actor(sender.id)
    user = update.effective_user
    assert user is not None
    return await people.actor(user.id)


async def tr_of(update: Update, context: BotContext) -> Translator:
    """The user's language in private chats; the park's language in groups."""
    settings = context.services.settings
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and chat.type == "private" and user is not None:
        return Translator(await context.services.people.locale_of(user.id, settings.park.locale))
    return Translator(settings.park.locale)


async def reply(
    update: Update,
    context: BotContext,
    text: str,
    *,
    keyboard: Keyboard | None = None,
    force_reply: str | None = None,
    purpose: str = "reply",
    ticket_id: int | None = None,
    quote: bool = True,
) -> None:
    """Answer in the chat the update came from, as a reply to the user's message."""
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None
    reply_to = (
        message.message_id if (quote and message is not None and chat.type != "private") else None
    )
    await context.services.outbox.send_message(
        chat.id,
        text,
        reply_to=reply_to,
        keyboard=keyboard,
        force_reply=force_reply,
        purpose=purpose,
        ticket_id=ticket_id,
    )


async def answer(
    update: Update, context: BotContext, text: str | None = None, *, alert: bool = False
) -> None:
    """Acknowledge a button press (so the client stops spinning), optionally with a notice."""
    query = update.callback_query
    if query is None:
        return
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await context.services.outbox.answer_callback(chat_id, query.id, text, alert=alert)


async def refuse(update: Update, context: BotContext, error: DomainError) -> None:
    """Turn a domain error into a specific answer in the user's language."""
    tr = await tr_of(update, context)
    text = error.message(tr)
    if update.callback_query is not None:
        await answer(update, context, text, alert=True)
    else:
        await reply(update, context, text, purpose="refusal")


def guarded(func: Handler) -> Handler:
    """Run a handler, answering domain errors (not allowed, not found, bad input) clearly."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> None:
        try:
            await func(update, context)
            log.debug("update %s handled by %s", update.update_id, func.__name__)
        except DomainError as error:
            log.info("update %s refused: %s", update.update_id, error.key)
            await refuse(update, context, error)

    return wrapper


def ticket_button(update: Update) -> tuple[str, int, list[str]]:
    """Parse a ticket button's data (verb, ticket id, args); refuse anything malformed.

    The data is only a request: every handler re-checks role and state in the service.
    """
    query = update.callback_query
    assert query is not None
    parsed = cb.parse(query.data or "")
    if parsed is None:
        raise InvalidInput("error.stale_button")
    return parsed


def ticket_number(args: list[str] | None, usage_key: str) -> int:
    """Parse the ticket number argument (`12` or `#12`); raise a usage error otherwise."""
    if not args:
        raise InvalidInput(usage_key)
    raw = args[0].lstrip("#＃")
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput("error.bad_ticket_number", value=args[0][:20])
    return int(raw)


def rest_text(update: Update, skip_words: int) -> str:
    """The message text after the command and `skip_words - 1` arguments, spacing kept."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=skip_words)
    return parts[skip_words] if len(parts) > skip_words else ""
