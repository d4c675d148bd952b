"""Telegram's own doings in the sandbox: sender_chat, automatic forwards, edits, upgrades."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import ChatMigrated

from sandbox import SandboxClient, SandboxControlError, TelegramSandbox


@pytest.mark.asyncio
async def test_anonymous_admin_and_channel_senders(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    admin = await client.create_user("管理员")
    member = await client.create_user("成员")
    group = (await client.create_chat("supergroup", title="企业群"))["id"]
    channel = (await client.create_chat("channel", title="企业频道"))["id"]
    await client.add_member(group, admin["id"], "administrator")
    await client.add_member(channel, admin["id"], "creator")
    with pytest.raises(SandboxControlError, match="only administrators"):
        await client.send_message(group, member["id"], "匿名", sender_chat_id=group)
    await client.send_message(group, admin["id"], "#问题 匿名", sender_chat_id=group)
    await client.send_message(group, admin["id"], "以频道身份", sender_chat_id=channel)
    first, second = [u.message for u in await bot.get_updates()]
    assert first is not None and second is not None
    assert first.from_user is not None and first.from_user.id == 1087968824
    assert first.sender_chat is not None and first.sender_chat.id == group
    assert second.from_user is not None and second.from_user.id == 136817688
    assert second.sender_chat is not None and second.sender_chat.type == "channel"


@pytest.mark.asyncio
async def test_channel_posts_are_forwarded_into_the_discussion_group(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    owner = await client.create_user("频道主")
    group = (await client.create_chat("supergroup", title="讨论组"))["id"]
    channel = (await client.create_chat("channel", title="频道"))["id"]
    await client.add_member(channel, owner["id"], "creator")
    await client.link_chats(channel, group)
    await client.send_message(channel, owner["id"], "#诉求 频道公告")
    updates = await bot.get_updates()
    forwarded = [u.message for u in updates if u.message is not None]
    assert len(forwarded) == 1
    message = forwarded[0]
    assert message.chat.id == group and message.is_automatic_forward
    assert message.from_user is not None and message.from_user.id == 777000
    assert message.sender_chat is not None and message.sender_chat.id == channel
    assert message.text == "#诉求 频道公告"


@pytest.mark.asyncio
async def test_edits_arrive_as_edited_message(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    author = await client.create_user("作者")
    other = await client.create_user("旁人")
    group = (await client.create_chat("supergroup"))["id"]
    sent = await client.send_message(group, author["id"], "你好")
    with pytest.raises(SandboxControlError, match="own messages"):
        await client.edit_message(group, other["id"], sent["message_id"], "/report 冒充")
    await client.edit_message(group, author["id"], sent["message_id"], "/report 停电")
    updates = await bot.get_updates()
    edited = updates[-1].edited_message
    assert edited is not None and edited.message_id == sent["message_id"]
    assert edited.text == "/report 停电" and edited.edit_date is not None
    assert edited.entities[0].type == "bot_command"


@pytest.mark.asyncio
async def test_upgrade_moves_the_group_and_the_old_id_answers_migrate(
    sandbox: TelegramSandbox, bot: telegram.Bot, client: SandboxClient
) -> None:
    creator = await client.create_user("群主")
    old = (await client.create_chat("group", title="老群"))["id"]
    await client.add_member(old, creator["id"], "creator")
    new = await client.upgrade_group(old, creator["id"])
    assert new["type"] == "supergroup" and new["title"] == "老群"
    service = [u.message for u in await bot.get_updates() if u.message is not None]
    assert [m.migrate_to_chat_id for m in service if m.chat.id == old] == [new["id"]]
    assert [m.migrate_from_chat_id for m in service if m.chat.id == new["id"]] == [old]
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(old, "还在吗")
    assert raised.value.new_chat_id == new["id"]
    assert (await bot.send_message(new["id"], "在新群")).chat.id == new["id"]
    calls = await client.calls("sendMessage")
    assert calls[0]["error_code"] == 400 and "upgraded" in calls[0]["description"]
    with pytest.raises(SandboxControlError, match="upgraded"):
        await client.send_message(old, creator["id"], "老群发言")
