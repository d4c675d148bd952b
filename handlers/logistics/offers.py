"""The logistics exchange: /truck and /cargo (one-line forms), /mytrucks, /mycargo, /done, and the
match (接受 / 不合适) and withdraw buttons. The guided conversation is in `conversation`.

Posting happens in private chat only, so contacts never land in a group.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.domain import numbers
from bot.domain.logistics_forms import parse_cargo, parse_truck
from bot.errors import InvalidInput
from bot.render import logistics as render
from bot.render.keyboards import logistics as keys
from bot.services.logistics.service import PostedCargo, PostedTruck
from handlers.common import actor_of, answer, guarded, number_arg, reply, rest_text, tr_of
from handlers.logistics import conversation
from handlers.logistics.conversation import announce


async def _post_command(update: Update, context: BotContext, kind: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type != "private":
        raise InvalidInput("logistics.private_only")
    actor = await actor_of(update, context)
    text = rest_text(update, 1)
    if not text.strip():
        await conversation.start(update, context, kind)
        return
    service = context.services.logistics
    service.require_poster(actor)
    ahead = service.rules.max_days_ahead
    posted: PostedTruck | PostedCargo
    if kind == "truck":
        form = parse_truck(text, service.today(), max_days_ahead=ahead)
        posted = await service.post_truck(actor, form)
    else:
        cargo = parse_cargo(text, service.today(), max_days_ahead=ahead)
        posted = await service.post_cargo(actor, cargo)
    await announce(update, context, posted)


@guarded
async def truck_command(update: Update, context: BotContext) -> None:
    """/truck [FORM]: post a truck offer (车源), from one line or step by step."""
    await _post_command(update, context, "truck")


@guarded
async def cargo_command(update: Update, context: BotContext) -> None:
    """/cargo [FORM]: post a cargo request (货源), from one line or step by step."""
    await _post_command(update, context, "cargo")


@guarded
async def mytrucks_command(update: Update, context: BotContext) -> None:
    """List my live truck offers with withdraw buttons."""
    offers = await context.services.logistics.my_trucks(await actor_of(update, context))
    text, keyboard = render.my_trucks(offers, await tr_of(update, context))
    await reply(update, context, text, keyboard=keyboard)


@guarded
async def mycargo_command(update: Update, context: BotContext) -> None:
    """List my open and matched cargo requests with withdraw buttons."""
    requests = await context.services.logistics.my_cargo(await actor_of(update, context))
    text, keyboard = render.my_cargo(requests, await tr_of(update, context))
    await reply(update, context, text, keyboard=keyboard)


@guarded
async def done_command(update: Update, context: BotContext) -> None:
    """/done MATCH: record an accepted match as shipped."""
    match_id = number_arg(context.args, 0, numbers.MATCH, "logistics.usage_done")
    actor = await actor_of(update, context)
    await context.services.logistics.matcher.complete(actor, match_id)
    tr = await tr_of(update, context)
    await reply(update, context, tr("logistics.completed", match=match_id))


@guarded
async def match_button(update: Update, context: BotContext) -> None:
    """Accept (接受) or decline (不合适) a match, or withdraw a post; re-checked on the server."""
    query = update.callback_query
    assert query is not None
    press = keys.unpack(query.data or "")
    if not isinstance(press, MATCH_KINDS):
        raise InvalidInput("error.stale_button")
    services = context.services
    actor = await actor_of(update, context)
    tr = await tr_of(update, context)
    if isinstance(press, keys.Accept | keys.Decline):
        number = press.match_id
        answered = await services.logistics.matcher.answer(
            actor, number, accept=isinstance(press, keys.Accept)
        )
        notice = {
            "waiting": "logistics.you_accepted",
            "declined": "logistics.you_declined",
            "gone": "logistics.match_gone",
        }.get(answered.outcome)
        await answer(update, context, tr(notice, match=number) if notice else None)
    elif isinstance(press, keys.WithdrawTruck):
        await services.logistics.withdraw_truck(actor, press.offer_id)
        await answer(update, context)
        text = tr("logistics.withdrawn_truck", id=press.offer_id)
        await reply(update, context, text, quote=False)
    else:
        await services.logistics.withdraw_cargo(actor, press.request_id)
        await answer(update, context)
        text = tr("logistics.withdrawn_cargo", id=press.request_id)
        await reply(update, context, text, quote=False)


MATCH_KINDS = (keys.Accept, keys.Decline, keys.WithdrawTruck, keys.WithdrawCargo)


def register(app: BotApplication, *, group: int) -> None:
    """Register the logistics commands and the match and withdraw buttons."""
    app.add_handler(CommandHandler("truck", truck_command), group=group)
    app.add_handler(CommandHandler("cargo", cargo_command), group=group)
    app.add_handler(CommandHandler("mytrucks", mytrucks_command), group=group)
    app.add_handler(CommandHandler("mycargo", mycargo_command), group=group)
    app.add_handler(CommandHandler("done", done_command), group=group)
    app.add_handler(
        CallbackQueryHandler(match_button, pattern=keys.pattern(*MATCH_KINDS)), group=group
    )
    conversation.register(app, group=group)
