"""Web App buttons and the menu button, checked as the Bot API does."""

from __future__ import annotations

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo

from sandbox import TelegramSandbox

URL = "https://dashboard.example.cn/dashboard/"


def keyboard(url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("打开", web_app=WebAppInfo(url))]])


@pytest.mark.asyncio
async def test_web_app_buttons_private_and_https_only(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user("领导")
    sandbox.send_message(user["id"], user["id"], "/start")
    sent = await bot.send_message(user["id"], "驾驶舱", reply_markup=keyboard(URL))
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].web_app == WebAppInfo(URL)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)only https links are allowed"):
        await bot.send_message(user["id"], "x", reply_markup=keyboard("http://127.0.0.1/"))
    group = sandbox.create_chat("supergroup", "企业群")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)button_type_invalid"):
        await bot.send_message(group["id"], "x", reply_markup=keyboard(URL))


@pytest.mark.asyncio
async def test_menu_button_web_app(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("干部")
    button = MenuButtonWebApp("驾驶舱", WebAppInfo(URL))
    assert await bot.set_chat_menu_button(user["id"], button)
    stored = await bot.get_chat_menu_button(user["id"])
    assert isinstance(stored, MenuButtonWebApp) and stored.web_app.url == URL
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)only https links are allowed"):
        await bot.set_chat_menu_button(user["id"], MenuButtonWebApp("x", WebAppInfo("http://a/")))
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)text must be non-empty"):
        await bot.set_chat_menu_button(user["id"], MenuButtonWebApp(" ", WebAppInfo(URL)))
