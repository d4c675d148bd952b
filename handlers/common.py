"""Helpers every handler uses: who is acting, their language, where answers go, refusals.

Every answer to the person who acted leaves through here (`reply` and friends: a message, an
edit of the pressed message or its buttons, a press's acknowledgement, the chat's command menu
and menu button); no other handler module touches the outbox (tests/test_layers.py checks).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from telegram import MaybeInaccessibleMessage, Message, Update

from bot.context import BotContext
from bot.domain import numbers
from bot.domain.buttons import Keyboard
from bot.domain.models import Actor
from bot.errors import DomainError, InvalidInput
from bot.i18n import Translator
from bot.render.keyboards import tickets as ticket_keys

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
    channels, automatic forwards and bots act as nobody. In a group, the actor carries the
    group's binding (`venue`), which narrows what a member sees there.
    """
    people = context.services.people
    group_id = _group_id(update)
    message = update.effective_message
    if update.callback_query is None and message is not None:
        sender = sender_of(message)
        if sender is None:
            return NOBODY
        if sender.is_chat:
            return await people.chat_actor(sender.id, group_id=group_id)
        return await people.actor(sender.id, group_id=group_id)
    user = update.effective_user
    assert user is not None
    return await people.actor(user.id, group_id=group_id)


def _group_id(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type != "private" else None


async def tr_of(update: Update, context: BotContext) -> Translator:
    """The user's language in private, and for a command answered privately; else the park's.

    A button pressed in a group keeps the park's language: its answer edits the group's message.
    """
    settings = context.services.settings
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and user is not None:
        private = chat.type == "private" or (
            update.callback_query is None
            and (await _place(update, context, _audience(), quote=False)).chat_id == user.id
        )
        if private:
            locale = await context.services.people.locale_of(user.id, settings.park.locale)
            return Translator(locale)
    return Translator(settings.park.locale)


class Audience(Enum):
    """Whom a handler's answers are for; `reply` turns it into a destination."""

    SENDER = "sender"  # the person who asked: kept out of groups that must not read it
    CHAT = "chat"  # the whole chat: binding a group, the intake of a report


@dataclass
class _Turn:
    """What one handler run has done so far (kept per run in a context variable)."""

    audience: Audience
    answered: bool = False
    noted: bool = False


_turn: ContextVar[_Turn | None] = ContextVar("turn", default=None)


def _audience() -> Audience:
    """The audience the running handler was declared with (`guarded`, `guarded_in_chat`)."""
    turn = _turn.get()
    return turn.audience if turn is not None else Audience.SENDER


@dataclass(frozen=True)
class _Place:
    chat_id: int
    reply_to: int | None
    note_key: str | None = None  # a short note left in the group instead of the answer
    delivered: bool = True  # False: only the note goes out


async def _place(update: Update, context: BotContext, audience: Audience, quote: bool) -> _Place:
    """Where an answer goes: the one decision every command's answer passes through.

    In a private chat, or for the whole chat: right there. In a group, staff answers (cards,
    lists, buttons, refusals) go to the staff member privately, since every member reads the
    group; in a park-wide group an enterprise member's answers go privately when possible (as
    the notifier does), since several enterprises read it. Elsewhere the answer stays in the
    group, and the services narrow what the member sees there to that group's enterprise.
    """
    chat = update.effective_chat
    message = update.effective_message
    user = update.effective_user
    assert chat is not None
    reply_to = message.message_id if (quote and message is not None) else None
    if chat.type == "private" or audience is Audience.CHAT or user is None:
        return _Place(chat.id, reply_to if chat.type != "private" else None)
    actor = await actor_of(update, context)
    park_group = actor.venue is not None and actor.venue.kind == "park"
    if not (actor.is_staff or park_group):
        return _Place(chat.id, reply_to)
    if await context.services.people.reachable(user.id):
        return _Place(user.id, None, note_key="privacy.sent_privately")
    if actor.is_staff:
        return _Place(chat.id, reply_to, note_key="privacy.open_private_chat", delivered=False)
    return _Place(chat.id, reply_to)


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
    audience: Audience | None = None,
    reply_to: int | None = None,
) -> None:
    """Answer the user where the answer may be read (see `_place`), quoting their message.

    `audience` defaults to the one the handler was declared with (`guarded`, `guarded_in_chat`).
    `reply_to` quotes another message of the update's chat instead (a report acknowledged after
    a button press, or in private), when the answer stays in that chat.
    With `force_reply` (the input field's placeholder) the answer is a prompt: the user answers
    it by replying, and `purpose` (with `ticket_id`) is remembered as what that reply is for
    (`Prompts.answered`).
    """
    turn = _turn.get()
    place = await _place(update, context, audience or _audience(), quote)
    chat = update.effective_chat
    if reply_to is not None and chat is not None and place.chat_id == chat.id:
        place = replace(place, reply_to=reply_to)
    outbox = context.services.outbox
    if place.delivered:
        sent = await outbox.send_message(
            place.chat_id,
            text,
            reply_to=place.reply_to,
            keyboard=keyboard,
            force_reply=force_reply,
            purpose=purpose,
            ticket_id=ticket_id,
        )
        if force_reply is not None:
            # The prompt's last part carries the ForceReply, so a reply answers that one.
            await context.services.prompts.expect(sent[-1], purpose, ticket_id)
    noted = turn is not None and turn.noted
    # A button press is acknowledged by its own answer; a typed command gets the note once.
    if place.note_key and chat is not None and update.callback_query is None and not noted:
        if turn is not None:
            turn.noted = True
        group_tr = Translator(context.services.settings.park.locale)
        message = update.effective_message
        await outbox.send_message(
            chat.id,
            group_tr(place.note_key, bot=context.bot_data.bot_username),
            reply_to=message.message_id if message is not None else None,
            purpose="privacy_note",
        )


