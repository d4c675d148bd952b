"""Less central Bot API methods with simple but real semantics.

Pinning, leaving, member counts, the bot's profile texts and the menu
button: enough for a bot's setup code and housekeeping to run unchanged.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sandbox.outgoing import check_web_app
from sandbox.registry import JSON, Ctx, Registry
from sandbox.schema import bad_request
from sandbox.state import ChatState

registry = Registry()

_PROFILE_LIMITS = {"name": 64, "description": 512, "short_description": 120}


def _chat(ctx: Ctx, params: JSON) -> ChatState:
    chat = ctx.state.resolve_chat(ctx.bot, params["chat_id"])
    if chat is None:
        raise bad_request("chat not found")
    return chat


@registry.method("pinChatMessage")
async def pin_chat_message(ctx: Ctx, params: JSON) -> Any:
    """Pin an existing message (the pin itself is not modelled further)."""
    chat = _chat(ctx, params)
    if params["message_id"] not in chat.messages:
        raise bad_request("message to pin not found")
    return True


@registry.method("unpinChatMessage", "unpinAllChatMessages")
async def unpin_chat_message(ctx: Ctx, params: JSON) -> Any:
    """Unpinning always succeeds for an existing chat."""
    _chat(ctx, params)
    return True


@registry.method("leaveChat")
async def leave_chat(ctx: Ctx, params: JSON) -> Any:
    """The bot leaves a group; later sends there fail with 403."""
    chat = _chat(ctx, params)
    if chat.chat["type"] == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.members[ctx.bot.user["id"]] = "left"
    return True


@registry.method("getChatMemberCount")
async def get_chat_member_count(ctx: Ctx, params: JSON) -> Any:
    """Members that are currently in the chat."""
    chat = _chat(ctx, params)
    return sum(1 for s in chat.members.values() if s not in ("left", "kicked"))


def _profile_key(field: str, params: JSON) -> str:
    return json.dumps([field, params.get("language_code", "")])


def _setter(field: str) -> Any:
    async def handler(ctx: Ctx, params: JSON) -> Any:
        value = params.get(field, "")
        if len(value) > _PROFILE_LIMITS[field]:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        ctx.bot.profile[_profile_key(field, params)] = value
        return True

    return handler


def _getter(field: str) -> Any:
    async def handler(ctx: Ctx, params: JSON) -> Any:
        value = ctx.bot.profile.get(_profile_key(field, params))
        if value is None and field == "name":
            value = ctx.bot.user["first_name"]
        return {field: value or ""}

    return handler


for _field, _suffix in (
    ("name", "Name"),
    ("description", "Description"),
    ("short_description", "ShortDescription"),
):
    registry.method(f"setMy{_suffix}")(_setter(_field))
    registry.method(f"getMy{_suffix}")(_getter(_field))


@registry.method("setChatMenuButton")
async def set_chat_menu_button(ctx: Ctx, params: JSON) -> Any:
    """Store the menu button (per chat, or the default one)."""
    button = params.get("menu_button") or {"type": "default"}
    kind = button.get("type")
    if kind not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if kind == "web_app":
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("can't parse menu button JSON object: text must be non-empty")
        check_web_app(button.get("web_app"), "menu button")
    ctx.bot.profile[json.dumps(["menu", params.get("chat_id")])] = button
    return True


@registry.method("getChatMenuButton")
async def get_chat_menu_button(ctx: Ctx, params: JSON) -> Any:
    """The stored menu button, falling back to the default one."""
    stored = ctx.bot.profile.get(json.dumps(["menu", params.get("chat_id")]))
    if stored is None:
        stored = ctx.bot.profile.get(json.dumps(["menu", None]), {"type": "commands"})
    return copy.deepcopy(stored)
