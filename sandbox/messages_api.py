"""Bot API methods that create or change messages.

sendMessage, sendPhoto, sendDocument, editMessageText/Caption/ReplyMarkup,
deleteMessage.  Every handler validates completely before the flood limiter
is consulted and before anything is stored, so refused calls have no effect.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from sandbox.outgoing import (
    check_reply_markup,
    format_text,
    resolve_reply,
    sender_fields,
    target_chat,
)
from sandbox.registry import JSON, Ctx, Registry
from sandbox.schema import ApiError, Upload, bad_request
from sandbox.state import ChatState

registry = Registry()

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def _log_sent(ctx: Ctx, chat: ChatState, message: JSON, parse_mode: str | None) -> None:
    """Record a send/edit for the control side's sent() view."""
    entry: JSON = {
        "seq": ctx.state.next_seq(),
        "method": ctx.method,
        "bot": ctx.bot.user.get("username"),
        "chat_id": chat.chat["id"],
        "message_id": message["message_id"],
        "text": message.get("text", message.get("caption")),
        "entities": message.get("entities", message.get("caption_entities", [])),
        "reply_to_message_id": (message.get("reply_to_message") or {}).get("message_id"),
        "reply_markup": message.get("reply_markup"),
        "parse_mode": parse_mode,
        "date": message["date"],
    }
    if "photo" in message:
        entry["photo"] = message["photo"][-1]["file_id"]
    if "document" in message:
        entry["document"] = message["document"]["file_id"]
    ctx.state.sent_log.append(entry)


def _commit(ctx: Ctx, chat: ChatState, body: JSON, params: JSON) -> JSON:
    """Flood-check, then store the message and log it. Returns the Message."""
    retry = ctx.state.limiter.check(ctx.bot.token, chat.chat["id"], chat.chat["type"])
    if retry is not None:
        raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
    message: JSON = {
        "message_id": chat.new_message_id(),
        **sender_fields(ctx, chat),
        "chat": dict(chat.chat),
        "date": ctx.state.now(),
    }
    message.update(body)
    chat.messages[message["message_id"]] = message
    chat.bot_authors[message["message_id"]] = ctx.bot.token
    ctx.state.sent_counts[chat.chat["id"]] += 1
    _log_sent(ctx, chat, message, params.get("parse_mode"))
    return ctx.state.snapshot(message)


def _common(ctx: Ctx, params: JSON) -> tuple[ChatState, JSON]:
    """Chat, reply and markup checks shared by all send methods."""
    chat = target_chat(ctx, params["chat_id"])
    body: JSON = {}
    reply = resolve_reply(chat, params)
    if reply is not None:
        body["reply_to_message"] = reply
    markup = check_reply_markup(params.get("reply_markup"), chat.chat["type"])
    if markup is not None:
        body["reply_markup"] = markup
    return chat, body


