"""In-memory world of the sandbox: bots, users, chats, messages, files, logs.

Everything is plain dicts shaped like Bot API objects so that results can be
returned verbatim and python-telegram-bot can ``de_json`` them.  All mutation
happens on the event loop thread, so no locking is needed.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox.limits import FaultInjector, FloodLimiter
from sandbox.schema import ApiError

JSON = dict[str, Any]

# Update types delivered when allowed_updates is empty (Telegram's default).
DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class ControlError(Exception):
    """A control-API misuse (not a Bot API error): unknown user, bad button..."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class FileRecord:
    """A stored file: what getFile describes and /file/ serves."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    photo_sizes: list[JSON] | None = None


@dataclass
class ChatState:
    """A chat with its members and message history (ids are per chat)."""

    chat: JSON
    members: dict[int, str] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1
    # message_id -> token of the bot that posted it (channel posts carry no "from").
    bot_authors: dict[int, str] = field(default_factory=dict)
    # A basic group upgraded to a supergroup: the new chat's id (the old one is read-only).
    migrated_to: int | None = None
    # A channel's discussion group (or a group's channel): posts are forwarded there.
    linked_chat_id: int | None = None

    def new_message_id(self) -> int:
        """Allocate the next message id of this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class Poll:
    """One in-flight getUpdates long poll."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    conflicted: bool = False


@dataclass
class Webhook:
    """Webhook configuration and delivery status of one bot."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotState:
    """Per-bot state: identity, update queue, subscribers, commands."""

    token: str
    user: JSON
    can_read_all_group_messages: bool
    updates: list[JSON] = field(default_factory=list)
    next_update_id: int = 100_000_001
    allowed_updates: list[str] = field(default_factory=list)
    webhook: Webhook | None = None
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    private: dict[int, ChatState] = field(default_factory=dict)
    poll: Poll | None = None
    webhook_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, update_type: str) -> bool:
        """Whether allowed_updates lets *update_type* through."""
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in DEFAULT_EXCLUDED_UPDATES

    def enqueue(self, update_type: str, payload: JSON) -> JSON | None:
        """Queue an update and wake whoever consumes this bot's updates."""
        if not self.wants(update_type):
            return None
        update = {"update_id": self.next_update_id, update_type: payload}
        self.next_update_id += 1
        self.updates.append(update)
        if self.poll is not None:
            self.poll.event.set()
        self.webhook_wake.set()
        return update


def _token_digest(*parts: object) -> str:
    raw = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class SandboxState:
    """The whole emulated world, shared by the Bot API and control sides."""

    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, JSON] = {}
        self.sent_log: list[JSON] = []
        self.call_log: list[JSON] = []
        self.answers: list[JSON] = []
        self.call_counts: Counter[str] = Counter()
        self.response_counts: Counter[int] = Counter()
        self.sent_counts: Counter[int] = Counter()
        self.fault_counts: Counter[str] = Counter()
        self.faults = FaultInjector()
        self.limiter = FloodLimiter()
        self._seq = 0
        self._counter = 0

    # --- identifiers ------------------------------------------------------
    def next_seq(self) -> int:
        """Global sequence shared by the sent and calls logs (orders them)."""
        self._seq += 1
        return self._seq

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def new_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        extension: str = "jpg",
    ) -> FileRecord:
        """Register a file with fresh, realistic-looking identifiers."""
        n = self._next()
        prefix = {"photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI"}.get(kind, "CAACAgI")
        record = FileRecord(
            file_id=prefix + _token_digest(kind, n)[:48],
            file_unique_id="AQAD" + _token_digest("u", kind, n)[:12],
            kind=kind,
            data=data,
            file_path=f"{kind}s/file_{n}.{extension}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    def new_photo(self, data: bytes | None = None) -> list[JSON]:
        """Create the PhotoSize ladder Telegram generates for one photo."""
        sizes: list[JSON] = []
        for width, height in ((90, 68), (320, 240), (800, 600), (1280, 960)):
            size = len(data) if data is not None and width == 1280 else width * height // 12
            content = (
                data
                if data is not None and width == 1280
                else b"\xff\xd8\xff\xe0" + bytes(size - 4)
            )
            record = self.new_file("photo", content, mime_type="image/jpeg")
            sizes.append(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(content),
                }
            )
        for photo_size in sizes:
            self.files[photo_size["file_id"]].photo_sizes = sizes
        return sizes

    def document_object(self, record: FileRecord) -> JSON:
        """The Document object describing *record*."""
        doc: JSON = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": len(record.data),
        }
        if record.file_name:
            doc["file_name"] = record.file_name
        if record.mime_type:
            doc["mime_type"] = record.mime_type
        return doc

    # --- lookups ----------------------------------------------------------
    def bot(self, token: str) -> BotState | None:
        """The bot owning *token*, if any."""
        return self.bots.get(token)

    def default_bot(self, token: str | None = None) -> BotState:
        """The named bot, or the first one created (control calls' default)."""
        if token is not None:
            bot = self.bots.get(token)
            if bot is None:
                raise ControlError(f"unknown bot token {token!r}", 404)
            return bot
        if not self.bots:
            raise ControlError("no bot created yet", 404)
        return next(iter(self.bots.values()))

    def user(self, user_id: int) -> JSON:
        """A known user (control side)."""
        user = self.users.get(int(user_id))
        if user is None:
            raise ControlError(f"unknown user {user_id}", 404)
        return user

    def private_chat(self, bot: BotState, user: JSON) -> ChatState:
        """The private chat between *bot* and *user*, created lazily."""
        chat = bot.private.get(user["id"])
        if chat is None:
            info: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if user.get(key):
                    info[key] = user[key]
            chat = ChatState(chat=info, members={user["id"]: "member", bot.user["id"]: "member"})
            bot.private[user["id"]] = chat
        return chat

    def resolve_chat(self, bot: BotState, chat_id: int | str) -> ChatState | None:
        """Chat addressed by a Bot API ``chat_id`` (id or @username), if it exists.

        Raises :class:`ApiError` with ``migrate_to_chat_id`` for a group upgraded to a
        supergroup, as the real server answers every call addressed to the old id.
        """
        if isinstance(chat_id, str):
            name = chat_id.lstrip("@").lower()
            for chat in self.chats.values():
                if str(chat.chat.get("username", "")).lower() == name:
                    return chat
            return None
        if chat_id in self.chats:
            chat = self.chats[chat_id]
            if chat.migrated_to is not None:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    migrate_to_chat_id=chat.migrated_to,
                )
            return chat
        user = self.users.get(chat_id)
        if user is not None and not user.get("is_bot"):
            return self.private_chat(bot, user)
        return None

    def snapshot(self, message: JSON) -> JSON:
        """Deep copy of a stored message, safe to hand out or embed."""
        return copy.deepcopy(message)

    def now(self) -> int:
        """Unix time as Telegram reports it (whole seconds)."""
        return int(time.time())
