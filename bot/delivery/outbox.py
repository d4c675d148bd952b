"""The one way the bot sends anything: owed Bot API calls written to the outbox table.

Callers enqueue inside the transaction of the change that caused the message, so a crash either
keeps both or neither. The Sender (sender.py) delivers them. Buttons are plain data here
(`bot.domain.buttons`), turned into Bot API JSON at enqueue time, so nothing above imports telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from bot.clock import Clock
from bot.delivery.splitting import split_html, truncate_html

# Re-exported: the outbox takes keyboards of these (defined in the domain, built by render).
from bot.domain.buttons import Button as Button
from bot.domain.buttons import Keyboard as Keyboard
from bot.domain.buttons import WebAppButton as WebAppButton
from storage.db import Database
from storage.repos.queues import OutboxRepo

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# In the stored params of an upload: which field gets the bytes, under which file name. The
# sender replaces it with the file itself; it never reaches Telegram.
UPLOAD_KEY = "_upload"
PURGE_BATCH = 500
# A collected message (`Outbox.collect`) starts anew past this much text or these many buttons.
COLLECT_TEXT = 3500
COLLECT_BUTTONS = 30


def _button_json(button: Button | WebAppButton) -> dict[str, Any]:
    if isinstance(button, WebAppButton):
        return {"text": plain(button.text), "web_app": {"url": button.url}}
    return {"text": plain(button.text), "callback_data": button.data}


def keyboard_json(rows: Keyboard | None) -> dict[str, Any] | None:
    if not rows:
        return None
    return {"inline_keyboard": [[_button_json(b) for b in row] for row in rows]}


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split HTML into messages of at most `limit` rendered characters, on line boundaries."""
    return split_html(text, limit)


def plain(text: str) -> str:
    """Text for a field Telegram shows as is (button labels, alerts, placeholders).

    Translated texts are `Markup` (escaped for HTML); here the escapes would show literally.
    """
    return text.unescape() if isinstance(text, Markup) else text


