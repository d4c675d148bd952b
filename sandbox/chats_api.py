"""Bot API methods about chats, members, callbacks and files.

getChat, getChatMember, getChatAdministrators, sendChatAction,
answerCallbackQuery and getFile.
"""

from __future__ import annotations

from typing import Any

from sandbox.outgoing import target_chat
from sandbox.registry import JSON, Ctx, Registry
from sandbox.schema import bad_request
from sandbox.state import ChatState

registry = Registry()

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def _chat(ctx: Ctx, chat_id: int | str) -> ChatState:
    chat = ctx.state.resolve_chat(ctx.bot, chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def member_object(user: JSON, status: str) -> JSON:
    """A ChatMember of the right subtype for *status*."""
    member: JSON = {"user": dict(user), "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update({right: True for right in _ADMIN_RIGHTS})
    elif status == "kicked":
        member["until_date"] = 0
    return member


@registry.method("getChat")
async def get_chat(ctx: Ctx, params: JSON) -> Any:
    """ChatFullInfo with the fields python-telegram-bot requires."""
    chat = _chat(ctx, params["chat_id"])
    info: JSON = dict(chat.chat)
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    if chat.chat["type"] in ("group", "supergroup"):
        info["permissions"] = {
            "can_send_messages": True,
            "can_send_photos": True,
            "can_send_documents": True,
            "can_invite_users": True,
        }
    return info


def _find_user(ctx: Ctx, user_id: int) -> JSON:
    user = ctx.state.users.get(user_id)
    if user is None:
        bot = next((b for b in ctx.state.bots.values() if b.user["id"] == user_id), None)
        if bot is None:
            raise bad_request("user not found")
        user = bot.user
    return user


@registry.method("getChatMember")
async def get_chat_member(ctx: Ctx, params: JSON) -> Any:
    """Membership of a user; unknown members are reported as "left"."""
    chat = _chat(ctx, params["chat_id"])
    user = _find_user(ctx, params["user_id"])
    return member_object(user, chat.members.get(user["id"], "left"))


@registry.method("getChatAdministrators")
async def get_chat_administrators(ctx: Ctx, params: JSON) -> Any:
    """Creator and administrators, in that order."""
    chat = _chat(ctx, params["chat_id"])
    if chat.chat["type"] == "private":
        raise bad_request("there are no administrators in the private chat")
    ranked = sorted(
        (uid for uid, status in chat.members.items() if status in ("creator", "administrator")),
        key=lambda uid: chat.members[uid] != "creator",
    )
    return [member_object(_find_user(ctx, uid), chat.members[uid]) for uid in ranked]


@registry.method("sendChatAction")
async def send_chat_action(ctx: Ctx, params: JSON) -> Any:
    """Same chat checks as sending; nothing is stored."""
    target_chat(ctx, params["chat_id"])
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@registry.method("answerCallbackQuery")
async def answer_callback_query(ctx: Ctx, params: JSON) -> Any:
    """Answer a pressed button once; unknown or repeated ids are refused."""
    query_id = params["callback_query_id"]
    query = ctx.state.callback_queries.get(query_id)
    if query is None or query["bot"] != ctx.bot.token or query["answered"]:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = True
    ctx.state.answers.append(
        {
            "seq": ctx.state.next_seq(),
            "callback_query_id": query_id,
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
            "user_id": query["user_id"],
            "data": query["data"],
        }
    )
    return True


@registry.method("getFile")
async def get_file(ctx: Ctx, params: JSON) -> Any:
    """File description; the content is served under /file/bot<token>/<path>."""
    record = ctx.state.files.get(params["file_id"])
    if record is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
        "file_path": record.file_path,
    }
