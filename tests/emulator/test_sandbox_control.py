"""Control side of the sandbox: buttons, privacy, faults, limits, webhooks."""

from __future__ import annotations

import asyncio
import datetime
import warnings
from typing import Any

import httpx
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter

from sandbox import SandboxClient, SandboxControlError, TelegramSandbox

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds whether PTB exposes int or timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecation notice about the int type
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


@pytest.mark.asyncio
async def test_press_button_round_trip(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    user = await client.create_user("按钮", "anniu")
    await client.send_message(user["id"], user["id"], "/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="confirm:1")]])
    sent = await bot.send_message(user["id"], "请确认", reply_markup=markup)
    with pytest.raises(SandboxControlError, match="no button"):
        await client.press_button(user["id"], sent.message_id, user["id"], "confirm:2")
    query_id = await client.press_button(user["id"], sent.message_id, user["id"], "confirm:1")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "confirm:1"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("已确认", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    answers = await client.callback_answers()
    assert answers[0]["callback_query_id"] == query_id
    assert (answers[0]["text"], answers[0]["show_alert"]) == ("已确认", True)
    forged = await client.press_button(
        user["id"], sent.message_id, user["id"], "admin:drop", forge=True
    )
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert updates[0].callback_query is not None and updates[0].callback_query.id == forged


@pytest.mark.asyncio
async def test_wait_sent_and_calls(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    group = await client.create_chat("group", "工单群")
    user = await client.create_user("群友")
    seq = await client.last_seq()

    # The message is sent once wait_sent has looked and found nothing: it must keep waiting.
    looked = asyncio.Event()
    sent = client.sent

    async def observed_sent(*args: Any, **kwargs: Any) -> Any:
        found = await sent(*args, **kwargs)
        looked.set()
        return found

    client.sent = observed_sent  # type: ignore[method-assign]
    waiting = asyncio.create_task(
        client.wait_sent(group["id"], since_seq=seq, contains="已创建", timeout=10)
    )
    await looked.wait()
    await bot.send_message(group["id"], "工单 #1 已创建")
    found = await waiting
    client.sent = sent  # type: ignore[method-assign]
    assert found[0]["text"] == "工单 #1 已创建" and found[0]["parse_mode"] is None
    with pytest.raises(AssertionError, match="工单 #1 已创建"):
        await client.wait_sent(group["id"], count=2, since_seq=seq, timeout=0.2)
    calls = await client.calls("sendMessage", since_seq=seq)
    assert calls[-1]["ok"] and calls[-1]["params"]["text"] == "工单 #1 已创建"
    msg = await client.send_message(
        group["id"], user["id"], "收到", reply_to_message_id=found[0]["message_id"]
    )
    assert msg["reply_to_message"]["text"] == "工单 #1 已创建"
    stats = await client.stats()
    assert stats["sent_per_chat"][str(group["id"])] == 1 and stats["responses"]["200"] >= 1
    await client.reset_stats()
    assert (await client.stats())["calls"] == {}


@pytest.mark.asyncio
async def test_privacy_mode() -> None:
    async with TelegramSandbox() as sb:
        sb.create_bot("8000000002:private", "quiet_bot", can_read_all_group_messages=False)
        group = sb.create_chat("supergroup")
        user = sb.create_user("群成员")
        bot = telegram.Bot("8000000002:private", base_url=sb.api_base_url)
        async with bot:
            assert (await bot.get_me()).can_read_all_group_messages is False
            sb.send_message(group["id"], user["id"], "闲聊")
            sb.send_message(group["id"], user["id"], "/report 停电")
            sb.send_message(group["id"], user["id"], "/report@other_bot 停电")
            sb.send_message(group["id"], user["id"], "@quiet_bot 在吗")
            mine = await bot.send_message(group["id"], "我是机器人")
            sb.send_message(group["id"], user["id"], "回复你", reply_to_message_id=mine.message_id)
            texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["/report 停电", "@quiet_bot 在吗", "回复你"]


@pytest.mark.asyncio
async def test_faults_have_no_side_effects(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    group = await client.create_chat("group")
    await client.set_faults(error_429_rate=1.0, retry_after=7, methods=["sendMessage"], seed=1)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(group["id"], "a")
    assert retry_seconds(info.value) == 7
    await bot.get_me()  # other methods unaffected
    await client.set_faults(error_5xx_rate=1.0, seed=2)
    with pytest.raises(NetworkError):
        await bot.send_message(group["id"], "b")
    await client.set_faults(drop_rate=1.0, seed=3)
    with pytest.raises(NetworkError):
        await bot.send_message(group["id"], "c")
    await client.set_faults(delay_ms=300, seed=4)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await bot.send_message(group["id"], "d")
    assert loop.time() - start >= 0.3
    await client.set_faults(conflict=True)
    with pytest.raises(telegram.error.Conflict):
        await bot.get_updates()
    await client.set_faults()
    assert [e["text"] for e in await client.sent(group["id"])] == ["d"]
    stats = await client.stats()
    assert stats["responses"]["429"] == 1 and stats["faults"]["drop"] == 1


@pytest.mark.asyncio
async def test_fault_rates_are_reproducible(sandbox: TelegramSandbox, token: str) -> None:
    async def run() -> list[int]:
        sandbox.set_faults(error_429_rate=0.3, error_5xx_rate=0.2, seed=42)
        async with httpx.AsyncClient() as http:
            return [
                (await http.get(f"{sandbox.api_base_url}{token}/getMe")).status_code
                for _ in range(30)
            ]

    first, second = await run(), await run()
    assert first == second and 429 in first and 200 in first
    sandbox.set_faults()


@pytest.mark.asyncio
async def test_flood_limits(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    sandbox.set_limits(True)
    groups = [sandbox.create_chat("group")["id"] for _ in range(31)]
    for chat_id in groups[:30]:
        await bot.send_message(chat_id, "通知")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(groups[30], "通知")
    assert retry_seconds(info.value) == 1
    sandbox.set_limits(True)  # fresh windows
    for i in range(20):
        await bot.send_message(groups[0], f"第{i}条")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(groups[0], "第21条")
    assert 55 <= retry_seconds(info.value) <= 60
    user = sandbox.create_user("私聊")
    sandbox.send_message(user["id"], user["id"], "/start")
    await bot.send_message(user["id"], "一")
    with pytest.raises(RetryAfter):
        await bot.send_message(user["id"], "二")
    await bot.edit_message_text("一（改）", user["id"], 2)  # edits are not limited
    assert len(sandbox.sent(groups[0])) == 21 and len(sandbox.sent(groups[30])) == 0


@pytest.mark.asyncio
async def test_webhook_delivery_with_secret_and_retry(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    failures = {"left": 2}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"] > 0:
            failures["left"] -= 1
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        user = sandbox.create_user("钩子")
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(telegram.error.Conflict, match="webhook is active"):
            await bot.get_updates()
        sandbox.send_message(user["id"], user["id"], "一")
        sandbox.send_message(user["id"], user["id"], "二")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
        assert [secret for secret, _ in received] == ["s3cret", "s3cret"]
        assert [body["message"]["text"] for _, body in received] == ["一", "二"]  # type: ignore[index]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0 and info.last_error_message is not None
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_ptb_application_polling_end_to_end(
    sandbox: TelegramSandbox, client: SandboxClient, token: str
) -> None:
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

    async def report(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"已登记：{' '.join(context.args or [])}",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("撤销", callback_data="undo")]]
            ),
        )

    async def undo(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("已撤销")
        await update.callback_query.edit_message_text("已撤销")

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(sandbox.api_base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("report", report))
    app.add_handler(CallbackQueryHandler(undo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            user = await client.create_user("端到端")
            await client.send_message(user["id"], user["id"], "/report 路灯坏了")
            [reply] = await client.wait_sent(user["id"], contains="已登记", timeout=5)
            assert reply["text"] == "已登记：路灯坏了"
            await client.press_button(user["id"], reply["message_id"], user["id"], "undo")
            edits = await client.wait_sent(user["id"], contains="已撤销", timeout=5)
            assert edits[0]["method"] == "editMessageText"
        finally:
            await app.updater.stop()
            await app.stop()
    assert (await client.callback_answers())[0]["text"] == "已撤销"
    assert await client.pending_updates() == 0
