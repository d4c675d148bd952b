"""Who may act and who may read, through the emulator: a leader's team, answers in groups,
forged transfer presses, one answer per press, and refusals that do not reveal a ticket.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook

from tests.e2e.harness import ACK_MARK
from tests.handlers.world import OTHER_ENTERPRISE, World, bind_cadre, report


async def bind_group(world: World, target: str) -> int:
    """A new supergroup bound by the admin to `target` (an enterprise name, or `park`)."""
    chat = int((await world.client.create_chat("supergroup", title=target))["id"])
    since = await world.seq()
    await world.say(chat, world.admin, f"/bind {target}")
    await world.expect(chat, "已绑定", since=since)
    return chat


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(f"{m.get('text') or ''} {m.get('reply_markup') or ''}" for m in messages)


async def ledger_rows(world: World, leader: int, since: int) -> list[list[Any]]:
    await world.say(leader, leader, "/export")
    document = await world.upload(leader, "document", since=since)
    book = load_workbook(io.BytesIO(await world.download(document["document"])))
    # Row 1 is the title, row 2 the header; each row starts with 序号, then the ticket number.
    return [[c.value for c in row][1:] for row in book["问题台账"].iter_rows(min_row=3)]


# -- item 7: a leader acts only for the cadres they lead --------------------------------------


async def test_a_leader_acts_only_for_the_cadres_they_lead(world: World) -> None:
    own = await bind_cadre(world, "黄振华")  # leads 陈志远, who gets the ticket
    other = await bind_cadre(world, "钱卫东")  # leads another team
    ticket_id, notice = await report(world)
    since = await world.seq()

    await world.say(other, other, f"/supervise {ticket_id}")
    await world.expect(other, "不在您分管的范围内", since=since)
    before = await world.answers()
    await world.client.press_button(
        world.cadre, notice["message_id"], other, f"t:sup:{ticket_id}", forge=True
    )
    answer = await world.answer(before)
    assert answer["show_alert"] and "不在您分管的范围内" in answer["text"]
    await world.say(other, other, "/blockers")
    await world.expect(other, "没有督办工单", since=since)

    # Working the ticket and asking for the extension the other leader then tries to decide.
    await world.say(world.cadre, world.cadre, f"/claim {ticket_id}")
    await world.expect(world.cadre, "已签收工单", since=since)
    await world.say(other, other, f"/claim {ticket_id}")
    await world.say(other, other, f"/progress {ticket_id} 越权记录")
    await world.expect(other, "不归您办理", since=since, count=2)
    await world.say(world.cadre, world.cadre, f"/extend {ticket_id} 2 等待供电所排期")
    ask = (await world.expect(own, "申请将工单", since=since))[0]
    before = await world.answers()
    await world.client.press_button(
        own, ask["message_id"], other, f"t:xok:{ticket_id}:1", forge=True
    )
    answer = await world.answer(before)
    assert answer["show_alert"] and "分管领导" in answer["text"]

    # The ledger: the other leader's export holds none of this team's tickets.
    assert await ledger_rows(world, other, since) == []
    rows = await ledger_rows(world, own, since)
    assert [r[0] for r in rows] == [ticket_id]

    await world.say(own, own, f"/supervise {ticket_id}")
    await world.expect(own, "已督办", since=since)
    await world.say(own, own, "/blockers")
    await world.expect(own, "督办工单（1 件", since=since)


# -- item 8: staff answers in groups go privately; members see their group's enterprise only --


async def test_staff_answers_in_a_group_go_privately(world: World) -> None:
    ticket_id, _ = await report(world)
    other_group = await bind_group(world, OTHER_ENTERPRISE)
    park = await bind_group(world, "park")
    since = await world.seq()

    await world.say(other_group, world.cadre, f"/ticket {ticket_id}")
    card = (await world.expect(world.cadre, "厂区停电了", since=since))[0]
    assert f"t:claim:{ticket_id}" in str(card["reply_markup"])  # staff buttons, privately
    await world.expect(other_group, "已通过私聊答复您", since=since)
    await world.say(park, world.cadre, "/mine")
    listing = (await world.expect(world.cadre, "我的工单", since=since))[0]
    assert f"#{ticket_id}" in listing["text"]
    await world.expect(park, "已通过私聊答复您", since=since)

    # An admin who never opened a private chat gets only the note, in the group.
    await world.say(park, world.admin, "/mine")
    await world.expect(park, "请先打开与 @liaison_test_bot 的私聊", since=since)

    for chat in (other_group, park):
        leaked = texts(await world.client.sent(chat_id=chat, since_seq=since))
        assert "停电" not in leaked and f"#{ticket_id}" not in leaked and "t:" not in leaked


async def test_in_a_group_a_member_sees_only_that_groups_enterprise(world: World) -> None:
    other_group = await bind_group(world, OTHER_ENTERPRISE)
    since = await world.seq()
    # A group member who is no contact reports in the first enterprise's group.
    await world.say(world.group, world.stranger, "#诉求 食堂网络不通")
    ack = (await world.expect(world.group, ACK_MARK, since=since))[0]
    ticket_id = int(re.search(r"#(\d+)", ack["text"]).group(1))  # type: ignore[union-attr]

    await world.say(other_group, world.stranger, f"/ticket {ticket_id}")
    await world.expect(other_group, f"没有找到工单 #{ticket_id}", since=since)
    await world.say(world.group, world.stranger, f"/ticket {ticket_id}")
    await world.expect(world.group, "食堂网络不通", since=since)  # in its own group: shown

    await world.say(other_group, world.contact, "/mytickets")
    await world.expect(other_group, "只能查看本群企业的工单", since=since)
    await world.say(other_group, world.contact, f"/ticket {ticket_id}")
    await world.expect(other_group, f"没有找到工单 #{ticket_id}", since=since, count=2)
    await world.say(world.contact, world.contact, "/mytickets")
    await world.expect(world.contact, "食堂网络不通", since=since)  # privately: all of it

    leaked = texts(await world.client.sent(chat_id=other_group, since_seq=since))
    assert "食堂" not in leaked


# -- Low: forged transfer presses, one answer per press, "not found" for the unknowing --------


async def test_a_forged_transfer_press_by_a_contact_lists_no_staff(world: World) -> None:
    ticket_id, _ = await report(world)
    ack = (await world.client.sent(chat_id=world.group))[-1]
    since = await world.seq()
    for verb in ("xfer", "prog"):
        before = await world.answers()
        await world.client.press_button(
            world.group, ack["message_id"], world.contact, f"t:{verb}:{ticket_id}", forge=True
        )
        answer = await world.answer(before)
        assert answer["show_alert"] and "不归您办理" in answer["text"]
    # A fence: the group's next answer comes after anything those presses queued there.
    await world.say(world.group, world.contact, f"/ticket {ticket_id}")
    await world.expect(world.group, "办理记录", since=since)
    leaked = texts(await world.client.sent(since_seq=since))
    assert "t:xto:" not in leaked and "王晓峰" not in leaked and "请回复本条消息" not in leaked


async def test_a_refused_press_is_answered_exactly_once(world: World) -> None:
    ticket_id, notice = await report(world)
    since = await world.seq()
    before = await world.answers()
    query = await world.client.press_button(
        world.cadre, notice["message_id"], world.other_cadre, f"t:xto:{ticket_id}:5", forge=True
    )
    answer = await world.answer(before)
    assert answer["callback_query_id"] == query and "不归您办理" in answer["text"]
    await world.say(world.cadre, world.cadre, f"/ticket {ticket_id}")  # a fence in that chat
    await world.expect(world.cadre, "办理记录", since=since)
    calls = await world.client.calls("answerCallbackQuery", since_seq=since)
    assert [c["params"]["callback_query_id"] for c in calls] == [query]
    assert all(c["ok"] for c in calls)


async def test_not_yours_reads_as_not_found_to_those_who_may_not_know(world: World) -> None:
    ticket_id, notice = await report(world)
    missing = 999
    commands = (
        "/claim {}",
        "/contact {}",
        "/progress {} 进展",
        "/resolve {} 办结",
        "/transfer {} 王晓峰",
        "/extend {} 2 理由",
    )
    outsider = world.other_contact
    for command in commands:
        answers = []
        for number in (ticket_id, missing):
            since = await world.seq()
            await world.say(outsider, outsider, command.format(number))
            text = (await world.expect(outsider, "", since=since))[0]["text"]
            answers.append(text.replace(str(number), "N"))
        assert answers[0] == answers[1], command
        assert "没有找到工单 #N" in answers[0]
    for data in ("t:claim:{}", "t:rs:{}:solved", "t:xok:{}:1", "t:cat:{}"):
        alerts = []
        for number in (ticket_id, missing):
            before = await world.answers()
            await world.client.press_button(
                world.cadre, notice["message_id"], outsider, data.format(number), forge=True
            )
            alerts.append((await world.answer(before))["text"].replace(str(number), "N"))
        assert alerts[0] == alerts[1], data
