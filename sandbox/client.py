"""SandboxClient: drive a TelegramSandbox's control API over HTTP.

Works against an emulator in another process (``python -m sandbox serve``) or
in the same process; every method maps 1:1 to ``POST <control_url>/<name>``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from sandbox.observe import describe_wait_failure

JSON = dict[str, Any]


class SandboxControlError(Exception):
    """The control API refused a call (bad button, unknown user...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class SandboxClient:
    """Async client: ``async with SandboxClient(control_url) as c: ...``."""

    def __init__(self, control_url: str, timeout: float = 30.0) -> None:
        self.control_url = control_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout)

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying HTTP connection pool."""
        await self._http.aclose()

    async def _call(self, action: str, **kwargs: Any) -> Any:
        payload = {k: v for k, v in kwargs.items() if v is not None}
        resp = await self._http.post(f"{self.control_url}/{action}", json=payload)
        data = resp.json()
        if not data.get("ok"):
            raise SandboxControlError(resp.status_code, str(data.get("error")))
        return data["result"]

    # --- world building ---------------------------------------------------------
    async def create_bot(
        self,
        token: str,
        username: str,
        first_name: str = "企业服务助手",
        can_read_all_group_messages: bool = True,
    ) -> JSON:
        """Register a bot; returns its User."""
        return await self._call(
            "create_bot",
            token=token,
            username=username,
            first_name=first_name,
            can_read_all_group_messages=can_read_all_group_messages,
        )

    async def create_user(
        self,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str = "zh-hans",
    ) -> JSON:
        """A new user; returns its User."""
        return await self._call(
            "create_user",
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )

    async def create_chat(
        self, type: str, title: str | None = None, username: str | None = None
    ) -> JSON:
        """A new group/supergroup/channel; returns its Chat."""
        return await self._call("create_chat", type=type, title=title, username=username)

    async def add_member(self, chat_id: int, user_id: int, status: str = "member") -> JSON:
        """Set membership status of a user or bot."""
        return await self._call("add_member", chat_id=chat_id, user_id=user_id, status=status)

    async def block_bot(self, user_id: int, bot_token: str | None = None) -> bool:
        """The user blocks the bot."""
        return bool(await self._call("block_bot", user_id=user_id, bot_token=bot_token))

    async def unblock_bot(self, user_id: int, bot_token: str | None = None) -> bool:
        """The user unblocks the bot."""
        return bool(await self._call("unblock_bot", user_id=user_id, bot_token=bot_token))

    # --- user actions -------------------------------------------------------------
    async def send_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        bot_token: str | None = None,
        sender_chat_id: int | None = None,
    ) -> JSON:
        """The user writes text (anonymously or as a channel with sender_chat_id)."""
        return await self._call(
            "send_message",
            chat_id=chat_id,
            user_id=user_id,
            text=text,
            reply_to_message_id=reply_to_message_id,
            bot_token=bot_token,
            sender_chat_id=sender_chat_id,
        )

    async def edit_message(
        self, chat_id: int, user_id: int, message_id: int, text: str, bot_token: str | None = None
    ) -> JSON:
        """The user edits their text message; bots get edited_message."""
        return await self._call(
            "edit_message",
            chat_id=chat_id,
            user_id=user_id,
            message_id=message_id,
            text=text,
            bot_token=bot_token,
        )

    async def link_chats(self, channel_id: int, group_id: int) -> bool:
        """Make a supergroup the channel's discussion group (posts are auto-forwarded)."""
        return bool(await self._call("link_chats", channel_id=channel_id, group_id=group_id))

    async def upgrade_group(self, chat_id: int, user_id: int) -> JSON:
        """The creator upgrades a basic group to a supergroup; returns the new Chat."""
        return dict(await self._call("upgrade_group", chat_id=chat_id, user_id=user_id))

    async def send_photo(
        self,
        chat_id: int,
        user_id: int,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        bot_token: str | None = None,
        sender_chat_id: int | None = None,
    ) -> JSON:
        """The user sends a photo; returns the Message."""
        return await self._call(
            "send_photo",
            chat_id=chat_id,
            user_id=user_id,
            caption=caption,
            reply_to_message_id=reply_to_message_id,
            bot_token=bot_token,
            sender_chat_id=sender_chat_id,
        )

    async def send_document(
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
        """The user sends a document; returns the Message."""
        return await self._call(
            "send_document",
            chat_id=chat_id,
            user_id=user_id,
            file_name=file_name,
            mime_type=mime_type,
            caption=caption,
            reply_to_message_id=reply_to_message_id,
            content=content,
            bot_token=bot_token,
        )

    async def press_button(
        self, chat_id: int, message_id: int, user_id: int, data: str, forge: bool = False
    ) -> str:
        """The user presses an inline button; returns the callback_query id."""
        return str(
            await self._call(
                "press_button",
                chat_id=chat_id,
                message_id=message_id,
                user_id=user_id,
                data=data,
                forge=forge,
            )
        )

    # --- observation ----------------------------------------------------------------
    async def sent(self, chat_id: int | None = None, since_seq: int = 0) -> list[JSON]:
        """What bots sent or edited."""
        return list(await self._call("sent", chat_id=chat_id, since_seq=since_seq))

    async def calls(self, method: str | None = None, since_seq: int = 0) -> list[JSON]:
        """Log of Bot API calls."""
        return list(await self._call("calls", method=method, since_seq=since_seq))

    async def callback_answers(self) -> list[JSON]:
        """answerCallbackQuery calls."""
        return list(await self._call("callback_answers"))

    async def pending_updates(self, token: str | None = None) -> int:
        """Unacknowledged updates of a bot."""
        return int(await self._call("pending_updates", token=token))

    async def last_seq(self) -> int:
        """Current sequence number, for since_seq."""
        return int(await self._call("last_seq"))

    async def stats(self) -> JSON:
        """Counters: calls, responses per code, sent per chat, faults."""
        return dict(await self._call("stats"))

    async def reset_stats(self) -> bool:
        """Zero the counters."""
        return bool(await self._call("reset_stats"))

    async def set_faults(
        self,
        error_429_rate: float = 0.0,
        retry_after: int = 1,
        error_5xx_rate: float = 0.0,
        delay_ms: int = 0,
        drop_rate: float = 0.0,
        conflict: bool = False,
        methods: list[str] | None = None,
        seed: int | None = None,
    ) -> bool:
        """Replace the fault configuration (no arguments = no faults)."""
        return bool(
            await self._call(
                "set_faults",
                error_429_rate=error_429_rate,
                retry_after=retry_after,
                error_5xx_rate=error_5xx_rate,
                delay_ms=delay_ms,
                drop_rate=drop_rate,
                conflict=conflict,
                methods=methods,
                seed=seed,
            )
        )

    async def set_limits(self, enforce: bool) -> bool:
        """Switch flood limits on/off."""
        return bool(await self._call("set_limits", enforce=enforce))

    async def wait_sent(
        self,
        chat_id: int | None = None,
        count: int = 1,
        since_seq: int = 0,
        timeout: float = 10.0,
        contains: str | None = None,
        interval: float = 0.05,
    ) -> list[JSON]:
        """Poll sent() until *count* matching entries exist; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = await self.sent(chat_id, since_seq)
            found = [e for e in arrived if contains is None or contains in (e.get("text") or "")]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    describe_wait_failure(count, chat_id, contains, timeout, arrived)
                )
            await asyncio.sleep(interval)
