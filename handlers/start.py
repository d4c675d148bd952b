"""/start (with an invitation payload), /help and /lang."""

from __future__ import annotations

from markupsafe import Markup
from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotApplication, BotContext
from bot.domain.models import Actor
from bot.errors import InviteRefused
from bot.i18n import LOCALES, Translator, normalize_locale
from handlers.common import actor_of, guarded, reply, tr_of

# Commands per audience, in the order /help shows them.
# Job posts (招聘信息): both audiences post and own them.
JOB_COMMANDS = ("job", "jobs", "myjobs", "jobedit", "jobfilled", "jobwithdraw", "hired", "cancel")
# Logistics exchange (车源/货源): enterprise contacts and cadres post and own them.
LOGISTICS_COMMANDS = ("truck", "cargo", "mytrucks", "mycargo", "done")
ENTERPRISE_COMMANDS = (
    "report",
    "mytickets",
    "ticket",
    *JOB_COMMANDS,
    *LOGISTICS_COMMANDS,
    "lang",
    "help",
)
CADRE_COMMANDS = (
    "mine",
    "ticket",
    "claim",
    "contact",
    "progress",
    "resolve",
    "transfer",
    "extend",
    "overdue",
    "blockers",
    "supervise",
    *JOB_COMMANDS,
    *LOGISTICS_COMMANDS,
    "lang",
    "help",
)
ADMIN_COMMANDS = ("bind", "unbind", "airing", "export")
ALL_COMMANDS = tuple(dict.fromkeys(ENTERPRISE_COMMANDS + CADRE_COMMANDS + ADMIN_COMMANDS))


def help_text(actor: Actor, tr: Translator) -> str:
    """The commands this user may use, in their language."""
    names: list[str] = []
    if actor.is_staff:
        names += CADRE_COMMANDS
    if actor.enterprise_id is not None or not actor.is_staff:
        names += ENTERPRISE_COMMANDS
    if actor.is_admin:
        names += ADMIN_COMMANDS
    lines = [tr("help.title")]
    lines += [tr(f"help.cmd_{name}") for name in dict.fromkeys(names)]
    lines.append(tr("help.footer"))
    return Markup("\n").join(lines)


@guarded
async def start_command(update: Update, context: BotContext) -> None:
    """Greet a user in private; redeem an invitation payload if one came with the link."""
    user = update.effective_user
    assert user is not None
    services = context.services
    await services.people.seen(user.id, user.first_name, user.username, private=True)
    tr = await tr_of(update, context)
    actor = await actor_of(update, context)
    if context.args:
        try:
            redeemed = await services.onboarding.redeem(
                user.id, context.args[0], admin=actor.config_admin
            )
        except InviteRefused as refused:
            await services.notifier.invite_refused(user.id, user.first_name, refused)
            raise
        await reply(update, context, tr(f"start.bound_{redeemed.kind}", name=redeemed.name))
        actor = await actor_of(update, context)
    await reply(update, context, tr("start.welcome") + "\n\n" + help_text(actor, tr))


@guarded
async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands the asker may use."""
    actor = await actor_of(update, context)
    await reply(update, context, help_text(actor, await tr_of(update, context)))


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
    await reply(update, context, Translator(locale)("lang.done"))


def register(app: BotApplication, *, group: int) -> None:
    """Register /start, /help and /lang."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start_command, filters=private), group=group)
    app.add_handler(CommandHandler("help", help_command), group=group)
    app.add_handler(CommandHandler("lang", lang_command), group=group)
