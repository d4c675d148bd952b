"""Who a message comes from, and which messages act: through the real Application and emulator.

Anonymous group admins act as their group (bound to its enterprise, nothing more); channel
posts, automatic forwards and bots make no tickets; edits never act again; reports need a whole
hashtag or an exact mention of the bot, and visible text.
"""

from __future__ import annotations

from bot.domain.models import Actor
from tests.e2e.harness import ACK_MARK
from tests.handlers.world import OTHER_ENTERPRISE, World


async def bound_group(world: World, enterprise: str) -> int:
    group = (await world.client.create_chat("supergroup", title=f"{enterprise}群"))["id"]
    since = await world.seq()
    await world.say(group, world.admin, f"/bind {enterprise}")
    await world.expect(group, "已绑定", since=since)
    return int(group)


async def admin_actor(world: World) -> Actor:
    return await world.runtime.services.people.actor(world.admin)


async def test_anonymous_admins_act_as_their_own_group_only(world: World) -> None:
    other_group = await bound_group(world, OTHER_ENTERPRISE)
    admin_a = (await world.client.create_user("A群匿名管理员"))["id"]
    admin_b = (await world.client.create_user("B群匿名管理员"))["id"]
    await world.client.add_member(world.group, admin_a, "administrator")
    await world.client.add_member(other_group, admin_b, "administrator")
    since = await world.seq()
    await world.say(world.group, admin_a, "/report 厂区停电", sender_chat_id=world.group)
    await world.expect(world.group, ACK_MARK, since=since)
    ticket = (await world.runtime.services.tickets.core.view_of(1)).ticket
    assert ticket.reporter_id == world.group  # the group, never GroupAnonymousBot
    # Another enterprise's anonymous admin: refused exactly like a ticket that does not exist.
    since = await world.seq()
    await world.say(other_group, admin_b, "/ticket 1", sender_chat_id=other_group)
    await world.expect(other_group, "没有找到工单 #1", since=since)
    # Any anonymous admin of the reporting group speaks for its enterprise.
    await world.say(world.group, admin_a, "/ticket 1", sender_chat_id=world.group)
    card = await world.expect(world.group, "厂区停电", since=since)
    assert "#1" in card[0]["text"]
    # Every update above is answered, so all they owed is queued: none of it names the ticket.
    assert [t for t in await world.outbox_texts(other_group) if "厂区停电" in t] == []


async def test_channel_posts_and_channel_senders_make_no_tickets(world: World) -> None:
    channel = (await world.client.create_chat("channel", title="企业频道"))["id"]
    await world.client.add_member(channel, world.stranger, "creator")
    await world.client.link_chats(channel, world.group)
    since = await world.seq()
    # Telegram (777000) forwards the channel's post into its discussion group.
    await world.say(channel, world.stranger, "#诉求 频道公告：周六停电检修")
    # Posted in the group on behalf of the channel.
    await world.say(world.group, world.stranger, "/report 以频道身份", sender_chat_id=channel)
    await world.say(world.group, world.stranger, "#问题 以频道身份", sender_chat_id=channel)
    # A person's report afterwards is the first ticket: none of the above made one.
    await world.say(world.group, world.contact, "#诉求 真正的问题：污水管道堵了")
    acks = await world.expect(world.group, ACK_MARK, since=since)
    assert "#1" in acks[0]["text"]
    assert "污水管道" in (await world.runtime.services.tickets.core.view_of(1)).ticket.content


async def test_edits_never_repeat_an_action(world: World) -> None:
    services = world.runtime.services
    await world.say(world.stranger, world.stranger, "/start")  # a fence chat
    since = await world.seq()
    hello = await world.say(world.group, world.contact, "大家好")
    await world.client.edit_message(world.group, world.contact, hello["message_id"], "/report 编辑")
    await world.client.edit_message(world.group, world.contact, hello["message_id"], "#诉求 编辑")
    await world.say(world.group, world.contact, "#诉求 厂区停电")
    await world.expect(world.group, ACK_MARK, since=since)
    await world.say(world.cadre, world.cadre, "/claim 1")
    await world.expect(world.cadre, "已签收工单", since=since)
    progress = await world.say(world.cadre, world.cadre, "/progress 1 已联系供电所")
    await world.expect(world.cadre, "进展已记录", since=since)
    await world.client.edit_message(
        world.cadre, world.cadre, progress["message_id"], "/progress 1 已联系供电所（补充）"
    )
    transfer = await world.say(world.admin, world.admin, "/transfer 1 王晓峰")
    await world.say(world.other_cadre, world.other_cadre, "/transfer 1 陈志远")
    await world.expect(world.other_cadre, "已转办给陈志远", since=since)
    await world.client.edit_message(
        world.admin, world.admin, transfer["message_id"], "/transfer 1  王晓峰"
    )
    truck = await world.say(world.contact, world.contact, "/truck 海门 常州 明天 3t 厢式 6.8m")
    await world.expect(world.contact, "车源已发布", since=since)
    await world.client.edit_message(
        world.contact, world.contact, truck["message_id"], "/truck 海门 常州 明天 2t 厢式 6.8m"
    )
    # Updates are handled in order: once this is answered, every edit above has been seen.
    await world.say(world.stranger, world.stranger, "/help")
    await world.expect(world.stranger, "/whoami", since=since)
    events = (await services.tickets.lookup.view(await admin_actor(world), 1)).events
    contact = await services.people.actor(world.contact)
    counts = {
        "tickets": len(await services.tickets.lookup.of_enterprise(contact)),
        "progress": sum(e.type == "progress" for e in events),
        "transfer": sum(e.type == "transfer" for e in events),
        "trucks": len(await services.logistics.my_trucks(contact)),
    }
    assert counts == {"tickets": 1, "progress": 1, "transfer": 2, "trucks": 1}


async def test_only_whole_hashtags_and_exact_mentions_report(world: World) -> None:
    since = await world.seq()
    for text in (
        "#问题解决了，谢谢大家",
        "有事发邮件到 a@liaison_test_bot.com",
        "转发 @liaison_test_bot_news 的通知",
    ):
        await world.say(world.group, world.contact, text)
    await world.say(world.group, world.contact, "@liaison_test_bot 食堂网络不通")
    acks = await world.expect(world.group, ACK_MARK, since=since)
    assert "#1" in acks[0]["text"]
    assert (await world.runtime.services.tickets.core.view_of(1)).ticket.content == "食堂网络不通"


async def test_a_report_of_invisible_characters_is_refused(world: World) -> None:
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 \u200b\u2060\ufeff\u3000")
    await world.expect(world.group, "不可见字符", since=since)
    await world.say(world.group, world.contact, "/report \u200b\u3164\u2800")
    await world.expect(world.group, "不可见字符", since=since, count=2)
    await world.say(world.group, world.contact, "#诉求 厂区停电")
    acks = await world.expect(world.group, ACK_MARK, since=since)
    assert "#1" in acks[0]["text"]
