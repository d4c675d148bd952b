"""Reading and owning job posts: /jobs (paged), /myjobs, /jobedit, /jobfilled, /jobwithdraw,
/hired, and the paging and owner buttons. Every press is re-checked in the service.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.domain import numbers
from bot.domain.recruiting import JobView
from bot.errors import InvalidInput
from bot.render import recruiting as render
from bot.render.keyboards import recruiting as keys
from handlers.common import actor_of, answer, edit, number_arg, reply, rest_text, tr_of
from handlers.recruiting.conversation import ask, job_guarded


def post_number(args: list[str] | None, command: str) -> int:
    """The post number argument (`3`, `#3`, `３`); a usage error if there is none."""
    return number_arg(args, 0, numbers.POST, "jobs.usage_post", command=command)


async def _show_page(update: Update, context: BotContext, keyword: str, page: int) -> None:
    services = context.services
    found = await services.recruiting.page(keyword, page)
    tr = await tr_of(update, context)
    text, keyboard = render.listing(found, keyword, tr, services.settings.park.tz)
    query = update.callback_query
    if query is not None and query.message is not None:
        # Turn the page in place rather than adding a message per press.
        await answer(update, context)
        await edit(update, context, text, keyboard=keyboard)
        return
    await reply(update, context, text, keyboard=keyboard)


@job_guarded
async def jobs_command(update: Update, context: BotContext) -> None:
    """/jobs [KEYWORD]: list open posts, a page at a time."""
    await _show_page(update, context, rest_text(update, 1).strip(), 0)


@job_guarded
async def page_button(update: Update, context: BotContext) -> None:
    """Turn a /jobs page; the page number and keyword are only a request, clamped on read."""
    query = update.callback_query
    assert query is not None
    press = keys.unpack(query.data or "")
    if not isinstance(press, keys.TurnPage):
        raise InvalidInput("jobs.err_stale_button")
    await _show_page(update, context, press.keyword, press.page)


@job_guarded
async def myjobs_command(update: Update, context: BotContext) -> None:
    """/myjobs: my posts, with edit / filled / withdraw buttons."""
    views = await context.services.recruiting.mine(await actor_of(update, context))
    tr = await tr_of(update, context)
    text, keyboard = render.mine(views, tr)
    await reply(update, context, text, keyboard=keyboard)


async def _after_close(update: Update, context: BotContext, view: JobView, key: str) -> None:
    tr = await tr_of(update, context)
    await reply(update, context, tr(key, id=view.post.id))


async def _edit(update: Update, context: BotContext, post_id: int) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise InvalidInput("jobs.err_private")
    actor = await actor_of(update, context)
    state = await context.services.job_conversations.start(actor, "job", edit=post_id)
    await ask(update, context, state)


@job_guarded
async def jobedit_command(update: Update, context: BotContext) -> None:
    """/jobedit N: change a post (opens the preview with its current values)."""
    await _edit(update, context, post_number(context.args, "jobedit"))


@job_guarded
async def jobfilled_command(update: Update, context: BotContext) -> None:
    """/jobfilled N: mark a post 已招满."""
    post_id = post_number(context.args, "jobfilled")
    view = await context.services.recruiting.fill(await actor_of(update, context), post_id)
    await _after_close(update, context, view, "jobs.filled")


@job_guarded
async def jobwithdraw_command(update: Update, context: BotContext) -> None:
    """/jobwithdraw N: withdraw a post."""
    post_id = post_number(context.args, "jobwithdraw")
    view = await context.services.recruiting.withdraw(await actor_of(update, context), post_id)
    await _after_close(update, context, view, "jobs.withdrawn")


@job_guarded
async def hired_command(update: Update, context: BotContext) -> None:
    """/hired N COUNT: report people hired through a post."""
    args = context.args or []
    if len(args) != 2:
        raise InvalidInput("jobs.usage_hired")
    post_id = post_number(args, "hired")
    count = number_arg(args, 1, numbers.HIRED, "jobs.usage_hired")
    view = await context.services.recruiting.report_hired(
        await actor_of(update, context), post_id, count
    )
    tr = await tr_of(update, context)
    await reply(
        update, context, tr("jobs.hired_saved", id=post_id, count=count, total=view.post.hired)
    )


@job_guarded
async def manage_button(update: Update, context: BotContext) -> None:
    """Edit / filled / withdraw buttons of /myjobs; the owner is checked again on the server."""
    query = update.callback_query
    assert query is not None
    press = keys.unpack(query.data or "")
    if not isinstance(press, keys.ManagePost):
        raise InvalidInput("jobs.err_stale_button")
    action, post_id = press.action, press.post_id
    actor = await actor_of(update, context)
    if action is keys.PostAction.EDIT:
        await answer(update, context)
        await _edit(update, context, post_id)
        return
    if action is keys.PostAction.FILL:
        view = await context.services.recruiting.fill(actor, post_id)
        key = "jobs.filled"
    else:
        view = await context.services.recruiting.withdraw(actor, post_id)
        key = "jobs.withdrawn"
    await answer(update, context)
    await _after_close(update, context, view, key)


def register(app: BotApplication, *, group: int) -> None:
    """Register the reading and owner commands and their buttons."""
    app.add_handler(CommandHandler("jobs", jobs_command), group=group)
    app.add_handler(CommandHandler("myjobs", myjobs_command), group=group)
    app.add_handler(CommandHandler("jobedit", jobedit_command), group=group)
    app.add_handler(CommandHandler("jobfilled", jobfilled_command), group=group)
    app.add_handler(CommandHandler("jobwithdraw", jobwithdraw_command), group=group)
    app.add_handler(CommandHandler("hired", hired_command), group=group)
    pages, manage = keys.pattern(keys.TurnPage), keys.pattern(keys.ManagePost)
    app.add_handler(CallbackQueryHandler(page_button, pattern=pages), group=group)
    app.add_handler(CallbackQueryHandler(manage_button, pattern=manage), group=group)
