"""Validation shared by every method that puts bot content into a chat.

Target chat checks (existence, 403s), text/caption formatting and length,
reply resolution and reply_markup validation live here so send and edit
methods apply exactly the same rules.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.entities import (
    EntityParseError,
    detect_entities,
    merge_entities,
    parse_html,
    utf16_len,
)
from sandbox.markdown import parse_markdown_v2
from sandbox.registry import JSON, Ctx
from sandbox.schema import ApiError, bad_request
from sandbox.state import ChatState

MAX_TEXT = 4096
MAX_CAPTION = 1024
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def target_chat(ctx: Ctx, chat_id: int | str) -> ChatState:
    """The chat the bot may write to, or the server's error for it."""
    chat = ctx.state.resolve_chat(ctx.bot, chat_id)
    if chat is None:
        if isinstance(chat_id, int) and chat_id in ctx.state.users:
            raise ApiError(403, "Forbidden: bot can't send messages to bots")
        raise bad_request("chat not found")
    info = chat.chat
    if info["type"] == "private":
        user_id = info["id"]
        if user_id in ctx.bot.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if user_id not in ctx.bot.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat
    status = chat.members.get(ctx.bot.user["id"], "left")
    if status == "kicked":
        kind = "channel" if info["type"] == "channel" else "group"
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
    if status == "left":
        raise ApiError(403, "Forbidden: bot is not a member of the group chat")
    if info["type"] == "channel" and status not in ("administrator", "creator"):
        raise bad_request("need administrator rights in the channel chat")
    return chat


def format_text(
    text: str, parse_mode: str | None, entities: list[Any] | None, *, caption: bool = False
) -> tuple[str, list[JSON]]:
    """Apply parse_mode or explicit entities; add auto-detected entities."""
    explicit: list[JSON]
    if entities is not None:
        if not all(isinstance(e, dict) and isinstance(e.get("type"), str) for e in entities):
            raise bad_request("can't parse entities JSON object")
        plain, explicit = text, [dict(e) for e in entities]
    elif parse_mode:
        mode = parse_mode.lower()
        try:
            if mode == "html":
                plain, explicit = parse_html(text)
            elif mode == "markdownv2":
                plain, explicit = parse_markdown_v2(text)
            elif mode == "markdown":
                plain, explicit = text, []
            else:
                raise bad_request(f"unsupported parse_mode {parse_mode}")
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        plain, explicit = text, []
    if caption:
        if utf16_len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
    return plain, merge_entities(explicit, detect_entities(plain))


def check_web_app(info: Any, what: str) -> None:
    """A WebAppInfo: an object with an https URL (Telegram opens Mini Apps over https only)."""
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str):
        raise bad_request(f"can't parse {what}: Web App URL must be a String")
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise bad_request(f"{what} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def check_reply_markup(markup: JSON | None, chat_type: str | None = None) -> JSON | None:
    """Validate reply_markup; return the part a Message echoes back (inline only).

    `chat_type` is the target chat's type: Web App buttons are allowed in private chats only.
    """
    if markup is None:
        return None
    if "inline_keyboard" not in markup:
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if not any(k in button for k in _BUTTON_ACTIONS):
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "web_app" in button:
                if chat_type is not None and chat_type != "private":
                    raise bad_request("BUTTON_TYPE_INVALID")
                check_web_app(button["web_app"], "inline keyboard button")
            data = button.get("callback_data")
            if data is not None and (
                not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64
            ):
                raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": copy.deepcopy(rows)}


def resolve_reply(chat: ChatState, params: JSON) -> JSON | None:
    """The message being replied to (reply_parameters or legacy fields)."""
    reply = params.get("reply_parameters")
    if reply is not None:
        message_id = reply.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise bad_request("can't parse reply parameters JSON object")
        allow = bool(reply.get("allow_sending_without_reply"))
        if reply.get("chat_id") not in (None, chat.chat["id"]):
            raise bad_request("message to be replied not found")
    elif "reply_to_message_id" in params:
        message_id = params["reply_to_message_id"]
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        return None
    target = chat.messages.get(message_id)
    if target is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    embedded = copy.deepcopy(target)
    embedded.pop("reply_to_message", None)  # Telegram nests only one level
    return embedded


def sender_fields(ctx: Ctx, chat: ChatState) -> JSON:
    """from/sender_chat of a message the bot posts in *chat*."""
    if chat.chat["type"] == "channel":
        return {"sender_chat": dict(chat.chat)}
    return {"from": dict(ctx.bot.user)}