def _caption(params: JSON, body: JSON) -> None:
    caption = params.get("caption")
    if caption:
        text, entities = format_text(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        if text:
            body["caption"] = text
            if entities:
                body["caption_entities"] = entities


@registry.method("sendMessage")
async def send_message(ctx: Ctx, params: JSON) -> Any:
    """Send a text message."""
    chat, body = _common(ctx, params)
    text, entities = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
    body["text"] = text
    if entities:
        body["entities"] = entities
    return _commit(ctx, chat, body, params)


def _file_from_param(ctx: Ctx, value: Upload | str, want: str) -> Any:
    """Resolve an "InputFile or String" value to a stored file."""
    state = ctx.state
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        if want == "photo":
            return state.new_photo(value.data)
        mime = value.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
        ext = value.filename.rsplit(".", 1)[-1] if "." in value.filename else "bin"
        return state.new_file(
            "document", value.data, file_name=value.filename, mime_type=mime, extension=ext
        )
    record = state.files.get(value)
    if record is None:
        if value.startswith(("http://", "https://")):
            # The sandbox cannot fetch URLs; pretend the download succeeded.
            if want == "photo":
                return state.new_photo()
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return state.new_file(
                "document",
                b"%PDF-1.4\n",
                file_name=name,
                mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            )
        raise bad_request("wrong file identifier/HTTP URL specified")
    if want == "photo":
        if record.kind != "photo" or record.photo_sizes is None:
            raise bad_request(f"can't use file of type {record.kind.title()} as Photo")
        return record.photo_sizes
    if record.kind != "document":
        raise bad_request(f"can't use file of type {record.kind.title()} as Document")
    return record


@registry.method("sendPhoto")
async def send_photo(ctx: Ctx, params: JSON) -> Any:
    """Send a photo by file_id, URL or multipart upload."""
    chat, body = _common(ctx, params)
    _caption(params, body)
    body["photo"] = [dict(size) for size in _file_from_param(ctx, params["photo"], "photo")]
    return _commit(ctx, chat, body, params)


@registry.method("sendDocument")
async def send_document(ctx: Ctx, params: JSON) -> Any:
    """Send a document by file_id, URL or multipart upload."""
    chat, body = _common(ctx, params)
    _caption(params, body)
    body["document"] = ctx.state.document_object(
        _file_from_param(ctx, params["document"], "document")
    )
    return _commit(ctx, chat, body, params)


def _editable(ctx: Ctx, params: JSON) -> tuple[ChatState, JSON]:
    """The stored bot message an edit method targets."""
    if "inline_message_id" in params:
        raise bad_request("message to edit not found")  # no inline mode in the sandbox
    if "chat_id" not in params:
        raise bad_request("chat_id is required")
    if "message_id" not in params:
        raise bad_request("message_id is required")
    chat = ctx.state.resolve_chat(ctx.bot, params["chat_id"])
    if chat is None:
        raise bad_request("chat not found")
    message = chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if chat.bot_authors.get(params["message_id"]) != ctx.bot.token:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(ctx: Ctx, chat: ChatState, message: JSON, changes: JSON, params: JSON) -> Any:
    """Apply *changes* (None values delete keys) unless nothing changes."""
    if all(message.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = ctx.state.now()
    _log_sent(ctx, chat, message, params.get("parse_mode"))
    return ctx.state.snapshot(message)


@registry.method("editMessageText")
async def edit_message_text(ctx: Ctx, params: JSON) -> Any:
    """Replace text (and keyboard: omitting reply_markup removes it, as on Telegram)."""
    chat, message = _editable(ctx, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(params["text"], params.get("parse_mode"), params.get("entities"))
    changes = {
        "text": text,
        "entities": entities or None,
        "reply_markup": check_reply_markup(params.get("reply_markup"), chat.chat["type"]),
    }
    return _apply_edit(ctx, chat, message, changes, params)


@registry.method("editMessageCaption")
async def edit_message_caption(ctx: Ctx, params: JSON) -> Any:
    """Replace the caption of a photo/document message."""
    chat, message = _editable(ctx, params)
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    body: JSON = {}
    _caption(params, body)
    changes = {
        "caption": body.get("caption"),
        "caption_entities": body.get("caption_entities"),
        "reply_markup": check_reply_markup(params.get("reply_markup"), chat.chat["type"]),
    }
    return _apply_edit(ctx, chat, message, changes, params)


@registry.method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: Ctx, params: JSON) -> Any:
    """Replace (or, when omitted, remove) the inline keyboard."""
    chat, message = _editable(ctx, params)
    changes = {"reply_markup": check_reply_markup(params.get("reply_markup"), chat.chat["type"])}
    return _apply_edit(ctx, chat, message, changes, params)


@registry.method("deleteMessage")
async def delete_message(ctx: Ctx, params: JSON) -> Any:
    """Delete a message: own ones anywhere, others' in private chats or as admin."""
    chat = ctx.state.resolve_chat(ctx.bot, params["chat_id"])
    if chat is None:
        raise bad_request("chat not found")
    message = chat.messages.get(params["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    own = chat.bot_authors.get(params["message_id"]) == ctx.bot.token
    admin = chat.members.get(ctx.bot.user["id"]) in ("administrator", "creator")
    if not own and chat.chat["type"] != "private" and not admin:
        raise bad_request("message can't be deleted")
    del chat.messages[params["message_id"]]
    chat.bot_authors.pop(params["message_id"], None)
    return True
