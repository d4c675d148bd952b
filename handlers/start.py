"""/start (with an invitation payload), /help (by role, the rest behind a button), /whoami, /lang.

What each person is shown comes from the one command table, `bot.commands`.
"""

from __future__ import annotations

from markupsafe import Markup
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import commands
from bot.commands import Audience
from bot.context import BotApplication, BotContext
from bot.domain.buttons import Button, Keyboard
from bot.domain.models import Actor
from bot.errors import InvalidInput
from bot.i18n import LOCALES, Translator, normalize_locale
from bot.render.keyboards import help as help_keys
from handlers.common import actor_of, answer, edit_buttons, guarded, reply, set_commands, tr_of


def help_text(actor: Actor, tr: Translator, *, more: bool = False) -> str:
    """The commands this user may use: the first screen, or (`more`) the rest."""
    first, rest = commands.help_names(actor)
    if more:
        return Markup("\n").join([tr("help.title_more"), *[tr(f"help.cmd_{n}") for n in rest]])
    lines = [tr("help.title"), *[tr(f"help.cmd_{n}") for n in first]]
    if commands.primary(actor) in (Audience.LEADER, Audience.ADMIN):
        lines.append(tr("help.note_leader"))
    lines.append(tr("help.footer"))
    return Markup("\n").join(lines)


def help_keyboard(actor: Actor, tr: Translator) -> Keyboard | None:
    """The "more" button, when there is more to show."""
    _, rest = commands.help_names(actor)
    return [[Button(tr("help.more"), help_keys.More().pack())]] if rest else None


async def greeting(actor: Actor, update: Update, context: BotContext, tr: Translator) -> str:
    """Hello by role: an admin, a leader and a cadre by name; a contact by enterprise."""
    role = commands.primary(actor)
    if role is Audience.CONTACT and actor.enterprise_id is not None:
        name = await context.services.people.enterprise_name(actor.enterprise_id)
        return tr("start.welcome_contact", name=name or "")
    if role is Audience.ANYONE:
        return tr("start.welcome_stranger", park=context.services.settings.park.name)
    user = update.effective_user
    name = actor.cadre.name if actor.cadre else (user.first_name if user else "")
    return tr(f"start.welcome_{role.value}", name=name)


@guarded
async def start_command(update: Update, context: BotContext) -> None:
    """Greet a user in private by role; redeem an invitation payload if one came with the link."""
    user = update.effective_user
    assert user is not None
    services = context.services
    await services.people.seen(user.id, user.first_name, user.username, private=True)
    tr = await tr_of(update, context)
    actor = await actor_of(update, context)
    lines: list[str] = []
    if context.args:
        redeemed = await services.onboarding.redeem(
            user.id, context.args[0], admin=actor.config_admin, name=user.first_name
        )
        lines.append(tr(f"start.bound_{redeemed.kind}", name=redeemed.name))
        actor = await actor_of(update, context)
    else:
        lines.append(await greeting(actor, update, context, tr))
    if commands.primary(actor) is Audience.ANYONE:
        await reply(update, context, lines[0])
        return
    if context.args and actor.is_staff:
        # A new staff member gets the staff menu in this chat at once, not at the next start.
        await set_commands(update, context, commands.menu(commands.audiences(actor), tr))
    lines += ["", help_text(actor, tr)]
    await reply(update, context, Markup("\n").join(lines), keyboard=help_keyboard(actor, tr))


@guarded
async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands the asker may use: the first screen, with a button for the rest."""
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    if commands.primary(actor) is Audience.ANYONE and _private(update):
        text = Markup("\n\n").join(
            [await greeting(actor, update, context, tr), help_text(actor, tr)]
        )
        await reply(update, context, text, keyboard=help_keyboard(actor, tr))
        return
    await reply(update, context, help_text(actor, tr), keyboard=help_keyboard(actor, tr))


@guarded
async def help_more_button(update: Update, context: BotContext) -> None:
    """Show the rest of the presser's commands in place of the button."""
    query = update.callback_query
    assert query is not None
    if not isinstance(help_keys.unpack(query.data or ""), help_keys.More):
        raise InvalidInput("error.stale_button")
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    await answer(update, context)
    if query.message is None:
        return
    await edit_buttons(update, context, None)
    await reply(update, context, help_text(actor, tr, more=True), quote=False)


@guarded
async def whoami_command(update: Update, context: BotContext) -> None:
    """Tell anyone their numeric Telegram id, their name and what they are bound as."""
    user = update.effective_user
    assert user is not None
    services = context.services
    await services.people.seen(user.id, user.first_name, user.username, private=True)
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    role = commands.primary(actor)
    if actor.cadre is not None:
        role_text = tr(f"start.role_{actor.cadre.role.value}", name=actor.cadre.name)
    elif actor.is_admin:
        role_text = tr("start.role_admin_config")
    elif actor.enterprise_id is not None:
        name = await services.people.enterprise_name(actor.enterprise_id)
        role_text = tr("start.role_contact", name=name or "")
    else:
        role_text = tr("start.role_none")
    lines = [tr("start.whoami", id=user.id, name=user.full_name, role=role_text)]
    if role is Audience.ANYONE:
        lines.append(tr("start.whoami_admin_hint"))
    await reply(update, context, Markup("\n").join(lines))


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


@guarded
async def lang_command(update: Update, context: BotContext) -> None:
    """Switch the user's language: /lang zh or /lang en."""
    user = update.effective_user
    assert user is not None
    if not context.args or context.args[0].lower() not in (
        "zh",
        "zh_cn",
        "cn",
        "中文",
        "en",
        "english",
    ):
        tr = await tr_of(update, context)
        await reply(update, context, tr("lang.usage", locales=", ".join(LOCALES)))
        return
    choice = context.args[0].lower()
    locale = "zh_CN" if choice in ("cn", "中文") else normalize_locale(choice)
    await context.services.people.set_locale(user.id, locale)
    actor = await actor_of(update, context)
    if actor.is_staff and _private(update):
        # Staff have a menu of their own, in their language: follow the switch.
        await set_commands(
            update, context, commands.menu(commands.audiences(actor), Translator(locale))
        )
    await reply(update, context, Translator(locale)("lang.done"))


def register(app: BotApplication, *, group: int) -> None:
    """Register /start, /help, its "more" button, /whoami and /lang."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start_command, filters=private), group=group)
    app.add_handler(CommandHandler("help", help_command), group=group)
    app.add_handler(CallbackQueryHandler(help_more_button, pattern=help_keys.PATTERN), group=group)
    app.add_handler(CommandHandler("whoami", whoami_command, filters=private), group=group)
    app.add_handler(CommandHandler("lang", lang_command), group=group)
