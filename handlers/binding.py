"""/bind and /unbind a group (admins only), and the hint in groups that are not bound yet."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApplication, BotContext
from bot.errors import InvalidInput
from handlers.common import Audience, Handler, actor_of, guarded_in_chat, reply, tr_of


@guarded_in_chat
async def bind_command(update: Update, context: BotContext) -> None:
    """Bind this group to an enterprise (/bind 企业名称) or as the park-wide group (/bind park)."""
    chat = update.effective_chat
    assert chat is not None
    tr = await tr_of(update, context)
    actor = await actor_of(update, context)
    if chat.type == "private":
        raise InvalidInput("error.bind_in_group")
    target = " ".join(context.args or [])
    binding, label = await context.services.onboarding.bind(
        actor, chat.id, chat.title or "", target
    )
    await reply(update, context, tr(f"bind.done_{binding.kind}", name=label))


@guarded_in_chat
async def unbind_command(update: Update, context: BotContext) -> None:
    """Remove this group's binding."""
    chat = update.effective_chat
    assert chat is not None
    tr = await tr_of(update, context)
    removed = await context.services.onboarding.unbind(await actor_of(update, context), chat.id)
    await reply(update, context, tr("bind.removed" if removed else "bind.was_not_bound"))


async def unbound_group_gate(update: Update, context: BotContext) -> None:
    """In a group that is not bound, stay silent, except to tell an admin how to bind it."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.type == "private":
        return
    binding = await context.services.onboarding.binding(chat.id)
    if binding is not None:
        context.chat_binding = binding  # the report handlers pass it on instead of reading it
        return  # bound: let the other handlers see it
    message = update.effective_message
    addressed = message is not None and bool(
        (message.text or "").startswith("/") or _mentions_bot(update, context)
    )
    if addressed:
        actor = await actor_of(update, context)
        if actor.is_admin:
            tr = await tr_of(update, context)
            await reply(
                update, context, tr("bind.hint"), purpose="bind_hint", audience=Audience.CHAT
            )
    raise ApplicationHandlerStop


def _mentions_bot(update: Update, context: BotContext) -> bool:
    message = update.effective_message
    username = context.bot_data.bot_username.lower()
    if message is None or not username:
        return False
    mentions = message.parse_entities(["mention"]) | message.parse_caption_entities(["mention"])
    return any(text.lower() == f"@{username}" for text in mentions.values())


async def bot_added(update: Update, context: BotContext) -> None:
    """When an admin adds the bot to a group that is not bound, tell them how to bind it."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in ("member", "administrator"):
        return
    if change.old_chat_member.status in ("member", "administrator"):
        return
    chat = change.chat
    if chat.type == "private" or await context.services.onboarding.binding(chat.id):
        return
    actor = await context.services.people.actor(change.from_user.id)
    if actor.is_admin:
        tr = await tr_of(update, context)
        hint = tr("bind.hint")
        await reply(update, context, hint, purpose="bind_hint", quote=False, audience=Audience.CHAT)


@guarded_in_chat
async def chat_migrated(update: Update, context: BotContext) -> None:
    """Follow a group upgraded to a supergroup: binding, ticket notices and queued messages."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await context.services.onboarding.follow_migration(old, new)


def _final(func: Handler) -> Handler:
    """Stop later handler groups from seeing the update once this handler answered it."""

    async def wrapper(update: Update, context: BotContext) -> None:
        await func(update, context)
        raise ApplicationHandlerStop

    return wrapper


def register(app: BotApplication, *, gate_group: int) -> None:
    """Register /bind, /unbind, and the unbound-group gate in its own earlier group."""
    # /bind must run before the gate (the group is unbound until it has run); so must an
    # upgrade's service messages (the new supergroup is unbound until they have run).
    app.add_handler(CommandHandler("bind", _final(bind_command)), group=gate_group - 1)
    app.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, _final(chat_migrated)), group=gate_group - 1
    )
    app.add_handler(CommandHandler("unbind", _final(unbind_command)), group=gate_group - 1)
    app.add_handler(ChatMemberHandler(bot_added, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS, unbound_group_gate), group=gate_group)
