"""Control side, part 3: what Telegram itself does around users' messages.

Anonymous group admins and posts on behalf of a channel (``sender_chat``), a channel's posts
forwarded into its linked discussion group (``is_automatic_forward``), users editing their
messages (``edited_message``), and a basic group upgraded to a supergroup: the
``migrate_to_chat_id`` / ``migrate_from_chat_id`` service messages, after which every Bot API
call addressed to the old id answers 400 with ``parameters.migrate_to_chat_id``
(see :meth:`sandbox.state.SandboxState.resolve_chat`).
"""

from __future__ import annotations

import copy

from sandbox.entities import detect_entities
from sandbox.state import JSON, ChatState, ControlError, SandboxState

# The accounts Telegram puts in "from" when the real sender is hidden or is Telegram itself.
GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT: JSON = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}
TELEGRAM_SERVICE: JSON = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
_ADMINS = ("administrator", "creator")
# What a channel post carries over into its automatic forward.
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "photo", "document")


class SandboxChatEvents:
    """Sender identities, automatic forwards, edits and group upgrades (mixed in)."""

    state: SandboxState

    def _group(self, chat_id: int) -> ChatState:
        raise NotImplementedError  # provided by SandboxControl

    def _deliver(
        self, chat: ChatState, message: JSON, kind: str, *, bot_token: str | None = None
    ) -> None:
        raise NotImplementedError  # provided by SandboxControl

    @staticmethod
    def text_content(text: str) -> JSON:
        """A text message body with the entities the server detects."""
        if not text.strip():
            raise ControlError("message text is empty")
        content: JSON = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return content

    def sender_fields_for(self, chat: ChatState, user: JSON, sender_chat_id: int | None) -> JSON:
        """``from`` / ``sender_chat`` of a message *user* posts in *chat*."""
        if chat.chat["type"] == "channel":
            return {"sender_chat": dict(chat.chat)}
        if sender_chat_id is None:
            return {"from": dict(user)}
        if chat.chat["type"] != "supergroup":
            raise ControlError("only in supergroups can one post anonymously or as a channel")
        sender = self._group(int(sender_chat_id))
        if sender is chat:
            if chat.members.get(user["id"]) not in _ADMINS:
                raise ControlError("only administrators can post anonymously", 403)
            return {"from": dict(GROUP_ANONYMOUS_BOT), "sender_chat": dict(chat.chat)}
        if sender.chat["type"] != "channel":
            raise ControlError("sender_chat_id must be this supergroup or a channel")
        if sender.members.get(user["id"]) not in _ADMINS:
            raise ControlError("only a channel's administrators post on its behalf", 403)
        return {"from": dict(CHANNEL_BOT), "sender_chat": dict(sender.chat)}

    def link_chats(self, channel_id: int, group_id: int) -> bool:
        """Make supergroup *group_id* the discussion group of channel *channel_id*."""
        channel, group = self._group(int(channel_id)), self._group(int(group_id))
        if channel.chat["type"] != "channel" or group.chat["type"] != "supergroup":
            raise ControlError("link a channel to a supergroup")
        channel.linked_chat_id = group.chat["id"]
        group.linked_chat_id = channel.chat["id"]
        return True

    def auto_forward(self, channel: ChatState, post: JSON) -> None:
        """Forward a new channel post into the channel's discussion group, as Telegram does."""
        if channel.linked_chat_id is None:
            return
        group = self.state.chats.get(channel.linked_chat_id)
        if group is None:
            return
        message: JSON = {
            "message_id": group.new_message_id(),
            "from": dict(TELEGRAM_SERVICE),
            "sender_chat": dict(channel.chat),
            "chat": dict(group.chat),
            "date": self.state.now(),
            "forward_origin": {
                "type": "channel",
                "chat": dict(channel.chat),
                "message_id": post["message_id"],
                "date": post["date"],
            },
            "is_automatic_forward": True,
        }
        message.update({k: copy.deepcopy(post[k]) for k in _CONTENT_KEYS if k in post})
        group.messages[message["message_id"]] = message
        self._deliver(group, message, "message")

    def edit_message(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        text: str,
        bot_token: str | None = None,
    ) -> JSON:
        """The user edits the text of their own message; bots get ``edited_message``."""
        user = self.state.user(user_id)
        chat_id = int(chat_id)
        if chat_id > 0:
            chat = self.state.private_chat(self.state.default_bot(bot_token), user)
        else:
            chat = self._group(chat_id)
        message = chat.messages.get(int(message_id))
        if message is None:
            raise ControlError(f"message {message_id} not found in chat {chat_id}", 404)
        author = (message.get("from") or {}).get("id")
        anonymous = "sender_chat" in message and chat.members.get(user["id"]) in _ADMINS
        if author != user["id"] and not anonymous:
            raise ControlError("a user can only edit their own messages", 403)
        if "text" not in message:
            raise ControlError("only text messages can be edited here")
        for key in ("text", "entities"):
            message.pop(key, None)
        message.update(self.text_content(text))
        message["edit_date"] = self.state.now()
        kind = "edited_channel_post" if chat.chat["type"] == "channel" else "edited_message"
        self._deliver(chat, message, kind, bot_token=bot_token)
        return copy.deepcopy(message)

    def upgrade_group(self, chat_id: int, user_id: int) -> JSON:
        """The group's creator upgrades a basic group to a supergroup; returns the new Chat.

        Both service messages are delivered (``migrate_to_chat_id`` in the old group,
        ``migrate_from_chat_id`` in the new supergroup); members, bots included, move over.
        """
        old = self._group(int(chat_id))
        user = self.state.user(user_id)
        if old.chat["type"] != "group" or old.migrated_to is not None:
            raise ControlError("only a basic group can be upgraded, once")
        if old.members.get(user["id"]) != "creator":
            raise ControlError("only the group's creator can upgrade it", 403)
        n = len(self.state.chats) + 1
        info: JSON = {
            "id": -(1_002_100_000_000 + n * 17),
            "type": "supergroup",
            "title": old.chat["title"],
        }
        new = ChatState(chat=info, members=dict(old.members))
        self.state.chats[info["id"]] = new
        old.migrated_to = info["id"]
        now = self.state.now()
        farewell: JSON = {
            "message_id": old.new_message_id(),
            "from": dict(user),
            "chat": dict(old.chat),
            "date": now,
            "migrate_to_chat_id": info["id"],
        }
        old.messages[farewell["message_id"]] = farewell
        self._deliver(old, farewell, "message")
        welcome: JSON = {
            "message_id": new.new_message_id(),
            "from": dict(user),
            "chat": dict(info),
            "date": now,
            "migrate_from_chat_id": old.chat["id"],
        }
        new.messages[welcome["message_id"]] = welcome
        self._deliver(new, welcome, "message")
        return dict(info)