async def answer(
    update: Update, context: BotContext, text: str | None = None, *, alert: bool = False
) -> None:
    """Acknowledge a button press (so the client stops spinning), optionally with a notice.

    A press is answered at most once per handler run: Telegram refuses a second answer.
    """
    query = update.callback_query
    if query is None:
        return
    turn = _turn.get()
    if turn is not None:
        if turn.answered:
            return
        turn.answered = True
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await context.services.outbox.answer_callback(chat_id, query.id, text, alert=alert)


async def edit(
    update: Update,
    context: BotContext,
    text: str,
    *,
    keyboard: Keyboard | None = None,
    ticket_id: int | None = None,
) -> None:
    """Replace the text (and buttons) of the message whose button was pressed, in place."""
    message = _pressed(update)
    if message is not None:
        await context.services.outbox.edit_text(
            message.chat.id, message.message_id, text, keyboard=keyboard, ticket_id=ticket_id
        )


async def edit_buttons(
    update: Update,
    context: BotContext,
    keyboard: Keyboard | None,
    *,
    ticket_id: int | None = None,
) -> None:
    """Replace the buttons of the message whose button was pressed (None takes them away)."""
    message = _pressed(update)
    if message is not None:
        await context.services.outbox.edit_keyboard(
            message.chat.id, message.message_id, keyboard, ticket_id=ticket_id
        )


def _pressed(update: Update) -> MaybeInaccessibleMessage | None:
    """The message carrying the pressed button (None when the update is no press)."""
    query = update.callback_query
    return query.message if query is not None else None


async def set_commands(
    update: Update, context: BotContext, commands: Sequence[tuple[str, str]]
) -> None:
    """Set the command menu of the acting user's private chat (name, description pairs)."""
    user = update.effective_user
    assert user is not None
    await context.services.outbox.set_commands(user.id, commands)


async def set_menu_button(update: Update, context: BotContext, text: str, url: str) -> None:
    """Make this private chat's menu button open the Mini App at `url`."""
    chat = update.effective_chat
    assert chat is not None
    await context.services.outbox.set_menu_button(chat.id, text, url)


async def refuse(update: Update, context: BotContext, error: DomainError) -> None:
    """Turn a domain error into a specific answer in the user's language.

    A press is refused in its one answer; if the press was answered already (the refusal came
    after the acknowledgement), the refusal is sent as a message instead of a second answer.
    """
    tr = await tr_of(update, context)
    text = error.message(tr)
    turn = _turn.get()
    if update.callback_query is not None and not (turn is not None and turn.answered):
        await answer(update, context, text, alert=True)
    else:
        await reply(update, context, text, purpose="refusal", quote=update.callback_query is None)


def _guard(func: Handler, audience: Audience) -> Handler:
    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> None:
        token = _turn.set(_Turn(audience))
        try:
            await func(update, context)
            log.debug("update %s handled by %s", update.update_id, func.__name__)
        except DomainError as error:
            log.info("update %s refused: %s", update.update_id, error.key)
            await refuse(update, context, error)
        finally:
            _turn.reset(token)

    return wrapper


def guarded(func: Handler) -> Handler:
    """Run a handler, answering domain errors (not allowed, not found, bad input) clearly.

    Its answers are for the sender: in a group they go where only the sender may read them.
    """
    return _guard(func, Audience.SENDER)


def guarded_in_chat(func: Handler) -> Handler:
    """As `guarded`, for a handler whose answers are for the whole chat (binding, reports)."""
    return _guard(func, Audience.CHAT)


def ticket_button(update: Update) -> ticket_keys.TicketPress:
    """The typed press of a ticket button; anything malformed is refused as a stale button.

    The press is only a request: every handler re-checks role and state in the service.
    """
    query = update.callback_query
    assert query is not None
    press = ticket_keys.unpack(query.data or "")
    if press is None:
        raise InvalidInput("error.stale_button")
    return press


def number_arg(
    args: list[str] | None, index: int, kind: numbers.NumberKind, usage_key: str, **usage: Any
) -> int:
    """The argument at `index` read as a `kind` number (bot.domain.numbers).

    Raises:
        InvalidInput: the argument is missing (the command's usage, `usage_key`).
        BadNumber: it is not a number of that kind (the refusal names it, with an example).
    """
    if not args or len(args) <= index:
        raise InvalidInput(usage_key, **usage)
    return kind.parse(args[index])


def ticket_number(args: list[str] | None, usage_key: str) -> int:
    """The ticket number argument (`12`, `#12`, `１２`); a usage error if there is none."""
    return number_arg(args, 0, numbers.TICKET, usage_key)


def rest_text(update: Update, skip_words: int) -> str:
    """The message text after the command and `skip_words - 1` arguments, spacing kept."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=skip_words)
    return parts[skip_words] if len(parts) > skip_words else ""
