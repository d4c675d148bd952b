"""Bot API methods about the bot itself and update delivery.

getMe, logOut, close, getUpdates (long polling with Telegram's acknowledgement
and conflict rules), setWebhook/deleteWebhook/getWebhookInfo and the bot
command list methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
from typing import Any

from sandbox.registry import JSON, Ctx, Registry
from sandbox.schema import ApiError, bad_request
from sandbox.state import BotState, Poll, Webhook

registry = Registry()

CONFLICT_OTHER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@registry.method("getMe")
async def get_me(ctx: Ctx, params: JSON) -> Any:
    """The bot's User object with the bot-only capability flags."""
    user = dict(ctx.bot.user)
    user.update(
        can_join_groups=True,
        can_read_all_group_messages=ctx.bot.can_read_all_group_messages,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return user


@registry.method("logOut", "close")
async def log_out(ctx: Ctx, params: JSON) -> Any:
    """Nothing to release locally; the real server just says ok."""
    return True


def _acknowledge(bot: BotState, offset: int) -> None:
    """Apply Telegram's offset semantics to the pending queue."""
    if offset > 0:
        bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]
    elif offset < 0:
        # "-N": keep only the last N updates, forgetting everything before.
        bot.updates[:] = bot.updates[offset:]


def _check_allowed(allowed: list[Any]) -> list[str]:
    if not all(isinstance(item, str) for item in allowed):
        raise bad_request("field allowed_updates must be of type Array of String")
    return list(allowed)


@registry.method("getUpdates")
async def get_updates(ctx: Ctx, params: JSON) -> Any:
    """Long polling; a newer request makes an older in-flight one fail with 409."""
    bot = ctx.bot
    if bot.webhook is not None:
        raise ApiError(409, CONFLICT_WEBHOOK)
    if bot.poll is not None:
        bot.poll.conflicted = True
        bot.poll.event.set()
    poll = Poll()
    bot.poll = poll
    try:
        offset = int(params.get("offset", 0))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(int(params.get("timeout", 0)), 0)
        if "allowed_updates" in params:
            bot.allowed_updates = _check_allowed(params["allowed_updates"])
        _acknowledge(bot, offset)
        if not bot.updates and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poll.event.wait(), timeout)
            if poll.conflicted:
                raise ApiError(409, CONFLICT_OTHER)
            if bot.webhook is not None:
                raise ApiError(409, CONFLICT_WEBHOOK)
            _acknowledge(bot, offset if offset > 0 else 0)
        return copy.deepcopy(bot.updates[:limit])
    finally:
        if bot.poll is poll:
            bot.poll = None


@registry.method("setWebhook")
async def set_webhook(ctx: Ctx, params: JSON) -> Any:
    """Switch the bot to webhook delivery (an empty url removes the webhook)."""
    bot = ctx.bot
    url = params["url"]
    if params.get("drop_pending_updates"):
        bot.updates.clear()
    if "allowed_updates" in params:
        bot.allowed_updates = _check_allowed(params["allowed_updates"])
    if not url:
        bot.webhook = None
        ctx.webhooks.stop(bot)
        return True
    if not re.match(r"^https?://[^/\s]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = int(params.get("max_connections", 40))
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    bot.webhook = Webhook(url=url, secret_token=secret, max_connections=max_connections)
    if bot.poll is not None:
        # A waiting long poll cannot continue once a webhook exists.
        bot.poll.event.set()
    ctx.webhooks.start(bot)
    return True


@registry.method("deleteWebhook")
async def delete_webhook(ctx: Ctx, params: JSON) -> Any:
    """Back to getUpdates; optionally forget pending updates."""
    ctx.bot.webhook = None
    ctx.webhooks.stop(ctx.bot)
    if params.get("drop_pending_updates"):
        ctx.bot.updates.clear()
    return True


@registry.method("getWebhookInfo")
async def get_webhook_info(ctx: Ctx, params: JSON) -> Any:
    """WebhookInfo, with the last delivery error when there was one."""
    hook = ctx.bot.webhook
    info: JSON = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.bot.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    if ctx.bot.allowed_updates:
        info["allowed_updates"] = list(ctx.bot.allowed_updates)
    return info


def _scope_key(params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps([scope, params.get("language_code", "")], sort_keys=True)


@registry.method("setMyCommands")
async def set_my_commands(ctx: Ctx, params: JSON) -> Any:
    """Validate and store the command list for a scope and language."""
    commands = params["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands")
    clean: list[JSON] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": command, "description": description})
    ctx.bot.commands[_scope_key(params)] = clean
    return True


@registry.method("getMyCommands")
async def get_my_commands(ctx: Ctx, params: JSON) -> Any:
    """The command list stored for exactly this scope and language."""
    return copy.deepcopy(ctx.bot.commands.get(_scope_key(params), []))


@registry.method("deleteMyCommands")
async def delete_my_commands(ctx: Ctx, params: JSON) -> Any:
    """Forget the command list of this scope and language."""
    ctx.bot.commands.pop(_scope_key(params), None)
    return True
