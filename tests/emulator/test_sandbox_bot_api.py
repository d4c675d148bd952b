"""Bot API side of the sandbox, driven by a real python-telegram-bot Bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import BadRequest, Conflict, Forbidden

from sandbox import TelegramSandbox
from tests.emulator.bots import TOKEN


async def poll_in_flight(sandbox: TelegramSandbox, token: str = TOKEN) -> None:
    """Wait until the emulator holds a long poll for `token` (a fence, not a guess in seconds)."""
    bot = sandbox.state.bot(token)
    assert bot is not None
    for _ in range(10_000):
        if bot.poll is not None:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("no getUpdates in flight")


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


@pytest.mark.asyncio
async def test_get_me(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.username == "liaison_bot"
    assert me.is_bot and me.id == 7000000001
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is True
    assert me.supports_inline_queries is False


@pytest.mark.asyncio
async def test_unknown_token_is_unauthorized(sandbox: TelegramSandbox) -> None:
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{sandbox.api_base_url}123:nope/getMe")
    assert resp.status_code == 401
    assert resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/report 停电了", [(MessageEntity.BOT_COMMAND, "/report")]),
        ("#诉求 停电", [(MessageEntity.HASHTAG, "#诉求")]),
        ("@liaison_bot 你好", [(MessageEntity.MENTION, "@liaison_bot")]),
        ("🔥🔥 #诉求 停电", [(MessageEntity.HASHTAG, "#诉求")]),
        (
            "/report@liaison_bot 水管 #漏水",
            [(MessageEntity.BOT_COMMAND, "/report@liaison_bot"), (MessageEntity.HASHTAG, "#漏水")],
        ),
    ],
)
async def test_injected_message_entities(
    sandbox: TelegramSandbox, bot: telegram.Bot, text: str, expected: list[tuple[str, str]]
) -> None:
    user = sandbox.create_user("张三", "zhangsan")
    sandbox.send_message(user["id"], user["id"], text)
    updates = await bot.get_updates(timeout=1)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.text == text
    parsed = [(e.type, value) for e, value in message.parse_entities().items()]
    assert parsed == expected


@pytest.mark.asyncio
async def test_emoji_shifts_utf16_offset(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("李四")
    message = sandbox.send_message(user["id"], user["id"], "😀#诉求")
    assert message["entities"] == [{"type": "hashtag", "offset": 2, "length": 3}]


@pytest.mark.asyncio
async def test_updates_kept_until_acknowledged(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("王五")
    for text in ("一", "二", "三"):
        sandbox.send_message(user["id"], user["id"], text)
    first = await bot.get_updates()
    again = await bot.get_updates()
    assert [u.update_id for u in first] == [u.update_id for u in again]
    assert sandbox.pending_updates() == 3
    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in rest if u.message] == ["二", "三"]
    assert sandbox.pending_updates() == 2
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["三"]
    await bot.get_updates(offset=last[0].update_id + 1)
    assert sandbox.pending_updates() == 0


@pytest.mark.asyncio
async def test_long_poll_wakes_on_new_update(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("赵六")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await poll_in_flight(sandbox)
    sandbox.send_message(user["id"], user["id"], "你好")
    updates = await asyncio.wait_for(poll, 3)
    assert updates[0].message is not None and updates[0].message.text == "你好"


@pytest.mark.asyncio
async def test_concurrent_get_updates_conflict(
    sandbox: TelegramSandbox, bot_factory: Callable[[], telegram.Bot]
) -> None:
    first, second = bot_factory(), bot_factory()
    await first.initialize()
    await second.initialize()
    try:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await poll_in_flight(sandbox)
        newer = asyncio.create_task(second.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older
        assert await newer == ()
    finally:
        await first.shutdown()
        await second.shutdown()


@pytest.mark.asyncio
async def test_strict_errors(sandbox: TelegramSandbox, bot: telegram.Bot, token: str) -> None:
    user = sandbox.create_user("严格")
    sandbox.send_message(user["id"], user["id"], "/start")
    base = f"{sandbox.api_base_url}{token}"
    async with httpx.AsyncClient() as http:
        resp = await http.post(f"{base}/sendMessagez", json={})
        assert (resp.status_code, resp.json()["description"]) == (404, "Not Found")
        resp = await http.post(f"{base}/sendMessage", json={"text": "hi"})
        assert resp.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: chat_id is required",
        }
        resp = await http.post(f"{base}/sendMessage", data={"chat_id": str(user["id"])})
        assert resp.json()["description"] == "Bad Request: message text is empty"
        resp = await http.post(
            f"{base}/sendMessage", json={"chat_id": user["id"], "text": "x", "colour": "red"}
        )
        assert resp.json()["description"] == "Bad Request: unknown parameter colour"
        resp = await http.get(
            f"{base}/sendMessage",
            params={"chat_id": "abc", "text": "x", "disable_notification": "yes"},
        )
        assert resp.json()["description"] == (
            "Bad Request: field disable_notification must be of type Boolean"
        )
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user["id"], "x" * 4097)
    await bot.send_message(user["id"], "好" * 4096)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(user["id"], "按钮", reply_markup=keyboard("a" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(user["id"], "按钮", reply_markup=keyboard("好" * 22))  # 66 bytes
    for bad in ("<b>粗", "<div>x</div>", "a < b > c", "1 & 2", "<b><i>x</b></i>"):
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(user["id"], bad, parse_mode="HTML")
    ok = await bot.send_message(
        user["id"],
        '<b>粗</b> &lt;tag&gt; <span class="tg-spoiler">秘</span> <a href="https://x.y">链</a>',
        parse_mode="HTML",
    )
    assert ok.text == "粗 <tag> 秘 链"
    assert [e.type for e in ok.entities] == ["bold", "spoiler", "text_link"]
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(user["id"], "v1.0", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(user["id"], b"img", caption="c" * 1025)
    assert sandbox.stats()["calls"]["sendMessage"] >= 10


@pytest.mark.asyncio
async def test_private_chat_requires_start_and_respects_block(
    sandbox: TelegramSandbox, bot: telegram.Bot
) -> None:
    user = sandbox.create_user("新用户")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(user["id"], "你好")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100999, "你好")
    sandbox.send_message(user["id"], user["id"], "/start")
    await bot.send_message(user["id"], "欢迎")
    sandbox.block_bot(user["id"])
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user["id"], "还在吗")
    sandbox.unblock_bot(user["id"])
    await bot.send_message(user["id"], "回来了")
    assert [e["text"] for e in sandbox.sent(user["id"])] == ["欢迎", "回来了"]


@pytest.mark.asyncio
async def test_reply_to_missing_message(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("回复")
    incoming = sandbox.send_message(user["id"], user["id"], "问题")
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(user["id"], "答", reply_to_message_id=999)
    loose = await bot.send_message(
        user["id"], "答", reply_to_message_id=999, allow_sending_without_reply=True
    )
    assert loose.reply_to_message is None
    reply = await bot.send_message(user["id"], "答复", reply_to_message_id=incoming["message_id"])
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "问题"
    assert sandbox.sent(user["id"])[-1]["reply_to_message_id"] == incoming["message_id"]


@pytest.mark.asyncio
async def test_edit_semantics(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("编辑")
    sandbox.send_message(user["id"], user["id"], "/start")
    sent = await bot.send_message(user["id"], "状态：处理中", reply_markup=keyboard("done"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "状态：处理中", user["id"], sent.message_id, reply_markup=keyboard("done")
        )
    edited = await bot.edit_message_text("状态：已完成", user["id"], sent.message_id)
    assert isinstance(edited, telegram.Message) and edited.reply_markup is None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", user["id"], 4242)
    await bot.edit_message_reply_markup(user["id"], sent.message_id, reply_markup=keyboard("again"))
    log = sandbox.sent(user["id"])
    assert [e["method"] for e in log] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert log[-1]["reply_markup"] == {
        "inline_keyboard": [[{"text": "again", "callback_data": "again"}]]
    }
    assert await bot.delete_message(user["id"], sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user["id"], sent.message_id)


@pytest.mark.asyncio
async def test_photos_by_file_id_and_upload(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    user = sandbox.create_user("拍照")
    incoming = sandbox.send_photo(user["id"], user["id"], caption="现场 #照片")
    assert incoming["caption_entities"] == [{"type": "hashtag", "offset": 3, "length": 3}]
    largest = incoming["photo"][-1]
    resent = await bot.send_photo(user["id"], largest["file_id"], caption="收到")
    assert resent.photo[-1].file_id == largest["file_id"]
    uploaded = await bot.send_photo(user["id"], b"\x89PNG sandbox", filename="p.png")
    new_id = uploaded.photo[-1].file_id
    assert new_id not in {p["file_id"] for p in incoming["photo"]}
    file = await bot.get_file(new_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG sandbox"
    doc = await bot.send_document(user["id"], b"report", filename="r.txt")
    assert doc.document is not None and doc.document.file_name == "r.txt"
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(user["id"], "not-a-file-id")
    kinds = [(e["method"], bool(e.get("photo")), bool(e.get("document"))) for e in sandbox.sent()]
    assert kinds == [
        ("sendPhoto", True, False),
        ("sendPhoto", True, False),
        ("sendDocument", False, True),
    ]


@pytest.mark.asyncio
async def test_group_chat_members_and_commands(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    group = sandbox.create_chat("supergroup", "物业群")
    assert str(group["id"]).startswith("-100")
    boss = sandbox.create_user("老板")
    sandbox.add_member(group["id"], boss["id"], "creator")
    member = await bot.get_chat_member(group["id"], boss["id"])
    assert member.status == "creator"
    me = await bot.get_chat_member(group["id"], bot.id)
    assert me.status == "member"
    admins = await bot.get_chat_administrators(group["id"])
    assert [a.user.id for a in admins] == [boss["id"]]
    chat = await bot.get_chat(group["id"])
    assert chat.title == "物业群"
    await bot.send_chat_action(group["id"], "typing")
    await bot.set_my_commands([("report", "报告问题")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("report", "报告问题")
    ]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


@pytest.mark.asyncio
async def test_housekeeping_methods(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    group = sandbox.create_chat("group", "小区群")
    user = sandbox.create_user("居民")
    incoming = sandbox.send_message(group["id"], user["id"], "大家好")
    assert await bot.pin_chat_message(group["id"], incoming["message_id"])
    assert await bot.get_chat_member_count(group["id"]) == 2
    await bot.set_my_description("企业服务")
    assert (await bot.get_my_description()).description == "企业服务"
    assert (await bot.get_my_name()).name == "企业服务助手"
    assert await bot.leave_chat(group["id"])
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(group["id"], "再见")
    with pytest.raises(telegram.error.NetworkError, match="does not emulate"):
        await bot.send_dice(group["id"])


@pytest.mark.asyncio
async def test_channel_posts_and_buttons(sandbox: TelegramSandbox, bot: telegram.Bot) -> None:
    channel = sandbox.create_chat("channel", "公告")
    reader = sandbox.create_user("读者")
    post = await bot.send_message(
        channel["id"],
        "停水通知",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("知道了", callback_data="ack")]]),
    )
    assert post.sender_chat is not None and post.sender_chat.id == channel["id"]
    sandbox.press_button(channel["id"], post.message_id, reader["id"], "ack")
    updates = await bot.get_updates()
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.data == "ack"
    await bot.edit_message_text("停水通知（已恢复）", channel["id"], post.message_id)
