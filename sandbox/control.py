"""Control side, part 1: building the world and acting as users.

These methods are what a test calls to create users and chats and to make
users write, upload, press buttons or block the bot.  Each returns plain JSON
data so the same call works in-process and over the HTTP control API.
"""

from __future__ import annotations

import copy

from sandbox.control_chats import SandboxChatEvents
from sandbox.entities import detect_entities
from sandbox.state import JSON, BotState, ChatState, ControlError, SandboxState

CHAT_TYPES = ("group", "supergroup", "channel")
MEMBER_STATUSES = ("member", "administrator", "creator", "left", "kicked")


def _utf16_slice(text: str, offset: int, length: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[2 * offset : 2 * (offset + length)].decode("utf-16-le")


def visible_to(bot: BotState, message: JSON) -> bool:
    """Privacy mode: which group messages a bot without full access sees."""
    if bot.can_read_all_group_messages:
        return True
    reply = message.get("reply_to_message") or {}
    if (reply.get("from") or {}).get("id") == bot.user["id"]:
        return True
    text = str(message.get("text", message.get("caption", "")))
    name = str(bot.user.get("username", "")).lower()
    entities: list[JSON] = message.get("entities") or message.get("caption_entities") or []
    for entity in entities:
        piece = _utf16_slice(text, entity["offset"], entity["length"])
        if entity["type"] == "bot_command":
            _, at, target = piece.partition("@")
            if not at or target.lower() == name:
                return True
        elif entity["type"] == "mention" and piece[1:].lower() == name:
            return True
    return False


class SandboxControl(SandboxChatEvents):
    """World-building and user actions (mixed into TelegramSandbox)."""

    state: SandboxState

    def create_bot(
        self,
        token: str,
        username: str,
        first_name: str = "企业服务助手",
        can_read_all_group_messages: bool = True,
    ) -> JSON:
        """Register a bot; its id is the token's numeric prefix when present."""
        if token in self.state.bots:
            raise ControlError(f"bot token {token!r} already exists")
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 7_000_000_000 + len(self.state.bots) + 1
        user: JSON = {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}
        bot = BotState(
            token=token, user=user, can_read_all_group_messages=can_read_all_group_messages
        )
        self.state.bots[token] = bot
        for chat in self.state.chats.values():
            chat.members.setdefault(
                bot_id, "administrator" if chat.chat["type"] == "channel" else "member"
            )
        return dict(user)

    def create_user(
        self,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str = "zh-hans",
    ) -> JSON:
        """A new human user with a realistic 10-digit id."""
        user_id = 5_210_000_000 + (len(self.state.users) + 1) * 7_919
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.state.users[user_id] = user
        return dict(user)

    def create_chat(self, type: str, title: str | None = None, username: str | None = None) -> JSON:
        """A group, supergroup or channel; every bot becomes a member."""
        if type not in CHAT_TYPES:
            raise ControlError(
                f"chat type must be one of {CHAT_TYPES} (private chats are implicit)"
            )
        n = len(self.state.chats) + 1
        chat_id = -(4_100_000_000 + n * 13) if type == "group" else -(1_002_100_000_000 + n * 17)
        info: JSON = {"id": chat_id, "type": type, "title": title or f"Sandbox {type} {n}"}
        if username:
            info["username"] = username
        if type == "group":
            info["all_members_are_administrators"] = False
        chat = ChatState(chat=info)
        for bot in self.state.bots.values():
            chat.members[bot.user["id"]] = "administrator" if type == "channel" else "member"
        self.state.chats[chat_id] = chat
        return dict(info)

    def _group(self, chat_id: int) -> ChatState:
        chat = self.state.chats.get(int(chat_id))
        if chat is None:
            raise ControlError(f"unknown chat {chat_id}", 404)
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> JSON:
        """Set a user's (or bot's) membership status in a group/channel."""
        if status not in MEMBER_STATUSES:
            raise ControlError(f"status must be one of {MEMBER_STATUSES}")
        chat = self._group(chat_id)
        bot_ids = {b.user["id"] for b in self.state.bots.values()}
        if int(user_id) not in bot_ids:
            self.state.user(user_id)
        chat.members[int(user_id)] = status
        return {"chat_id": chat.chat["id"], "user_id": int(user_id), "status": status}

    def block_bot(self, user_id: int, bot_token: str | None = None) -> bool:
        """The user blocks the bot: sends to them fail with 403."""
        self.state.user(user_id)
        self.state.default_bot(bot_token).blocked.add(int(user_id))
        return True

    def unblock_bot(self, user_id: int, bot_token: str | None = None) -> bool:
        """The user unblocks the bot."""
        self.state.user(user_id)
        self.state.default_bot(bot_token).blocked.discard(int(user_id))
        return True

    # --- user messages ------------------------------------------------------
    def _post(
        self,
        chat_id: int,
        user_id: int,
        content: JSON,
        reply_to_message_id: int | None,
        bot_token: str | None,
        sender_chat_id: int | None = None,
    ) -> JSON:
        """Store a user's message and deliver it as updates."""
        user = self.state.user(user_id)
        chat_id, user_id = int(chat_id), int(user_id)
        if chat_id > 0:
            if chat_id != user_id:
                raise ControlError("a private chat's id is the user's id")
            if sender_chat_id is not None:
                raise ControlError("sender_chat_id only applies in supergroups")
            bot = self.state.default_bot(bot_token)
            chat = self.state.private_chat(bot, user)
            # Writing to a bot (e.g. pressing Restart) starts and unblocks it.
            bot.started.add(user_id)
            bot.blocked.discard(user_id)
        else:
            chat = self._group(chat_id)
            if chat.migrated_to is not None:
                raise ControlError(
                    f"chat {chat_id} was upgraded to supergroup {chat.migrated_to}; post there"
                )
            if chat.members.get(user_id) in (None, "left"):
                chat.members[user_id] = "member"  # convenience: join on first post
            elif chat.members[user_id] == "kicked":
                raise ControlError(f"user {user_id} is banned from chat {chat_id}", 403)
        message: JSON = {"message_id": chat.new_message_id()}
        message.update(self.sender_fields_for(chat, user, sender_chat_id))
        message.update(chat=dict(chat.chat), date=self.state.now())
        if reply_to_message_id is not None:
            target = chat.messages.get(int(reply_to_message_id))
            if target is None:
                raise ControlError(
                    f"message {reply_to_message_id} not found in chat {chat_id}", 404
                )
            embedded = copy.deepcopy(target)
            embedded.pop("reply_to_message", None)
            message["reply_to_message"] = embedded
        message.update(content)
        chat.messages[message["message_id"]] = message
        kind = "channel_post" if chat.chat["type"] == "channel" else "message"
        self._deliver(chat, message, kind, bot_token=bot_token)
        if chat.chat["type"] == "channel":
            self.auto_forward(chat, message)
        return copy.deepcopy(message)

    def _deliver(
        self, chat: ChatState, message: JSON, kind: str, *, bot_token: str | None = None
    ) -> None:
        """Queue *message* as a *kind* update for every bot that may see it in *chat*."""
        if chat.chat["type"] == "private":
            self.state.default_bot(bot_token).enqueue(kind, copy.deepcopy(message))
            return
        service = any(key.startswith("migrate_") for key in message)
        for bot in self.state.bots.values():
            if chat.members.get(bot.user["id"]) in (None, "left", "kicked"):
                continue
            # Service messages reach bots in privacy mode too.
            if service or visible_to(bot, message):
                bot.enqueue(kind, copy.deepcopy(message))

    def send_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        bot_token: str | None = None,
        sender_chat_id: int | None = None,
    ) -> JSON:
        """The user writes *text*; entities are detected like Telegram does.

        *sender_chat_id*: post anonymously (this supergroup's id; the user must be an
        administrator) or on behalf of a channel the user administers.
        """
        content = self.text_content(text)
        return self._post(chat_id, user_id, content, reply_to_message_id, bot_token, sender_chat_id)

    def _caption(self, caption: str | None) -> JSON:
        if not caption:
            return {}
        content: JSON = {"caption": caption}
        entities = detect_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return content

    def send_photo(
        self,
        chat_id: int,
        user_id: int,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        bot_token: str | None = None,
        sender_chat_id: int | None = None,
    ) -> JSON:
        """The user sends a photo (a fresh PhotoSize ladder)."""
        content = {"photo": self.state.new_photo(), **self._caption(caption)}
        return self._post(chat_id, user_id, content, reply_to_message_id, bot_token, sender_chat_id)

    def send_document(
        self,
        chat_id: int,
        user_id: int,
        file_name: str,
        mime_type: str = "application/pdf",
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        content: str | None = None,
        bot_token: str | None = None,
    ) -> JSON:
        """The user sends a document; *content* (text) becomes its bytes."""
        data = content.encode("utf-8") if content is not None else b"%PDF-1.4\n% sandbox\n"
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        record = self.state.new_file(
            "document", data, file_name=file_name, mime_type=mime_type, extension=ext
        )
        body = {"document": self.state.document_object(record), **self._caption(caption)}
        return self._post(chat_id, user_id, body, reply_to_message_id, bot_token)

    def press_button(
        self, chat_id: int, message_id: int, user_id: int, data: str, forge: bool = False
    ) -> str:
        """The user presses an inline button; returns the callback_query id."""
        user = self.state.user(user_id)
        chat_id = int(chat_id)
        bot: BotState | None = None
        chat: ChatState | None = None
        if chat_id > 0:
            for candidate in self.state.bots.values():
                if chat_id in candidate.private:
                    bot, chat = candidate, candidate.private[chat_id]
                    break
            if chat is None:
                raise ControlError(f"no private chat with {chat_id}", 404)
        else:
            chat = self._group(chat_id)
        message = chat.messages.get(int(message_id))
        if message is None:
            raise ControlError(f"message {message_id} not found in chat {chat_id}", 404)
        bot = self.state.bots.get(chat.bot_authors.get(int(message_id), ""))
        if bot is None:
            raise ControlError("only messages sent by a bot have inline buttons")
        buttons = [
            b.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        if not forge and data not in buttons:
            raise ControlError(
                f"no button with callback_data {data!r} on message {message_id}: {buttons}"
            )
        query_id = str(4_300_000_000_000_000_000 + len(self.state.callback_queries) * 1_000_003)
        self.state.callback_queries[query_id] = {
            "bot": bot.token,
            "answered": False,
            "user_id": user["id"],
            "data": data,
        }
        query = {
            "id": query_id,
            "from": dict(user),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat_id) * 31 + bot.user["id"]),
            "data": data,
        }
        bot.enqueue("callback_query", query)
        return query_id
