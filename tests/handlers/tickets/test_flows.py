"""Handlers through the real Application and the emulator: answers, refusals, buttons."""

from __future__ import annotations

from tests.e2e.harness import ACK_MARK
from tests.handlers.world import World, report


async def test_report_ack_names_ticket_category_cadre_deadline(world: World) -> None:
    ticket_id, notice = await report(world)
    assert ticket_id == 1
    assert "签收" in str(notice["reply_markup"])
    ack = (await world.client.sent(chat_id=world.group))[-1]
    for part in ("#1", "要素保障", "陈志远", "办理期限"):
        assert part in ack["text"]


async def test_mention_and_reply_report(world: World) -> None:
    since = await world.seq()
    original = await world.say(world.group, world.contact, "污水管道堵了")
    reply_to = original["message_id"]
    command = await world.say(world.group, world.contact, "/report", reply_to_message_id=reply_to)
    acks = await world.expect(world.group, ACK_MARK, since=since)
    # The ticket is the /report's (see test_report_replies.py): the answer goes to it.
    assert acks[0]["reply_to_message_id"] == command["message_id"]
    await world.say(world.group, world.contact, "@liaison_test_bot 食堂网络不通")
    await world.expect(world.group, "#2", since=since)


async def test_bad_input_gets_specific_answers(world: World) -> None:
    await report(world)
    since = await world.seq()
    cases = [
        ("/claim 999", "没有找到工单 #999"),
        ("/claim abc", "不是有效的工单编号"),
        ("/claim", "用法：/claim"),
        ("/progress 1", "用法：/progress"),
        ("/resolve 1 好了", "不能执行该操作"),  # new ticket: claim first
        ("/transfer 1 查无此人", "找不到干部"),
        ("/frobnicate", "未知命令"),
    ]
    for text, expected in cases:
        await world.say(world.cadre, world.cadre, text)
        await world.expect(world.cadre, expected, since=since)
    await world.say(world.other_cadre, world.other_cadre, "/claim 1")
    await world.expect(world.other_cadre, "不归您办理", since=since)
    await world.say(world.other_contact, world.other_contact, "/ticket 1")
    await world.expect(world.other_contact, "没有找到工单 #1", since=since)


async def test_unbound_group_is_silent_except_to_admins(world: World) -> None:
    since = await world.seq()
    await world.say(world.unbound_group, world.contact, "#诉求 停电")
    await world.say(world.unbound_group, world.contact, "/report 停电")
    await world.say(world.unbound_group, world.admin, "/help")
    await world.expect(world.unbound_group, "尚未绑定", since=since)
    # Updates are handled in order, each with the messages it owes: once the admin's /help is
    # answered, the two reports were handled, and the /help answer is all the group was owed.
    assert await world.queued(world.unbound_group) == 1
    await world.say(world.unbound_group, world.contact, "/bind 海澄精工机械有限公司")
    await world.expect(world.unbound_group, "只有管理员", since=since)


async def test_forged_button_is_refused_and_changes_nothing(world: World) -> None:
    ticket_id, notice = await report(world)
    since, before = await world.seq(), await world.answers()
    await world.client.press_button(
        world.cadre, notice["message_id"], world.contact, f"t:claim:{ticket_id}", forge=True
    )
    answer = await world.answer(before)
    assert answer.get("show_alert") and "不归您办理" in answer["text"]
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")
    card = await world.expect(world.cadre, "待签收", since=since)
    assert "签收" not in card[0]["text"].split("办理记录")[-1]


async def test_buttons_claim_resolve_by_prompt_and_rate(world: World) -> None:
    ticket_id, notice = await report(world)
    since = await world.seq()
    await world.client.press_button(
        world.cadre, notice["message_id"], world.cadre, f"t:claim:{ticket_id}"
    )
    claimed = await world.expect(world.cadre, "已签收工单", since=since)
    await world.client.press_button(
        world.cadre, claimed[0]["message_id"], world.cadre, f"t:res:{ticket_id}"
    )
    prompt = (await world.expect(world.cadre, "请回复本条消息", since=since))[0]
    await world.say(
        world.cadre, world.cadre, "已恢复供电", reply_to_message_id=prompt["message_id"]
    )
    rating = (await world.expect(world.group, "已办结", since=since))[0]
    await world.client.press_button(
        world.group, rating["message_id"], world.contact, f"t:rs:{ticket_id}:unsolved"
    )
    await world.expect(world.group, "是否满意", since=since)
    await world.client.press_button(
        world.group,
        rating["message_id"],
        world.contact,
        f"t:rate:{ticket_id}:unsolved:dissatisfied",
    )
    await world.expect(world.group, "重办", since=since)
    await world.expect(world.cadre, "已退回重办", since=since)


async def test_help_depends_on_role_and_language(world: World) -> None:
    since = await world.seq()
    await world.say(world.contact, world.contact, "/help")
    text = (await world.expect(world.contact, "常用命令", since=since))[0]["text"]
    assert "/mytickets" in text and "/claim" not in text
    await world.say(world.cadre, world.cadre, "/lang en")
    await world.expect(world.cadre, "English", since=since)
    await world.say(world.cadre, world.cadre, "/help")
    text = (await world.expect(world.cadre, "Main commands", since=since))[0]["text"]
    assert "/claim" in text and "/bind" not in text


async def test_a_cadre_gets_a_new_ticket_in_their_language(world: World) -> None:
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/lang en")
    await world.expect(world.cadre, "English", since=since)
    since = await world.seq()
    await world.say(world.group, world.contact, "#诉求 厂区停电了")
    await world.expect(world.group, ACK_MARK, since=since)  # the group keeps the park's
    notice = (await world.expect(world.cadre, "A new ticket", since=since))[0]["text"]
    assert "新工单" not in notice