class Outbox:
    """Enqueue messages; must be called inside `Database.transaction()`."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.repo = OutboxRepo(db)
        self.wakeup = asyncio.Event()

    async def _put(
        self,
        chat_id: int,
        method: str,
        params: dict[str, Any],
        purpose: str,
        ticket_id: int | None,
        upload: bytes | None = None,
        due: datetime | None = None,
    ) -> int:
        item_id = await self.repo.enqueue(
            chat_id=chat_id,
            method=method,
            params=params,
            purpose=purpose,
            ticket_id=ticket_id,
            now=self.clock.now(),
            upload=upload,
            due=due,
        )
        # The sender reads under the same lock, so it only sees this row once committed.
        self.wakeup.set()
        return item_id

    async def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        keyboard: Keyboard | None = None,
        force_reply: str | None = None,
        purpose: str = "",
        ticket_id: int | None = None,
        not_before: datetime | None = None,
    ) -> list[int]:
        """Queue a text message (HTML), split on line boundaries if long; return outbox ids.

        `not_before` holds it back until then (the sender reads only rows that are due)."""
        parts = split_text(text)
        ids: list[int] = []
        for index, part in enumerate(parts):
            params: dict[str, Any] = {"chat_id": chat_id, "text": part, "parse_mode": "HTML"}
            params["link_preview_options"] = {"is_disabled": True}
            if reply_to is not None and index == 0:
                params["reply_parameters"] = {
                    "message_id": reply_to,
                    "allow_sending_without_reply": True,
                }
            if index == len(parts) - 1:
                markup = keyboard_json(keyboard)
                if force_reply is not None:
                    markup = {
                        "force_reply": True,
                        "selective": True,
                        "input_field_placeholder": plain(force_reply)[:64],
                    }
                if markup:
                    params["reply_markup"] = markup
            ids.append(
                await self._put(chat_id, "sendMessage", params, purpose, ticket_id, due=not_before)
            )
        return ids

    async def withdraw(self, purpose: str) -> int:
        """Drop the messages of `purpose` held until later (replaced by a newer one); how many.

        Only rows not due yet go, as in `collect`: a sender may have read a due one."""
        return await self.repo.withdraw_held(purpose, self.clock.now())

    async def collect(
        self,
        chat_id: int,
        line: str,
        *,
        title: str,
        buttons: Keyboard,
        purpose: str,
        hold: timedelta,
    ) -> int:
        """Add `line` and its `buttons` to the message collecting for this chat and purpose,
        or start one, headed by `title`, that goes out `hold` from now; return its outbox id.

        A collecting message is an outbox row not due yet, so it is as durable as any other
        and the sender has never read it (it reads due rows only, under the write lock). It
        is never changed in place: it is replaced by a row with the line added and the same
        due time, and only while it is still not due, so a row a sender may have read is left
        to go and a new one is started. A line may so reach the chat twice, but never not at
        all.
        """
        now = self.clock.now()
        held = await self.repo.collecting(chat_id, purpose, now)
        due = now + hold
        text, rows = f"{title}\n{line}", keyboard_json(buttons) or {"inline_keyboard": []}
        if held is not None:
            old_text = str(held.params.get("text", ""))
            old_rows = (held.params.get("reply_markup") or {}).get("inline_keyboard", [])
            fits = len(old_text) + len(line) < COLLECT_TEXT and (
                sum(len(row) for row in old_rows) + sum(len(row) for row in buttons)
                <= COLLECT_BUTTONS
            )
            if fits and await self.repo.withdraw(held.id, now):
                text = f"{old_text}\n{line}"
                rows = {"inline_keyboard": old_rows + rows["inline_keyboard"]}
                due = held.next_attempt_at
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        params["link_preview_options"] = {"is_disabled": True}
        if rows["inline_keyboard"]:
            params["reply_markup"] = rows
        item_id = await self.repo.enqueue(
            chat_id=chat_id,
            method="sendMessage",
            params=params,
            purpose=purpose,
            ticket_id=None,
            now=now,
            due=due,
        )
        self.wakeup.set()
        return item_id

    async def send_photo_bytes(
        self,
        chat_id: int,
        png: bytes,
        *,
        caption: str | None = None,
        filename: str = "chart.png",
        purpose: str = "",
    ) -> int:
        """Queue a photo to upload; the bytes are stored with the row until it is sent."""
        return await self._upload(chat_id, "sendPhoto", "photo", png, filename, caption, purpose)

    async def send_document_bytes(
        self,
        chat_id: int,
        data: bytes,
        *,
        filename: str,
        caption: str | None = None,
        purpose: str = "",
    ) -> int:
        """Queue a document (e.g. an .xlsx) to upload under `filename`."""
        return await self._upload(
            chat_id, "sendDocument", "document", data, filename, caption, purpose
        )

    async def _upload(
        self,
        chat_id: int,
        method: str,
        field: str,
        data: bytes,
        filename: str,
        caption: str | None,
        purpose: str,
    ) -> int:
        if not data:
            raise ValueError("nothing to upload")
        params: dict[str, Any] = {
            "chat_id": chat_id,
            UPLOAD_KEY: {"field": field, "name": filename},
        }
        if caption:
            params["caption"] = truncate_html(caption, CAPTION_LIMIT)
            params["parse_mode"] = "HTML"
        return await self._put(chat_id, method, params, purpose, None, upload=data)

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        purpose: str = "edit",
        ticket_id: int | None = None,
    ) -> int:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": truncate_html(text, TEXT_LIMIT),
            "parse_mode": "HTML",
        }
        markup = keyboard_json(keyboard)
        if markup:
            params["reply_markup"] = markup
        return await self._put(chat_id, "editMessageText", params, purpose, ticket_id)

    async def edit_keyboard(
        self,
        chat_id: int,
        message_id: int,
        keyboard: Keyboard | None,
        *,
        ticket_id: int | None = None,
    ) -> int:
        params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
        markup = keyboard_json(keyboard)
        params["reply_markup"] = markup or {"inline_keyboard": []}
        return await self._put(chat_id, "editMessageReplyMarkup", params, "edit", ticket_id)

    async def answer_callback(
        self, chat_id: int, callback_query_id: str, text: str | None = None, *, alert: bool = False
    ) -> int:
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            params["text"] = plain(text)[:200]
            params["show_alert"] = alert
        return await self._put(chat_id, "answerCallbackQuery", params, "callback", None)

    async def set_commands(
        self, chat_id: int, commands: Sequence[tuple[str, str]], *, purpose: str = "menu"
    ) -> int:
        """Queue the command menu of one private chat (name, description pairs)."""
        params: dict[str, Any] = {
            "commands": [{"command": name, "description": text} for name, text in commands],
            "scope": {"type": "chat", "chat_id": chat_id},
        }
        return await self._put(chat_id, "setMyCommands", params, purpose, None)

    async def set_menu_button(self, chat_id: int, text: str, url: str) -> int:
        """Queue setChatMenuButton: the private chat's menu button opens the Mini App at `url`."""
        button = {"type": "web_app", "text": plain(text), "web_app": {"url": url}}
        return await self._put(
            chat_id,
            "setChatMenuButton",
            {"chat_id": chat_id, "menu_button": button},
            "menu_button",
            None,
        )

    async def purge_sent(self, retention: timedelta) -> int:
        """Delete messages sent longer than `retention` ago (charts and ledgers included).

        In batches, each its own short transaction, so a large backlog never holds the writer
        for long. Returns how many rows were deleted.
        """
        before = self.clock.now() - retention
        purged = 0
        while True:
            async with self.db.transaction():
                batch = await self.repo.purge_sent(before, limit=PURGE_BATCH)
            purged += batch
            if batch < PURGE_BATCH:
                return purged
